"""Synthetic e-commerce worlds with known truth, in the spirit of scikit-learn's dataset
generators: make a world of a family and seed, take its history and a scenario for it, plan,
and ask the world what the plan is truly worth.

    from budgetopt import datasets
    world = datasets.family_world("carryover", seed=3)
    path = datasets.write_scenario(world, "q1", "2026-01-01", "2026-03-31")
    result = budgetopt.plan(path)
    datasets.plan_value(world, result.allocation)     # true incremental KPI of the plan

See docs/datasets.md for the truth model and the families.
"""
from budgetopt.datasets.demo import DEMO_CHANNELS, DEMO_HISTORY_PATH, demo_world, write_history
from budgetopt.datasets.evaluate import (plan_value, same_window_spend, starting_adstock,
                                         tail_days, true_curves, unit_values, write_scenario)
from budgetopt.datasets.families import FAMILIES, family_world
from budgetopt.datasets.generate import draw_channel, make_world, noise_free, world_from_truths
from budgetopt.datasets.lift_tests import simulated_lift_test, write_experiments
from budgetopt.datasets.markets import THIN_KINDS, market_kinds, market_world
from budgetopt.datasets.mixed import mixed_noise, mixed_wide_world, mixed_world
from budgetopt.datasets.truth import SHAPES, ChannelTruth, saturation
from budgetopt.datasets.wide import (WIDE_FAMILIES, WideWorld, make_wide_world, wide_family_world,
                                     wide_from_world, write_attributed_history,
                                     write_wide_history)
from budgetopt.datasets.worlds import World

__all__ = [
    "ChannelTruth", "World", "SHAPES", "FAMILIES", "DEMO_CHANNELS", "DEMO_HISTORY_PATH",
    "saturation", "draw_channel", "make_world", "world_from_truths", "family_world",
    "demo_world", "write_history", "write_scenario", "plan_value", "unit_values",
    "true_curves", "tail_days", "same_window_spend", "starting_adstock",
    "WideWorld", "WIDE_FAMILIES", "make_wide_world", "wide_from_world", "wide_family_world", "write_wide_history",
    "write_attributed_history", "mixed_world", "mixed_wide_world", "mixed_noise", "noise_free",
    "simulated_lift_test", "write_experiments",
    "market_world", "market_kinds", "THIN_KINDS",
]
