"""The plan's risk stage: the plausible curve set, the risk terms the LP adds (measure and
guard), and the plan's outcome as a distribution over the plausible curves."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from budgetopt.messages import Msg, N_
from budgetopt.optimizer.lp.risk import RiskTerms, SampleCurves
from budgetopt.optimizer.results.outcome import outcome_summary
from budgetopt.optimizer.rules.guard import HistoryGuard

GUARDED_OBJECTIVES = ("max_revenue",)   # the guard compares at the same spend: a fixed budget


@dataclass
class RiskStage:
    """`curves`: the plausible sample curves (the outcome and plausible_curves.csv are valued
    on them); `terms`: what the LP adds, on the same curves as candidates × multipliers when
    the curve set says how its samples were made."""

    curves: SampleCurves
    terms: RiskTerms
    info: dict


def mix_spend(ref: dict, keys, total: float) -> dict:
    """Spend per unit × period laid out as the historical mix, scaled to `total`."""
    ref_total = sum(ref.get(k, 0.0) for k in keys)
    if ref_total <= 0:
        return {}
    return {k: ref.get(k, 0.0) * total / ref_total for k in keys}


def risk_stage(scenario, sample_table: pd.DataFrame | None, ref: dict, keys,
               spendable: float, factors: tuple[pd.DataFrame, pd.DataFrame] | None = None
               ) -> RiskStage:
    """The risk terms for the LP: the measure it maximizes over the plausible curves (every
    unit × period's curve under `risk.samples` plausible responses, on the breakpoints of the
    curve table the LP is built on) and, for a fixed budget, the guard against the historical
    mix at the spendable budget. The samples come as a table of sample curves or, with fewer
    terms and far less memory, as `factors` (candidate curves, draws:
    `CurveSet.sample_factors`); the LP, the outcome and plausible_curves.csv then all read
    the factored form."""
    risk = scenario.risk
    samples = (SampleCurves(sample_table) if factors is None else
               SampleCurves(candidates=factors[0], draws=factors[1]))
    guard = risk.guard == "history" and scenario.objective in GUARDED_OBJECTIVES
    mix = mix_spend(ref, keys, spendable)
    history = samples.values(mix) if guard and mix else None
    info = {"measure": risk.measure, "alpha": risk.alpha, "samples": risk.samples,
            "guard": risk.guard,
            "guard_status": (N_("applied") if history is not None else
                             N_("off") if risk.guard == "off" else
                             N_("not applied: the objective does not spend a fixed budget")
                             if not guard else N_("not applied: no historical mix"))}
    return RiskStage(samples, RiskTerms(samples, risk.measure, risk.alpha, history,
                                                guard_rule=HistoryGuard.over), info)


def drop_guard(stage: RiskStage) -> RiskStage:
    """The same stage without the guard (when it cannot hold with the scenario's rules)."""
    terms = stage.terms.unguarded()
    info = dict(stage.info, guard_status=N_("dropped: it cannot hold together with the "
                                            "scenario's rules"))
    return RiskStage(stage.curves, terms, info)


def plan_outcome(stage: RiskStage, spend: dict, ref: dict, baseline: float) -> dict:
    """The plan's incremental KPI, ROI and uplift over the historical mix at the same spend,
    as distributions over the plausible curves."""
    total = float(sum(spend.values()))
    values = stage.curves.values(spend)
    mix = mix_spend(ref, list(spend), total)
    history = stage.curves.values(mix) if mix else np.zeros_like(values)
    return outcome_summary(values, history, total, baseline, stage.info)


def guard_warning(info: dict) -> list[str]:
    if info.get("guard_status", "").startswith("dropped"):
        return [Msg("the history guard (the worst {share} of plausible outcomes beat the "
                    "historical mix) cannot hold with the scenario's rules and was dropped; the "
                    "plan maximizes its risk measure without it", share=f"{info['alpha']:.0%}")]
    return []
