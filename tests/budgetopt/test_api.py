"""The Python API for planning scripts, and the quarterly planning example that uses it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import budgetopt


def test_every_api_name_resolves_to_a_documented_object():
    for name in budgetopt.__all__:
        value = getattr(budgetopt, name)
        assert value is not None and (name == "__version__" or value.__doc__), name
    assert budgetopt.compare.__name__ == "compare_runs"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        budgetopt.nope  # noqa: B018


def test_importing_the_package_loads_neither_prophet_nor_pulp(root):
    code = ("import sys, budgetopt; budgetopt.InputError; "
            "print('prophet' in sys.modules, 'pulp' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=root).stdout
    assert out.strip() == "False False"


def test_a_scenario_built_in_code_is_validated_like_a_file():
    scenario = budgetopt.scenario_from_dict({
        "name": "built in code", "history": "data/history.csv",
        "horizon": {"start": "2026-10-01", "end": "2026-12-31"},
        "budget": {"total": 1_000_000.0},
        "shocks": [{"name": "rival", "channels": ["kol"], "demand_change": -0.2}]})
    assert scenario.shocks[0] == budgetopt.Shock(name="rival", channels=["kol"],
                                                 demand_change=-0.2)
    with pytest.raises(budgetopt.InputError, match="unknown key 'budgt'"):
        budgetopt.scenario_from_dict({"name": "x", "budgt": {}})


@pytest.mark.slow
def test_quarterly_plan_script_plans_four_quarters_into_one_workbook(scenarios_dir, tmp_path):
    out = tmp_path / "year.xlsx"
    run = subprocess.run([sys.executable, str(scenarios_dir / "quarterly_plan.py"),
                          "--out", str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert f"Wrote {out}" in run.stdout
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["year", "2026-Q4 channels", "2027-Q1 channels", "2027-Q2 channels",
                            "2027-Q3 channels", "allocation"]
    year = sheets["year"].set_index("quarter")
    budgets = {"2026-Q4": 14e6, "2027-Q1": 10e6, "2027-Q2": 13e6, "2027-Q3": 11e6}
    for quarter, budget in budgets.items():
        assert year.loc[quarter, "spend"] == pytest.approx(budget, abs=1.0)
        assert year.loc[quarter, "fixed"] == pytest.approx(0.6 * budget, abs=1.0)
        channels = sheets[f"{quarter} channels"]
        assert channels["total_spend"].sum() == pytest.approx(budget, abs=1.0)
        assert channels.set_index("channel").loc["content_seo", "total_spend"] <= 1e6 + 1
    assert year.loc["year", "spend"] == pytest.approx(sum(budgets.values()), abs=4.0)
    allocation = sheets["allocation"]
    assert allocation.groupby("quarter")["total_spend"].sum().to_dict() == pytest.approx(budgets,
                                                                                         abs=1.0)
    # 13 weeks a quarter, 8 channels
    assert allocation.groupby("quarter").size().tolist() == [104, 104, 104, 104]
    assert year.loc["year", "incremental_kpi"] == pytest.approx(
        allocation["incremental_kpi"].sum(), rel=1e-9)


def test_the_type_checking_imports_name_exactly_the_lazy_api():
    """Editors see the TYPE_CHECKING imports, scripts get `_API`: both must list the same
    names from the same modules."""
    import ast
    tree = ast.parse(Path(budgetopt.__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If)
                 and getattr(n.test, "id", None) == "TYPE_CHECKING")
    seen = {}
    for node in block.body:
        for alias in node.names:
            name = alias.asname or alias.name
            if node.module == "budgetopt":          # from budgetopt import datasets
                seen[name] = f"budgetopt.{alias.name}:"
            else:
                seen[name] = node.module + ("" if alias.asname is None else f":{alias.name}")
    assert seen == budgetopt._API
