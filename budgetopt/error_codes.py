"""Every coded error's English wording, in one place: a stable code (printed in every language,
searchable in docs/errors.md), what is wrong and how to fix it, as templates with `{name}`
placeholders. A raise site names its code and values only — `InputError("E0201", path=...,
where=...)` — and the gettext catalogs word the same templates in Chinese. Codes never change
meaning; a retired code is not reused.

E01xx: the scenario file; E02xx: the history file; E03xx: the scenario against its history;
E04xx: the command line and output directories; E05xx: runs that cannot be reproduced;
E06xx: plans that cannot be made (exit code 1); E07xx: rebalancing mid-quarter; E08xx:
comparing runs; E09xx: backtest, frontier and shocks."""
from __future__ import annotations

from typing import NamedTuple

from budgetopt.messages import N_


class ErrorText(NamedTuple):
    what: str
    fix: str | None = None
    topic: str = ""
    meaning: str | None = None     # for docs/errors.md, where `what` is only placeholders


_TOO_LARGE = N_("split the history into smaller files (fewer years or units) or aggregate days "
                "to weeks")
_EMPTY = N_("export the history with a header row (date,channel,spend,revenue) and one row per "
            "day or week")

ERRORS: dict[str, ErrorText] = {
    # --- the scenario file -----------------------------------------------------------------
    "E0101": ErrorText(N_("scenario file not found (looked for {path})"),
                       N_("check the path, or copy one from scenarios/"), "scenario"),
    "E0102": ErrorText(N_("cannot be read ({reason})"), N_("check the file's permissions"),
                       "scenario"),
    "E0103": ErrorText(N_("line {line}: bytes that are not UTF-8"), N_("save the file as UTF-8"),
                       "scenario"),
    "E0104": ErrorText(N_("{at}{problem}"),
                       N_("correct the YAML syntax (indentation, colons, quotes)"), "scenario",
                       N_("the file is not valid YAML (the line names the position)")),
    "E0105": ErrorText(N_("{at}{problem}"), N_("write dates as YYYY-MM-DD, e.g. 2026-10-01"),
                       "scenario", N_("a date YAML cannot read")),
    "E0106": ErrorText(N_("values are nested too deeply to be a scenario"),
                       N_("correct the brackets; a scenario nests a few levels at most"),
                       "scenario"),
    "E0107": ErrorText(N_("the scenario is empty"),
                       N_("start the file with keys such as 'name:' and 'budget:'"), "scenario"),
    "E0108": ErrorText(N_("expected a mapping of scenario keys, got {kind}"),
                       N_("start the file with keys such as 'name:' and 'budget:'"), "scenario"),
    "E0110": ErrorText(N_("unknown key '{key}' in {at}"),
                       N_("remove it or correct the spelling ({hint})"), "scenario"),
    "E0111": ErrorText(N_("missing required key '{key}'"), N_("add it (see docs/scenario.md)"),
                       "scenario"),
    "E0112": ErrorText(N_("{at}{problem}{shown}"), N_("{advice}"), "scenario",
                       N_("a value of the wrong type, or out of its range")),
    "E0113": ErrorText(N_("{at}{problem}"), N_("{advice}"), "scenario",
                       N_("a value that one of the scenario's rules refuses")),
    "E0114": ErrorText(N_("{at}{value} is not a three-letter currency code in capitals"),
                       N_("write e.g. CNY or USD"), "scenario"),
    "E0115": ErrorText(N_("{at}{value} does not have the form this key needs"),
                       N_("see docs/scenario.md for how to write {key}"), "scenario"),
    # --- the history file ------------------------------------------------------------------
    "E0201": ErrorText(N_("history file not found (looked for {path})"),
                       N_("check the path; relative paths resolve from the current directory"),
                       "history"),
    "E0202": ErrorText(N_("is a directory, not a history file"),
                       N_("point to the CSV or Parquet file inside it"), "history"),
    "E0203": ErrorText(N_("unsupported file type {suffix}"),
                       N_("save the history as .csv, .xlsx or .parquet"), "history"),
    "E0204": ErrorText(N_("file is {size}, over the {limit} limit"), _TOO_LARGE, "history"),
    "E0205": ErrorText(N_("reading {size} of history needs about {need} of memory but only "
                          "{free} is free"),
                       N_("free memory, or split the history into smaller files (fewer years or "
                          "units) or aggregate days to weeks"), "history"),
    "E0206": ErrorText(N_("cannot be read ({reason})"),
                       N_("check the file's permissions and that it is not locked"), "history"),
    "E0207": ErrorText(N_("not a valid gzip file ({reason})"),
                       N_("re-compress it with gzip, or save it as a plain .csv"), "history"),
    "E0208": ErrorText(N_("unpacks to more than the {limit} limit"), _TOO_LARGE, "history"),
    "E0209": ErrorText(N_("file is empty"), _EMPTY, "history"),
    "E0210": ErrorText(N_("line 1 is empty; the header must be the first line"), _EMPTY,
                       "history"),
    "E0211": ErrorText(N_("byte 0x{byte} cannot be read as {tried} text"),
                       N_("save the file as UTF-8 (in Excel: Save As > CSV UTF-8), or set "
                          "history_encoding to the encoding it was saved in (utf-8, utf-8-sig, "
                          "gb18030, gbk)"), "history"),
    "E0212": ErrorText(N_("cannot be read ({reason})"),
                       N_("check the file's permissions and that it is not open in Excel"),
                       "history"),
    "E0213": ErrorText(N_("not a readable .xlsx workbook ({reason})"),
                       N_("save it from Excel as .xlsx, or export it as CSV"), "history"),
    "E0214": ErrorText(N_("column {number} has no name"),
                       N_("name the column in row 1 or delete it"), "history"),
    "E0215": ErrorText(N_("column {number} has no name"),
                       N_("name the column or delete it (a trailing comma adds an empty column)"),
                       "history"),
    "E0216": ErrorText(N_("column {name} appears twice"),
                       N_("remove or rename one of the two columns"), "history"),
    "E0217": ErrorText(N_("row has {got} fields but the header has {want}"),
                       N_("quote values that contain commas (\"a,b\") or remove the extra "
                          "separators"), "history"),
    "E0218": ErrorText(N_("a quoted value is never closed"), N_("close the quote (\") or remove it"),
                       "history"),
    "E0219": ErrorText(N_("cannot be read as CSV ({reason})"),
                       N_("save the file as a comma-separated CSV with one header row"),
                       "history"),
    "E0220": ErrorText(N_("unpacks to {size}, over the {limit} limit"), _TOO_LARGE, "history"),
    "E0221": ErrorText(N_("not a readable Parquet file ({reason})"),
                       N_("re-export the history as Parquet or CSV"), "history"),
    "E0222": ErrorText(N_("kpi {kpi} cannot be the KPI column"),
                       N_("name a numeric KPI column of the history, e.g. revenue"), "history"),
    # --- the history's columns and rows ---------------------------------------------------
    "E0230": ErrorText(N_("{problem}"),
                       N_("supply daily or weekly rows covering at least {days} days per unit"),
                       "history", N_("the history has fewer than two data rows")),
    "E0231": ErrorText(N_("spend is negative ({value})"),
                       N_("correct the value: spend must be 0 or more"), "history"),
    "E0232": ErrorText(N_("column {found} should be named {name}"),
                       N_("rename the column {found} to {name}"), "history"),
    "E0233": ErrorText(N_("missing {role} {name} (columns found: {columns})"),
                       N_("add a {name} column"), "history"),
    "E0234": ErrorText(N_("missing {role} {name} (columns found: {columns})"),
                       N_("add a {name} column, or pass kpi= naming the KPI column"), "history"),
    "E0235": ErrorText(N_("missing {role} {name} (columns found: {columns})"),
                       N_("separate fields with commas (the header looks like it uses another "
                          "separator)"), "history"),
    "E0236": ErrorText(N_("column {name} is empty"),
                       N_("fill in {name} with numbers or remove the column"), "history"),
    "E0237": ErrorText(N_("column {name} is text, not numbers (e.g. {value} on {place})"),
                       N_("remove the column {name} or make it numeric"), "history"),
    "E0238": ErrorText(N_("date is missing"), N_("write dates as YYYY-MM-DD, e.g. 2024-03-05"),
                       "history"),
    "E0239": ErrorText(N_("{value} has a time of day; rows must be whole days"),
                       N_("use dates at 00:00, one row per day or week"), "history"),
    "E0240": ErrorText(N_("{value} is not a calendar date"),
                       N_("write dates as YYYY-MM-DD, e.g. 2024-03-05"), "history"),
    "E0241": ErrorText(N_("{value} is not a date in YYYY-MM-DD form"),
                       N_("write dates as YYYY-MM-DD, e.g. 2024-03-05"), "history"),
    "E0242": ErrorText(N_("date {value} is outside 1900-2199"),
                       N_("write dates as YYYY-MM-DD, e.g. 2024-03-05"), "history"),
    "E0243": ErrorText(N_("{column} name {value} {problem}"), N_("rename it using {rule}"),
                       "history"),
    "E0244": ErrorText(N_("{column} name is empty"), N_("rename it using {rule}"), "history"),
    "E0245": ErrorText(N_("{column} {problem}"),
                       N_("spell the same channel the same way everywhere, or rename one"),
                       "history", N_("two names differ only by character width or Unicode form")),
    "E0246": ErrorText(N_("{column} is infinite ({value})"),
                       N_("replace it with a finite number"), "history"),
    "E0247": ErrorText(N_("{column} is missing{shown}"),
                       N_("fill in a number (0 if there was none that day)"), "history"),
    "E0248": ErrorText(N_("{value} is not a number"),
                       N_("write a plain number such as 1234.5 (no currency signs, units or "
                          "thousands separators)"), "history"),
    "E0249": ErrorText(N_("duplicate row for date {date}, {unit} (same as {place})"),
                       N_("keep one row per date and unit (sum or remove the duplicate)"),
                       "history"),
    "E0250": ErrorText(N_("{unit} has {days} days of history ({first} to {last}); {need} days "
                          "are needed{more}"),
                       N_("supply at least {need} days per unit (a full year lets the model "
                          "learn yearly seasonality), or lower min_history_days"), "history"),
    "E0251": ErrorText(N_("{unit} ends on {last} but the history runs to {end}{more}"),
                       N_("add rows up to {end} (spend 0 on days without spend), or remove the "
                          "unit"), "history"),
    # --- the total-KPI (wide) history -------------------------------------------------------
    "E0260": ErrorText(N_("{problem}"),
                       N_("supply daily or weekly rows covering at least {days} days"),
                       "history", N_("the total-KPI history has fewer than two usable rows")),
    "E0261": ErrorText(N_("spend of {channel} is negative ({value})"),
                       N_("correct the value: spend must be 0 or more"), "history"),
    "E0262": ErrorText(N_("missing {missing} (columns found: {columns})"), N_("{advice}"),
                       "history", N_("a column the total-KPI history needs is missing")),
    "E0263": ErrorText(N_("has a 'channel' column, which is the long form"),
                       N_("use history_format: long for one row per date and channel, or remove "
                          "the 'channel' column"), "history"),
    "E0264": ErrorText(N_("duplicate row for date {date}"),
                       N_("keep one row per date (sum or remove the duplicate)"), "history"),
    "E0265": ErrorText(N_("duplicate row for date {date}, market {market}"),
                       N_("keep one row per date and market (sum or remove the duplicate)"),
                       "history"),
    "E0266": ErrorText(N_("control {name} has no values for the horizon {start} to "
                          "{end}{market} ({have})"),
                       N_("add rows after the history with {column} filled in (KPI and spend "
                          "empty) up to {end}, or set control_values: {{{column}: VALUE}} in the "
                          "scenario"), "history"),
    "E0267": ErrorText(N_("control {name}{market} has no future row between {first} and {last}"),
                       N_("add one future row per day"), "history"),
    "E0268": ErrorText(N_("control {name}{market} has no future row between {first} and {last}"),
                       N_("add one future row per week"), "history"),
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

#: What the topics are called in docs/errors.md (and in Chinese)
TOPICS = {"scenario": N_("The scenario file"), "history": N_("The history file"),
          "inputs": N_("The scenario against its history"),
          "command": N_("The command line and output directories"),
          "reproduce": N_("Reproducing a run"), "plan": N_("Plans that cannot be made"),
          "rebalance": N_("Rebalancing mid-quarter"), "compare": N_("Comparing runs"),
          "sweeps": N_("Backtest, frontier and shocks")}


def error_text(code: str) -> ErrorText:
    """The wording of `code`; an unknown code is a programming error."""
    try:
        return ERRORS[code]
    except KeyError:
        raise KeyError(f"no error code {code!r} in budgetopt.error_codes") from None
