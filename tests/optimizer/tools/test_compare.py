"""compare: runs side by side, deltas against the first run, settings that differ, and the
tolerance verdict — on hand-written run directories and on real runs."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from budgetopt.errors import InputError
from budgetopt.optimizer.tools.compare import compare_runs, wide_channels


def fake_run(path: Path, spends: dict[str, list[float]], kpi_per_spend: dict[str, float],
             solver: str = "highs", budget: float | None = None) -> Path:
    """A run directory with the columns `budgetopt run` writes, from per-period spends."""
    path.mkdir(parents=True)
    starts = ["2026-10-01", "2026-10-08"]
    rows = [{"channel": c, "period_start": starts[i], "period_end": starts[i],
             "fixed_spend": s / 2, "dynamic_spend": s / 2, "total_spend": s,
             "baseline_kpi": 100.0, "incremental_kpi": s * kpi_per_spend[c],
             "roi": kpi_per_spend[c], "marginal_roi": kpi_per_spend[c] / 2}
            for c, periods in spends.items() for i, s in enumerate(periods)]
    alloc = pd.DataFrame(rows)
    alloc.to_csv(path / "allocation.csv", index=False)
    ch = alloc.groupby("channel")[["total_spend", "incremental_kpi"]].sum().reset_index()
    total = ch["total_spend"].sum()
    ch["share"] = ch["total_spend"] / total
    ch["roi"] = ch["incremental_kpi"] / ch["total_spend"]
    ch["marginal_roi"] = ch["channel"].map(kpi_per_spend) / 2
    ch.to_csv(path / "channels.csv", index=False)
    summary = {"scenario": {"name": "q4", "objective": "max_revenue", "kpi": "revenue",
                            "currency": "CNY", "horizon": {"start": "2026-10-01",
                                                           "end": "2026-10-14",
                                                           "period": "week"}},
               "status": "optimal", "solver": {"name": solver},
               "totals": {"budget": budget or total, "spend": total,
                          "incremental_kpi": float(ch["incremental_kpi"].sum()),
                          "roi": float(ch["incremental_kpi"].sum() / total)},
               "budget_dual": 1.5, "binding_constraints": [],
               "inputs": {"history": {"sha256": "abc"}}}
    (path / "summary.json").write_text(json.dumps(summary))
    return path


@pytest.fixture
def runs(tmp_path):
    a = fake_run(tmp_path / "a", {"search": [100.0, 100.0], "=social": [50.0, 50.0]},
                 {"search": 3.0, "=social": 5.0})
    b = fake_run(tmp_path / "b", {"search": [100.0, 130.0], "=social": [50.0, 20.0]},
                 {"search": 3.0, "=social": 5.0}, solver="cbc")
    return a, b


def test_deltas_and_changes_are_against_the_first_run(runs):
    comparison = compare_runs(list(runs))
    ch = comparison.channels.set_index(["channel", "metric", "run"])
    assert ch.loc[("search", "total_spend", "b"), "value"] == pytest.approx(230.0)
    assert ch.loc[("search", "total_spend", "b"), "delta"] == pytest.approx(30.0)
    assert ch.loc[("search", "total_spend", "b"), "change"] == pytest.approx(30.0 / 200.0)
    assert ch.loc[("=social", "incremental_kpi", "b"), "delta"] == pytest.approx(-150.0)
    assert ch.loc[("search", "total_spend", "a"), "delta"] == 0.0
    totals = comparison.totals.set_index(["metric", "run"])
    assert totals.loc[("spend", "b"), "value"] == pytest.approx(300.0)
    assert totals.loc[("incremental_kpi", "b"), "delta"] == pytest.approx(3 * 30 - 5 * 30)
    settings = comparison.settings.set_index("setting")
    assert settings.loc["solver", "differs"] and settings.loc["solver", "b"] == "cbc"
    assert not settings.loc["history_sha256", "differs"]
    wide = wide_channels(comparison).set_index(["channel", "metric"])
    assert wide.loc[("search", "total_spend"), "Δ% b"] == pytest.approx(0.15)


def test_tolerance_is_the_largest_cell_difference_over_base_spend(runs):
    comparison = compare_runs(list(runs))
    # cells differ by 30 (search and =social in the second period); base spend is 300
    assert comparison.largest["amount"] == pytest.approx(30.0)
    assert comparison.largest["share"] == pytest.approx(0.1)
    assert comparison.within(0.1) and not comparison.within(0.099)


def test_cli_exit_code_follows_the_tolerance_and_outputs_are_neutralized(cli, runs, tmp_path,
                                                                         capsys):
    a, b = runs
    assert cli("compare", a, b, "--tolerance", "0.2", "--out", tmp_path / "c") == 0
    capsys.readouterr()
    assert cli("compare", a, b, "--tolerance", "0.05", "-q") == 1
    err = capsys.readouterr().err
    assert "beyond the tolerance 5.0000%" in err and err.count("\n") == 1
    out = tmp_path / "c"
    assert sorted(p.name for p in out.iterdir()) == [
        "allocation.csv", "channels.csv", "comparison.json", "comparison.xlsx",
        "settings.csv", "totals.csv"]
    assert "'=social" in (out / "channels.csv").read_text()
    verdict = json.loads((out / "comparison.json").read_text())
    assert verdict["within_tolerance"] is True and verdict["settings_that_differ"] == ["solver"]
    with zipfile.ZipFile(out / "comparison.xlsx") as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        assert "&apos;=social" in strings or "'=social" in strings
        assert not any("<f>" in book.read(n).decode() for n in book.namelist()
                       if n.startswith("xl/worksheets/"))


def test_bad_run_directories_are_one_line_errors(cli, runs, tmp_path, capsys):
    a, _ = runs
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="summary.json missing"):
        compare_runs([a, tmp_path / "empty"])
    with pytest.raises(InputError, match="at least two"):
        compare_runs([a])
    assert cli("compare", a, tmp_path / "nowhere") == 2
    err = capsys.readouterr().err
    assert "not found" in err and "Traceback" not in err


def test_same_directory_twice_gets_distinct_labels(runs):
    a, _ = runs
    comparison = compare_runs([a, a])
    assert comparison.labels == ["a#1", "a#2"] and comparison.largest["amount"] == 0.0


@pytest.mark.slow
def test_real_runs_with_highs_and_cbc_agree_and_a_bigger_budget_does_not(cli, demo_fit, tmp_path,
                                                                        capsys):
    from budgetopt.optimizer.tools.frontier import with_budget
    from budgetopt.optimizer.results.outputs import write_outputs
    from budgetopt.optimizer.plan.pipeline import plan_with
    import dataclasses

    inputs, fitted_curves = demo_fit
    highs = write_outputs(plan_with(inputs, fitted_curves, solver="highs"), tmp_path / "highs")
    cbc = write_outputs(plan_with(inputs, fitted_curves, solver="cbc"), tmp_path / "cbc")
    bigger = dataclasses.replace(inputs, scenario=with_budget(inputs.scenario, 15_000_000))
    more = write_outputs(plan_with(bigger, fitted_curves), tmp_path / "more")
    # the risk-measure objective has near-ties between plans, so the solvers agree on it but
    # may pick allocations a fraction of a percent apart; a bigger budget moves them by far more
    assert cli("compare", highs, cbc, "--tolerance", "0.01") == 0
    out = capsys.readouterr().out
    assert "Differs: solver: highs = highs, cbc = cbc" in out and "short_video" in out
    assert cli("compare", highs, more, "--tolerance", "0.01", "--out", tmp_path / "cmp") == 1
    comparison = compare_runs([highs, more])
    settings = comparison.settings.set_index("setting")
    assert settings.loc["budget", "differs"] and settings.loc["scenario_settings_sha256", "differs"]
    totals = comparison.totals.set_index(["metric", "run"])
    assert totals.loc[("spend", "more"), "delta"] == pytest.approx(1_000_000, abs=1)
    base = pd.read_csv(highs / "channels.csv").set_index("channel")["total_spend"]
    other = pd.read_csv(more / "channels.csv").set_index("channel")["total_spend"]
    rows = comparison.channels.set_index(["channel", "metric", "run"])
    for channel in base.index:
        assert rows.loc[(channel, "total_spend", "more"), "delta"] == pytest.approx(
            other[channel] - base[channel], abs=0.01)
