"""The batched gain solver against scipy's bounded scalar search, one candidate at a time."""
import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from budgetopt.forecasts.models.gain import GainSolver

CAP = 20.0


def _problem(seed: int, k: int = 40, n: int = 400, p: int = 12):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(n, p)))
    drive = rng.uniform(0.0, 1.0, n)
    powers = rng.uniform(0.3, 3.0, k)
    scales = rng.uniform(0.01, 3.0, k)
    eff = np.clip(drive[None, :] ** powers[:, None] + rng.normal(0, 0.1, (k, n)), 0, None)
    eff *= scales[:, None]
    target = np.log1p(0.4 * drive) + q[:, :3] @ rng.normal(0, 0.3, 3) + rng.normal(0, 0.05, n)
    return q, target - target.mean(), eff


def _sse(q, z):
    return max(float(z @ z - (z @ q) @ (z @ q)), 0.0)


def _reference(q, target, row, multiplicative):
    """One row by scipy: bounded Brent on the log form, the projected slope on the additive."""
    null = _sse(q, target)
    if not multiplicative:
        resid = row - q @ (q.T @ row)
        g = max(float(resid @ target) / float(resid @ resid), 0.0)
        return g, _sse(q, target - g * row)
    res = minimize_scalar(lambda g: _sse(q, target - np.log1p(g * row)), bounds=(0.0, CAP),
                          method="bounded", options={"xatol": 1e-10})
    return (float(res.x), float(res.fun)) if res.fun < null else (0.0, null)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_multiplicative_gains_match_a_scalar_search_per_row(seed):
    q, target, eff = _problem(seed)
    gains, sses = GainSolver(q, target, True, CAP).solve(eff)
    ref = np.array([_reference(q, target, row, True) for row in eff])
    assert np.any(ref[:, 0] > 0.05)                       # the problem has real gains
    np.testing.assert_allclose(sses, ref[:, 1], rtol=1e-9)
    np.testing.assert_allclose(gains, ref[:, 0], rtol=1e-4, atol=1e-6)


def test_additive_gain_is_the_projected_least_squares_slope():
    q, target, eff = _problem(3)
    gains, sses = GainSolver(q, target, False, None).solve(eff)
    ref = np.array([_reference(q, target, row, False) for row in eff])
    np.testing.assert_allclose(gains, ref[:, 0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sses, ref[:, 1], rtol=1e-9)


def test_gain_stops_at_its_cap_and_at_zero():
    q, target, eff = _problem(4, k=3)
    tiny = eff[0] * 1e-4               # needs a gain far above the cap
    against = -eff[1]                  # lowers the fit for any positive gain ...
    against = np.abs(against) * (np.sign(target) < 0)   # ... spend only where the KPI is low
    gains, sses = GainSolver(q, target, True, CAP).solve(np.vstack([tiny, against]))
    assert gains[0] == CAP
    assert sses[0] == pytest.approx(_sse(q, target - np.log1p(CAP * tiny)), rel=1e-12)
    ref_zero = _reference(q, target, against, True)
    assert gains[1] == ref_zero[0] == 0.0
    assert sses[1] == pytest.approx(_sse(q, target), rel=1e-12)


def test_a_warm_start_finds_the_same_minimum():
    q, target, eff = _problem(5, k=5)
    solver = GainSolver(q, target, True, CAP)
    for row in eff:
        cold = solver.solve_one(row)
        warm = solver.solve_one(row, start=cold[0] * 1.3 + 0.01)
        assert warm[1] == pytest.approx(cold[1], rel=1e-10)
        assert warm[0] == pytest.approx(cold[0], rel=1e-5, abs=1e-7)
