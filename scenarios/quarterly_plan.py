"""Plan the four quarters of a year with the Python API and write one workbook.

    python scenarios/quarterly_plan.py --out quarterly_plan.xlsx

The forecasts are fitted once, for a horizon covering the whole year (so every quarter's
promotions are in the models), and each quarter is planned on them with its own budget. The
scenarios are built in code from the demo scenario; copy this file and change QUARTERS, BASE or
the rules to plan your own year.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import yaml

import budgetopt
from budgetopt.optimizer.scenario.loader import ScenarioLoader

BASE = Path(__file__).resolve().with_name("demo.yaml")
QUARTERS = [  # label, first day, last day, budget
    ("2026-Q4", "2026-10-01", "2026-12-31", 14_000_000),
    ("2027-Q1", "2027-01-01", "2027-03-31", 10_000_000),
    ("2027-Q2", "2027-04-01", "2027-06-30", 13_000_000),
    ("2027-Q3", "2027-07-01", "2027-09-30", 11_000_000),
]


def quarter_scenarios(base: Path = BASE, quarters=QUARTERS) -> tuple[dict, list]:
    """The year's scenario (for fitting) and one scenario per quarter, built from `base`."""
    data = yaml.load(base.read_text(encoding="utf-8"), Loader=ScenarioLoader)
    year = budgetopt.scenario_from_dict(
        {**data, "name": f"{quarters[0][0]} to {quarters[-1][0]}",
         "horizon": {"start": quarters[0][1], "end": quarters[-1][2], "period": "week"}},
        source=base)
    plans = [budgetopt.scenario_from_dict(
        {**data, "name": f"{label} plan",
         "horizon": {"start": start, "end": end, "period": "week"},
         "budget": {**data["budget"], "total": budget}}, source=base)
        for label, start, end, budget in quarters]
    return year, plans


def plan_year(base: Path = BASE, quarters=QUARTERS) -> dict[str, pd.DataFrame]:
    """Plan every quarter on one fit; the workbook's sheets (name → table)."""
    year, plans = quarter_scenarios(base, quarters)
    year_inputs = budgetopt.load_inputs(year)
    forecaster = budgetopt.fit_forecasts(year_inputs)
    rows, allocations, sheets = [], [], {}
    for (label, *_), scenario in zip(quarters, plans):
        inputs = budgetopt.check_inputs(scenario, year_inputs.history)
        result = budgetopt.plan_with(inputs, budgetopt.curve_set(inputs, forecaster))
        t = result.totals
        rows.append({"quarter": label, "budget": t["budget"], "fixed": t["fixed"],
                     "dynamic": t["dynamic"], "reserve": t["reserve"], "spend": t["spend"],
                     "incremental_kpi": t["incremental_kpi"],
                     "predicted_kpi": t["predicted_kpi"], "roi": t["roi"],
                     "budget_dual": result.summary["budget_dual"]})
        sheets[f"{label} channels"] = result.channels
        allocations.append(result.allocation.assign(quarter=label))
    year_sheet = pd.DataFrame(rows)
    total = {"quarter": "year", **{k: year_sheet[k].sum() for k in
                                   ("budget", "fixed", "dynamic", "reserve", "spend",
                                    "incremental_kpi", "predicted_kpi")}}
    total["roi"] = total["incremental_kpi"] / total["spend"]
    year_sheet = pd.concat([year_sheet, pd.DataFrame([total])], ignore_index=True)
    allocation = pd.concat(allocations, ignore_index=True)
    allocation = allocation[["quarter", *[c for c in allocation.columns if c != "quarter"]]]
    return {"year": year_sheet, **sheets, "allocation": allocation}


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="quarterly_plan.xlsx", help="workbook to write")
    args = parser.parse_args(argv)
    sheets = plan_year()
    path = budgetopt.write_workbook(args.out, sheets,
                                    percent_columns=lambda sheet, col: col == "share")
    print(sheets["year"].to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    print(f"Wrote {path}")
    return path


if __name__ == "__main__":
    main()
