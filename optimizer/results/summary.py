"""summary.json: everything needed to read and reproduce a plan, and nothing that changes
between reruns (no timestamps, no timings, no absolute paths)."""
from __future__ import annotations

import hashlib
import platform
from dataclasses import dataclass
from importlib import metadata

import numpy as np

from budgetopt.messages import Msg, N_
from budgetopt.optimizer.results.grouping import warning_groups
from budgetopt.optimizer.results.lift_tests import experiments_section
from budgetopt.optimizer.results.wording import objective_in_words
from budgetopt.optimizer.scenario.loader import file_sha256
from budgetopt.units import unit_key

PACKAGES = ("budgetopt", "prophet", "cmdstanpy", "pulp", "highspy", "pandas", "numpy", "pydantic")


@dataclass(frozen=True)
class Evidence:
    """What the forecasts say about themselves, for the summary: fit warnings, how the curves
    were made, the pilot limits and what they did, and how carryover was valued."""

    fit_warnings: list[str]
    curve_notes: dict
    pilot_limits: dict
    pilot_warnings: list[str]
    carryover: dict
    pwl_tolerance: float
    outcome: dict
    risk: dict
    risk_warnings: list[str]
    test_suggestions: dict | None = None      # which test to run next (opt-in)


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def input_hashes(inputs) -> dict:
    scenario, history = inputs.scenario, inputs.history
    out = {"history": {"file": str(scenario.history), "sha256": history.sha256,
                       "rows": int(len(history.frame)), "start": str(history.start.date()),
                       "end": str(history.end.date()), "freq": history.freq}}
    if scenario.source is not None:
        digest = (hashlib.sha256(scenario.raw).hexdigest() if scenario.raw is not None
                  else file_sha256(scenario.source))  # the bytes that were read, not re-read
        out["scenario"] = {"file": scenario.source.name, "sha256": digest}
    if getattr(inputs, "experiments_sha256", None):
        out["experiments"] = {"file": str(scenario.experiments),
                              "sha256": inputs.experiments_sha256,
                              "tests": len(inputs.experiments)}
    out["scenario_settings_sha256"] = _settings_hash(scenario)
    return out


WIDE_KEYS = {"history_format", "spend_columns", "controls", "control_values"}


def _settings_hash(scenario) -> str:
    # what the plan depends on: not the history's path (its bytes are hashed), nor the report's
    # language and CSV dress (report), nor an unset history_encoding, nor — for long-form
    # scenarios — the wide keys (hashes stay as they were before those keys existed)
    exclude = {"history", "report", "experiments"} | ({"history_encoding"} if scenario.history_encoding is None
                                       else set())
    if scenario.history_format == "long":
        exclude |= set(WIDE_KEYS)
    text = scenario.model_dump_json(exclude=exclude)
    return hashlib.sha256(text.encode()).hexdigest()


def extrapolation_warnings(channel_rows, risk) -> list[str]:
    """One warning per unit planned far above its historical maximum, naming the unit by its
    full key (channel/market in a market plan), so grouped warnings list units one can find."""
    out = []
    has_market = "market" in channel_rows.columns
    for row in channel_rows.itertuples():
        if row.extrapolated:
            unit = unit_key(row.channel, row.market if has_market else None)
            out.append(Msg("{unit}: planned up to {planned} in a period, more than 50% "
                           "above its historical maximum {maximum}; the curve is "
                           "extrapolated there, and the plan was chosen on {weighing} of "
                           "its plausible curves there", unit=unit,
                           planned=f"{row.plan_period_max:,.0f}",
                           maximum=f"{row.hist_period_max:,.0f}",
                           weighing=_weighing(risk)))
    return out


