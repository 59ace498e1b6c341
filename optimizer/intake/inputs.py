"""A scenario's inputs, loaded and checked against each other: the history it names, the plan
periods, the units to plan, and the rules that must agree with the history."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from budgetopt.messages import Msg, N_
from budgetopt.errors import InputError
from budgetopt.forecasts.history.experiments import load_experiments
from budgetopt.forecasts.history.frame import History
from budgetopt.forecasts.history.loader import load_history
from budgetopt.forecasts.history.periods import make_periods
from budgetopt.forecasts.history.wide import WideHistory, check_future_controls, load_wide_history
from budgetopt.units import Unit
from budgetopt.optimizer.scenario.spec import Scenario

MAX_DAYS_AHEAD = 366
CONVERSION_COLUMNS = ("conversions", "new_customers")


@dataclass(frozen=True)
class PlanInputs:
    scenario: Scenario
    history: History
    periods: pd.DataFrame
    units: list[Unit]          # units the plan allocates money to
    locked_unlearned: list[Unit]  # never spent in history but locked: spend fixed, no curve
    experiments: tuple = ()    # lift tests (forecasts/history/experiments.py: LiftTest)
    experiments_sha256: str | None = None

    @property
    def step_days(self) -> int:
        return 7 if self.history.freq == "W" else 1


def load_inputs(scenario: Scenario) -> PlanInputs:
    """Load the scenario's history and check scenario and history against each other."""
    where = str(scenario.source.name) if scenario.source else "scenario"
    path = scenario.history_path
    if not path.exists():
        base = N_("the scenario file's folder") if scenario.source else N_("the current directory")
        raise InputError("E0301", history=str(scenario.history), path=str(path),
                         folder=Msg(base), where=where)
    return check_inputs(scenario, read_scenario_history(scenario, path, where), where)


def read_scenario_history(scenario: Scenario, path, where: str) -> History:
    """The history at `path` in the scenario's form (long or wide), read with every history
    setting the scenario has (kpi, history_encoding; for wide also its columns and controls)."""
    if scenario.history_format == "wide":
        return load_wide(scenario, path, where)
    return load_history(path, scenario.kpi, encoding=scenario.history_encoding)


def check_inputs(scenario: Scenario, history: History, where: str = "scenario") -> PlanInputs:
    """Check a scenario against an already loaded history (one history, many scenarios)."""
    known = set(history.channels)
    listing = ", ".join(history.channels)
    named = [(f"channels.{c}", c) for c in scenario.channels]
    named += [(f"groups.{g}.channels", c) for g, grp in scenario.groups.items()
              for c in grp.channels]
    named += [("budget.fixed", c) for c in scenario.budget.fixed]
    named += [(f"shocks.{s.name}.channels", c) for s in scenario.shocks for c in s.channels or []]
    for place, channel in named:
        if channel not in known:
            raise InputError("E0302", place=place, channel=channel, file=history.source,
                             channels=listing, where=where)
    _check_horizon(scenario, history, where)
    capped = [c for c, r in scenario.channels.items() if r.cac_cap is not None]
    if capped and conversion_column(history) is None:
        raise InputError("E0303", channel=capped[0], file=history.source, where=where)
    if history.freq == "W" and scenario.horizon.period == "day":
        raise InputError("E0304", where=where)
    excluded = {c for c, r in scenario.channels.items() if r.exclude}
    never = {u for u in history.never_spent()}
    locked_unlearned = []
    for channel, market in sorted(never):
        rule = scenario.rule(channel)
        if rule.exclude:
            continue
        if rule.lock is None:
            raise InputError("E0305", channel=channel, file=history.source, where=where)
        locked_unlearned.append(Unit(channel, market))
    units = [Unit(c, m) for c, m in history.units
             if c not in excluded and ((c, m) not in never or Unit(c, m) in locked_unlearned)]
    if not units:
        raise InputError("E0306", where=where)
    periods = make_periods(scenario.horizon.start, scenario.horizon.end, scenario.horizon.period)
    starts = [str(pd.Timestamp(d).date()) for d in periods["period_start"]]
    unknown = sorted(set(scenario.limits.period_caps()) - set(starts) - {"*"})
    if unknown:
        raise InputError("E0307", period=unknown[0], starts=", ".join(starts[:3]), where=where)
    tests, digest = scenario_experiments(scenario, history, where)
    return PlanInputs(scenario, history, periods, units, locked_unlearned, tests, digest)


def scenario_experiments(scenario: Scenario, history: History, where: str) -> tuple:
    """The scenario's lift tests, checked against the history, and the file's sha256."""
    path = scenario.experiments_path
    if path is None:
        return (), None
    if not path.exists():
        raise InputError("E0340", file=str(scenario.experiments), path=str(path), where=where)
    if scenario.history_format == "wide":
        raise InputError("E0353", where=where)
    return load_experiments(path, history)


def _check_horizon(scenario: Scenario, history: History, where: str) -> None:
    start, end = pd.Timestamp(scenario.horizon.start), pd.Timestamp(scenario.horizon.end)
    last = history.end + pd.Timedelta(days=6 if history.freq == "W" else 0)
    if start <= last:
        raise InputError("E0308", start=str(start.date()), last=str(last.date()),
                         first=str((last + pd.Timedelta(days=1)).date()), where=where)
    if (end - last).days > MAX_DAYS_AHEAD:
        raise InputError("E0309", end=str(end.date()), days=(end - last).days,
                         last=str(last.date()), most=MAX_DAYS_AHEAD, where=where)


def conversion_column(history: History) -> str | None:
    """The history column CAC caps count customers in: conversions, else new_customers."""
    return next((c for c in CONVERSION_COLUMNS if c in history.frame.columns), None)


def load_wide(scenario: Scenario, path, where: str) -> WideHistory:
    """Read and check a wide history, including that every control has future values."""
    history = load_wide_history(path, scenario.kpi, dict(scenario.spend_columns),
                                tuple(scenario.controls), encoding=scenario.history_encoding)
    check_future_controls(history, scenario.horizon.start, scenario.horizon.end,
                          dict(scenario.control_values), where)
    return history
