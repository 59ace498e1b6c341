"""The wording of the errors met while planning: the scenario against its history (E03xx), the
command line and outputs (E04xx), reproducing (E05xx), plans that cannot be made (E06xx),
rebalance (E07xx), compare (E08xx), backtest / frontier / shocks (E09xx), forecasting backends
(E10xx) and curve tables (E11xx)."""
from __future__ import annotations

from budgetopt.messages import ErrorText, N_

RUN_ERRORS: dict[str, ErrorText] = {
    # --- the scenario against its history --------------------------------------------------
    "E0301": ErrorText(N_("history: file '{history}' not found (looked for {path})"),
                       N_("correct 'history:' in the scenario; a relative path is read from "
                          "{folder}"), "inputs"),
    "E0302": ErrorText(N_("{place}: channel '{channel}' is not in the history ({file} has: "
                          "{channels})"), N_("correct the name or remove it"), "inputs"),
    "E0303": ErrorText(N_("channels.{channel}.cac_cap needs a conversions column, and {file} "
                          "has none"),
                       N_("add a 'conversions' (or 'new_customers') column to the history, or "
                          "remove cac_cap"), "inputs"),
    "E0304": ErrorText(N_("horizon.period is day but the history has weekly rows"),
                       N_("plan in weeks or months, or supply daily history"), "inputs"),
    "E0305": ErrorText(N_("channel '{channel}' never spent in {file}, so its response cannot be "
                          "learned"),
                       N_("add '{channel}: {{exclude: true}}' or '{channel}: {{lock: AMOUNT}}' "
                          "under channels"), "inputs"),
    "E0306": ErrorText(N_("no channel is left to plan"),
                       N_("remove 'exclude' from at least one channel"), "inputs"),
    "E0307": ErrorText(N_("limits.period_budget_max names {period}, which is not the first day "
                          "of a plan period"),
                       N_("key caps by period starts such as {starts}"), "inputs"),
    "E0308": ErrorText(N_("horizon.start {start} is not after the history's last day {last}"),
                       N_("start the horizon on {first} or later"), "inputs"),
    "E0309": ErrorText(N_("horizon.end {end} is {days} days after the history ends ({last}); "
                          "forecasts reach at most {most} days ahead"),
                       N_("plan a nearer horizon or supply more recent history"), "inputs"),
    "E0310": ErrorText(N_("budget.fixed gives {channel} {amount} of fixed money, above what its "
                          "rules allow ({cap})"),
                       N_("lower {channel}'s fixed share or raise its max/lock"), "inputs"),
    # --- the lift tests (experiments) against the history ---------------------------------
    "E0340": ErrorText(N_("experiments: file '{file}' not found (looked for {path})"),
                       N_("correct 'experiments:' in the scenario; a relative path is read from "
                          "the scenario file's folder"), "inputs"),
    "E0341": ErrorText(N_("the experiments file has no '{column}' column"),
                       N_("give one row per test with columns channel, start, end, "
                          "spend_change (or test_spend and control_spend), lift and std_error "
                          "(or lift_low and lift_high); market too where the history has "
                          "markets"), "inputs"),
    "E0342": ErrorText(N_("channel {channel} is not in the history (it has: {channels})"),
                       N_("correct the test's channel"), "inputs"),
    "E0343": ErrorText(N_("market {market} has no history for {channel} (it has: {markets})"),
                       N_("correct the test's market"), "inputs"),
    "E0344": ErrorText(N_("the test window {start} to {end} is not inside the history "
                          "({first} to {last})"),
                       N_("correct start and end (YYYY-MM-DD, start before end), or supply "
                          "history that covers the test"), "inputs"),
    "E0345": ErrorText(N_("the standard error is {value}; it must be positive"),
                       N_("give the study's standard error of the lift (or lift_low and "
                          "lift_high, its interval at 95%)"), "inputs"),
    "E0346": ErrorText(N_("the interval's lift_low {low} is not below its lift_high {high}"),
                       N_("give the interval's bounds (at 95%) in lift_low and lift_high"), "inputs"),
    "E0347": ErrorText(N_("the same test (channel, market and window) as {other}"),
                       N_("remove the duplicate row, or give each test its own window"),
                       "inputs"),
    "E0348": ErrorText(N_("{column} {value} is not a number"),
                       N_("write a plain number such as 12000 or -3500.5"), "inputs"),
    "E0349": ErrorText(N_("{column} {value} is not a date"),
                       N_("write dates as YYYY-MM-DD, e.g. 2025-03-01"), "inputs"),
    "E0350": ErrorText(N_("the test changes spend by 0"),
                       N_("give the extra spend of the test over its window (negative for a "
                          "cut) in spend_change, or test_spend and control_spend"), "inputs"),
    "E0351": ErrorText(N_("the lift {lift} has the opposite sign of the spend change {change}"),
                       N_("check the signs: more spend should show a positive lift and a cut a "
                          "negative one; a study whose estimate crossed zero is written as "
                          "lift 0 with its standard error"), "inputs"),
    "E0352": ErrorText(N_("the spend change {change} is more than the history spent in the "
                          "window ({spent}), so the control would have spent less than nothing"),
                       N_("check spend_change (it is the test's extra spend over the whole "
                          "window), or the history's spend in those days"), "inputs"),
    "E0353": ErrorText(N_("lift tests need a long-form history (one row per channel and day)"),
                       N_("remove 'experiments:' or give the history in long form"), "inputs"),
    # --- the command line and output directories -------------------------------------------
    "E0401": ErrorText(N_("missing {argument}"),
                       N_("budgetopt run SCENARIO --out DIR, or budgetopt run --check DIR"),
                       "command"),
    "E0402": ErrorText(N_("--history is only read with --check"),
                       N_("name the history in the scenario file ('history:')"), "command"),
    "E0403": ErrorText(N_("{path} already exists"),
                       N_("choose another file, or add --force to replace it"), "command"),
    "E0404": ErrorText(N_("output directory {path} already exists"),
                       N_("choose another --out, or add --force to replace it"), "command"),
    "E0405": ErrorText(N_("{path} exists and is not a directory"), N_("choose another --out"),
                       "command"),
    "E0406": ErrorText(N_("cannot create output directory {path}: {reason}"),
                       N_("choose a writable location for --out"), "command"),
    "E0407": ErrorText(N_("could not write {path}: {reason}"),
                       N_("check the disk space and permissions of the output location"),
                       "command"),
    # --- reproducing a run -----------------------------------------------------------------
    "E0501": ErrorText(N_("the rerun differs in {names}"),
                       N_("see the notes above; changed package versions, inputs or solver "
                          "explain most differences"), "reproduce"),
    "E0609": ErrorText(N_("the plan is infeasible even with every rule relaxed: the fixed "
                          "commitments and the budget cannot hold together (rules: {rules})"),
                       N_("lower fixed_share or raise budget.total"), "plan"),
    "E0610": ErrorText(N_("infeasible: {rule} conflicts with {against}; the smallest relaxation "
                          "that makes the plan feasible: {options}"),
                       N_("relax one of the rules as proposed, or raise budget.total"), "plan"),
    "E0611": ErrorText(N_("the solver reports the plan {status}; the rules in force: {rules}"),
                       N_("relax the rules named above, or raise budget.total"), "plan"),
    "E0612": ErrorText(N_("solver {name} failed: {reason}"),
                       N_("retry with the other solver (--solver highs|cbc)"), "plan"),
    # --- forecasting backends --------------------------------------------------------------
    "E1001": ErrorText(N_("forecast.backend {name} is unknown"),
                       N_("use forecast.backend: local or spark"), "backend"),
    "E1002": ErrorText(N_("fitting unit {unit} failed: {reason}"),
                       N_("check that unit's history (or drop it with exclude: true); run with "
                          "--debug for the full trace"), "backend"),
    "E1003": ErrorText(N_("forecast.backend: spark needs PySpark, which is not installed"),
                       N_("pip install 'budgetopt[spark]' (PySpark 4.0.1), or use "
                          "forecast.backend: local"), "backend"),
    "E1004": ErrorText(N_("forecast.spark.master {master} cannot be reached ({reason})"),
                       N_("start the Spark master, correct the address, or use master: local[*]"),
                       "backend"),
    "E1005": ErrorText(N_("forecast.backend: spark needs Java, and none was found (no java on "
                          "PATH, JAVA_HOME unset)"),
                       N_("install a Java 17 runtime (e.g. apt-get install "
                          "openjdk-17-jre-headless) or set JAVA_HOME, or use forecast.backend: "
                          "local"), "backend"),
    "E1006": ErrorText(N_("a Spark session on {master} could not be started: {reason}"),
                       N_("check forecast.spark.master and the Spark installation"), "backend"),
    "E1007": ErrorText(N_("the Spark job fitting the units failed: {reason}"),
                       N_("check that every worker runs the same Python with budgetopt installed "
                          "(PYSPARK_PYTHON, docs/spark.md) and that the cluster kept enough "
                          "workers, then run again; --debug shows Spark's full trace"),
                       "backend"),
    "E1008": ErrorText(N_("a Spark session on {running} is already running in this process, "
                          "and forecast.spark.master {master} would need a second one"),
                       N_("leave forecast.spark.master out to use the running session, or stop "
                          "it first (spark.stop())"), "backend"),
    # --- curve tables given to the LP ------------------------------------------------------
    "E1101": ErrorText(N_("curve table lacks column(s) {columns}"), N_("provide columns {needed}"),
                       "curves"),
    "E1102": ErrorText(N_("curve for {unit}, period {period} does not start at (0, 0)"),
                       N_("add the breakpoint spend 0, incremental_kpi 0"), "curves"),
    "E1103": ErrorText(N_("curve for {unit}, period {period} has spend breakpoints out of order"),
                       N_("sort breakpoints by increasing spend"), "curves"),
    "E1104": ErrorText(N_("sample curve table lacks column(s) {columns}"),
                       N_("provide columns {needed}"), "curves"),
    # --- rebalancing mid-quarter ----------------------------------------------------------
    "E0701": ErrorText(N_("rebalance does not read total-KPI (history_format: wide) actuals yet"),
                       N_("re-plan the remaining periods with a scenario whose history includes "
                          "the actuals (docs/wide.md)"), "rebalance"),
    "E0702": ErrorText(N_("--as-of {value} is not a date"), N_("write it as YYYY-MM-DD"),
                       "rebalance"),
    "E0703": ErrorText(N_("--as-of {day} is not the last day of a plan period before the "
                          "horizon's last one"), N_("rebalance at one of: {listed}"), "rebalance"),
    "E0704": ErrorText(N_("--as-of {day} is not the last day of a plan period before the "
                          "horizon's last one"),
                       N_("the horizon has a single period: nothing is left to rebalance"),
                       "rebalance"),
    "E0705": ErrorText(N_("the plan in {path} covers {start} to {end} by {period}, the scenario "
                          "{own_start} to {own_end} by {own_period}"),
                       N_("pass the run made from this scenario, or leave out --plan"),
                       "rebalance"),
    "E0706": ErrorText(N_("allocation.csv lacks {columns}"),
                       N_("rewrite the run with budgetopt run --force"), "rebalance"),
    "E0707": ErrorText(N_("the plan in {path} has other channels than the scenario plans"),
                       N_("pass the run made from this scenario"), "rebalance"),
    "E0708": ErrorText(N_("the actuals have weekly rows but the history has daily rows"),
                       N_("give the actuals in the history's frequency"), "rebalance"),
    "E0709": ErrorText(N_("the actuals have daily rows but the history has weekly rows"),
                       N_("give the actuals in the history's frequency"), "rebalance"),
    "E0710": ErrorText(N_("the actuals and the history disagree on the market column"),
                       N_("use the history's columns"), "rebalance"),
    "E0711": ErrorText(N_("the actuals start {first} but the history ends {end}"),
                       N_("start the actuals on {start}, the step after the history"),
                       "rebalance"),
    "E0712": ErrorText(N_("the actuals end {last} but --as-of is {as_of}"),
                       N_("give actuals up to and including the --as-of date"), "rebalance"),
    "E0713": ErrorText(N_("the actuals have unit(s) not in the history: {units}"),
                       N_("give one row per history unit and date (spend 0 where none)"),
                       "rebalance"),
    "E0714": ErrorText(N_("the actuals have unit(s) of the history with no actuals: {units}"),
                       N_("give one row per history unit and date (spend 0 where none)"),
                       "rebalance"),
    "E0715": ErrorText(N_("the plan's remaining periods do not line up with the scenario's"),
                       N_("pass the run made from this scenario"), "rebalance"),
    "E0502": ErrorText(N_("no {name} in {path}"),
                       N_("point --check at a directory written by budgetopt run --out"),
                       "reproduce"),
    "E0503": ErrorText(N_("{name} is not valid JSON ({reason})"),
                       N_("restore the file as the run wrote it"), "reproduce"),
    "E0504": ErrorText(N_("{name} does not hold a run record"),
                       N_("restore the file as the run wrote it"), "reproduce"),
    "E0505": ErrorText(N_("run directory {path} not found"),
                       N_("point --check at a directory written by budgetopt run --out"),
                       "reproduce"),
    "E0506": ErrorText(N_("no scenario.yaml in {path} (it was written before runs kept their "
                          "scenario)"),
                       N_("name the scenario file: budgetopt run SCENARIO --check DIR"),
                       "reproduce"),
    "E0507": ErrorText(N_("scenario.yaml was changed after the run (its sha256 no longer matches "
                          "summary.json)"),
                       N_("restore scenario.yaml, or name the changed scenario: budgetopt run "
                          "SCENARIO --check DIR"), "reproduce"),
    "E0508": ErrorText(N_("the history the run used is not at {path}"),
                       N_("pass --history with the history file the run used"), "reproduce"),
    "E0509": ErrorText(N_("history {history} changed since the run (sha256 {recorded}… recorded, "
                          "{now}… now)"),
                       N_("restore the history the run used, or pass --history with a copy of "
                          "it"), "reproduce"),
    "E0510": ErrorText(N_("{name} is {kind}, not a regular file"),
                       N_("restore the file as the run wrote it"), "reproduce"),
    "E0511": ErrorText(N_("{name} is {size}, over the {limit} limit"),
                       N_("restore the file as the run wrote it"), "reproduce"),
    "E0512": ErrorText(N_("{name} cannot be read ({reason})"),
                       N_("check the file's permissions and that it is not locked"), "reproduce"),
    "E0513": ErrorText(N_("{name} not found (looked for {path})"),
                       N_("point at a directory written by budgetopt run --out"), "reproduce"),
    "E0514": ErrorText(N_("experiments file {file} changed since the run (sha256 {recorded}… "
                          "recorded, {now}… now)"),
                       N_("restore the experiments file the run used"), "reproduce"),
    # --- comparing runs --------------------------------------------------------------------
    "E0801": ErrorText(N_("run directory {path} not found"),
                       N_("pass directories written by budgetopt run --out"), "compare"),
    "E0802": ErrorText(N_("not a budgetopt run directory: {files} missing"),
                       N_("pass directories written by budgetopt run --out"), "compare"),
    "E0803": ErrorText(N_("cannot read the run's files: {reason}"),
                       N_("rewrite the run with budgetopt run --force"), "compare"),
    "E0804": ErrorText(N_("channels.csv or summary.json lacks the columns of a budgetopt run"),
                       N_("rewrite the run with budgetopt run --force"), "compare"),
    "E0805": ErrorText(N_("compare needs at least two run directories, got {count}"),
                       N_("pass two or more directories written by budgetopt run"), "compare"),
    "E0806": ErrorText(N_("the runs do not plan the same kind of units (one has markets, one "
                          "not)"), N_("compare runs made from the same history"), "compare"),
    # --- backtest, frontier and shocks -----------------------------------------------------
    "E0901": ErrorText(N_("backtest does not read total-KPI (history_format: wide) histories "
                          "yet"),
                       N_("see docs/wide.md: the plan reports the joint model's fit instead"),
                       "sweeps"),
    "E0902": ErrorText(N_("history of {days} days is too short for a backtest with {holdout}-day "
                          "holdouts (needs at least {need})"),
                       N_("use a longer history or a shorter horizon"), "sweeps"),
    "E0903": ErrorText(N_("--from {start} and --to {stop} do not make a range of budgets"),
                       N_("use 0 < --from < --to, e.g. --from 0.5 --to 2.0"), "sweeps"),
    "E0904": ErrorText(N_("--steps {steps} is too few"), N_("use --steps 2 or more"), "sweeps"),
    "E0905": ErrorText(N_("the scenario has no shocks"),
                       N_("add a shocks: list, e.g. shocks: [{{name: rival, channels: "
                          "[live_streaming], demand_change: -0.22}}]"), "sweeps"),
    "E0906": ErrorText(N_("--units {value} is not a number of units to value"),
                       N_("use a whole number of 1 or more, e.g. --units 10"), "sweeps"),
    # --- plans that cannot be made ---------------------------------------------------------
    "E0601": ErrorText(N_("channel mins and locks need {need} ({listed}) but the plan can spend "
                          "only {spendable} (budget {budget} less reserve {reserve})"),
                       N_("lower some mins or locks, raise budget.total or lower reserve_share"),
                       "plan"),
    "E0602": ErrorText(N_("channel max, lock and max_share limits allow only {allowed} but the "
                          "plan must spend {spendable}"),
                       N_("raise some max limits, lower budget.total, or raise reserve_share"),
                       "plan"),
    "E0603": ErrorText(N_("group {group} max_share {share} allows {allowed} but its locks need "
                          "{need}"), N_("lower the locks or raise the group's max_share"), "plan"),
    "E0604": ErrorText(N_("group {group} min_share {share} needs {need} but all its channels are "
                          "locked at {locked} in total"),
                       N_("raise the locks or lower the group's min_share"), "plan"),
    "E0605": ErrorText(N_("group {group} min_share {share} plus the min_share of channels "
                          "outside it ({outside}) exceed 100%"),
                       N_("lower one of the share floors"), "plan"),
    "E0606": ErrorText(N_("unknown solver '{name}'"), N_("use one of {names}"), "plan"),
    "E0607": ErrorText(N_("solver '{name}' is not installed on this machine"),
                       N_("install it, or choose the other one with --solver {other}"), "plan"),
    "E0608": ErrorText(N_("solver {name} stopped at its time limit{limit} before it found the "
                          "optimal plan; no plan is written"),
                       N_("raise solver.time_limit_s in the scenario, or try --solver {other}"),
                       "plan"),
}
