"""summary.json: everything needed to read and reproduce a plan, and nothing that changes
between reruns (no timestamps, no timings, no absolute paths)."""
from __future__ import annotations

import platform
from importlib import metadata

import numpy as np

from forecasts.curves import BREAKPOINTS
from optimizer.scenario import file_sha256

PACKAGES = ("budgetopt", "prophet", "cmdstanpy", "pulp", "highspy", "pandas", "numpy", "pydantic")


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
        out["scenario"] = {"file": scenario.source.name, "sha256": file_sha256(scenario.source)}
    out["scenario_settings_sha256"] = _settings_hash(scenario)
    return out


def _settings_hash(scenario) -> str:
    import hashlib
    text = scenario.model_dump_json(exclude={"history"})
    return hashlib.sha256(text.encode()).hexdigest()


def build_summary(inputs, pool, allocation, binding, budget_dual, solution, hist_mix,
                  unplaced, reshaped, fit_warnings, channel_rows) -> dict:
    scenario = inputs.scenario
    spend = float(allocation["total_spend"].sum())
    fixed = float(allocation["fixed_spend"].sum())
    dynamic = float(allocation["dynamic_spend"].sum())
    incremental = float(allocation["incremental_kpi"].sum())
    baseline = float(np.nansum(allocation["baseline_kpi"]))
    returned = max(pool.dynamic + unplaced - dynamic, 0.0)
    overspend = max(spend - (pool.fixed + pool.dynamic), 0.0)
    reserve = pool.reserve + returned
    warnings = list(fit_warnings)
    for row in channel_rows.itertuples():
        if row.extrapolated:
            warnings.append(f"{row.channel}: planned up to {row.plan_period_max:,.0f} in a period, "
                            f"more than 50% above its historical maximum "
                            f"{row.hist_period_max:,.0f}; the curve is extrapolated there")
    if unplaced > 0.5:
        warnings.append(f"{unplaced:,.0f} of the fixed pool could not be committed within the "
                        "channels' limits and joined the dynamic pool")
    for unit in inputs.locked_unlearned:
        warnings.append(f"{unit.key}: never spent in history; planned at its lock with no "
                        "predicted return")
    mix_kpi = hist_mix["incremental_kpi"]
    return {
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
                 "check": "fixed + dynamic + reserve - overspend = budget"},
        "budget_dual": budget_dual,
        "budget_dual_explained": (f"one more {scenario.currency} of budget adds "
                                  f"{budget_dual:,.4f} {scenario.kpi}"),
        "binding_constraints": binding,
        "historical_mix": {"incremental_kpi": mix_kpi,
                           "roi": mix_kpi / spend if spend > 0 else None,
                           "uplift_kpi": incremental - mix_kpi,
                           "uplift_pct": (incremental - mix_kpi) / mix_kpi if mix_kpi > 0 else None},
        "curves": {"source": "Prophet per unit",
                   "shape": "concave", "breakpoints_per_curve": BREAKPOINTS + 1,
                   "concave_envelope_applied": sorted(set(reshaped)),
                   "pacing_within_period": "even across the period's days"},
        "solver": {"name": solution.solver, "status": solution.status,
                   "objective": solution.objective},
        "warnings": warnings,
        "versions": package_versions(),
        "inputs": input_hashes(inputs),
    }