def build_summary(inputs, pool, tables, solution, *, unplaced: float, reshaped: list[str],
                  nonconcave: str, evidence: Evidence) -> dict:
    """The summary of a solved plan. `tables` are the plan's tables (allocation, channels,
    binding rules, budget dual, historical mix, the measure shadow prices are in)."""
    scenario = inputs.scenario
    allocation, channel_rows, hist_mix = tables.allocation, tables.channels, tables.historical_mix
    binding, measure = tables.binding, tables.measure
    budget_dual = 0.0 if abs(tables.budget_dual) < 1e-9 else float(tables.budget_dual)
    spend = float(allocation["total_spend"].sum())
    fixed = float(allocation["fixed_spend"].sum())
    dynamic = float(allocation["dynamic_spend"].sum())
    incremental = float(allocation["incremental_kpi"].sum())
    baseline = float(np.nansum(allocation["baseline_kpi"]))
    returned = max(pool.dynamic + unplaced - dynamic, 0.0)
    overspend = max(spend - (pool.fixed + pool.dynamic), 0.0)
    reserve = pool.reserve + returned
    warnings = list(evidence.fit_warnings)
    warnings += extrapolation_warnings(channel_rows, scenario.risk)
    if unplaced > 0.5:
        warnings.append(Msg("{amount} of the fixed pool could not be committed within the "
                            "channels' limits and joined the dynamic pool",
                            amount=f"{unplaced:,.0f}"))
    for unit in inputs.locked_unlearned:
        warnings.append(Msg("{unit}: never spent in history; planned at its lock with no "
                            "predicted return", unit=unit.key))
    warnings.extend(evidence.pilot_warnings)
    warnings.extend(evidence.risk_warnings)
    curves = {"source": "Prophet baseline per unit; response by profile search (saturation shape, carryover, gain)",
              "shape": "concave" if not reshaped else "not concave everywhere",
              "breakpoints": Msg("adaptive: chords within {tolerance} of the curve's value",
                                 tolerance=f"{evidence.pwl_tolerance:.2%}"),
              "concave_envelope_applied": (sorted(set(reshaped)) if nonconcave == "envelope" else []),
              "nonconcave_method": nonconcave,
              "nonconcave_units": sorted(set(reshaped)),
              "pacing_within_period": N_("even across the period's days"),
              **evidence.curve_notes}
    experiments = experiments_section(evidence.curve_notes)
    if experiments:      # the tests' report once, in its own section
        curves["units"] = {k: {n: v for n, v in u.items() if n != "lift_tests"}
                           for k, u in curves["units"].items()}
    mix_kpi = hist_mix["incremental_kpi"]
    out = {
        "scenario": {"name": scenario.name, "objective": scenario.objective,
                     "kpi": scenario.kpi, "currency": scenario.currency,
                     "horizon": {"start": str(scenario.horizon.start),
                                 "end": str(scenario.horizon.end),
                                 "period": scenario.horizon.period,
                                 "periods": int(len(inputs.periods))}},
        "status": "optimal",
        "totals": {
            "budget": pool.budget, "fixed": fixed, "dynamic": dynamic, "reserve": reserve,
            "reserve_held": pool.reserve, "returned_to_reserve": returned,
            "overspend": overspend, "spend": spend, "baseline_kpi": baseline,
            "incremental_kpi": incremental, "predicted_kpi": baseline + incremental,
            "roi": incremental / spend if spend > 0 else None,
            "net_roi": (incremental - spend) / spend if spend > 0 else None},
        "pool": {"fixed_share": scenario.budget.fixed_share,
                 "fixed_rule": scenario.budget.fixed_rule,
                 "reserve_share": scenario.budget.reserve_share,
                 "fixed_pool": pool.fixed, "dynamic_pool": pool.dynamic,
                 "fixed_unplaced": unplaced,
                 "check": N_("fixed + dynamic + reserve - overspend = budget")},
        "budget_dual": budget_dual,
        "budget_dual_explained": _budget_words(budget_dual, scenario.currency, measure),
        "objective": _objective(scenario, solution, measure),
        "channels_marginal_roi": {
            unit_key(row.channel, row.market if "market" in channel_rows.columns else None):
                float(row.marginal_roi)
            for row in channel_rows.itertuples()},
        "binding_constraints": binding,
        "historical_mix": {"incremental_kpi": mix_kpi,
                           "roi": mix_kpi / spend if spend > 0 else None,
                           "uplift_kpi": incremental - mix_kpi,
                           "uplift_pct": (incremental - mix_kpi) / mix_kpi if mix_kpi > 0 else None},
        "curves": curves,
        "solver": {"name": solution.solver, "status": solution.status,
                   "objective": solution.objective, "method": solution.method},
        "warnings": warnings,
        "versions": package_versions(),
        "inputs": input_hashes(inputs),
        "pilot_limits": evidence.pilot_limits,
        "carryover": evidence.carryover,
        "outcome": evidence.outcome,
        "risk": evidence.risk,
        "warning_groups": warning_groups(warnings),
    }
    if experiments:
        out["experiments"] = experiments
    if evidence.test_suggestions is not None:
        out["test_suggestions"] = evidence.test_suggestions
    return out


def _weighing(risk) -> str:
    return (Msg("the mean") if risk.measure == "mean"
            else Msg("the worst {share} (CVaR)", share=f"{risk.alpha:.0%}"))


def _objective(scenario, solution, measure: str) -> dict:
    """What was maximized, its value, and the unit shadow prices are measured in."""
    out = {"name": scenario.objective, "value": solution.objective,
           "in_words": objective_in_words(scenario.objective, scenario.kpi, scenario.risk,
                                          scenario.margin),
           "shadow_prices_in": f"{measure} per unit of the rule's right-hand side",
           "over_plausible_curves": (f"{_weighing(scenario.risk)} of {measure} over "
                                     f"{scenario.risk.samples} plausible curves")}
    if scenario.objective == "max_profit":
        out["margin"] = scenario.margin
    if scenario.objective == "target_roi":
        out["target_roi"] = scenario.target_roi
    return out


def _budget_words(dual: float, currency: str, measure: str) -> str:
    if dual == 0.0:
        return Msg("one more {currency} of budget adds {dual} {measure} (the budget is not what "
                   "limits the plan: unspent money returns to the reserve)", currency=currency,
                   dual=f"{dual:,.4f}", measure=Msg.word(measure))
    return Msg("one more {currency} of budget adds {dual} {measure}", currency=currency,
               dual=f"{dual:,.4f}", measure=Msg.word(measure))
