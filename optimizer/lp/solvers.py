"""The two solvers the plan can use, HiGHS (default, via highspy) and CBC, behind one face."""
from __future__ import annotations

import pulp

from budgetopt.messages import Msg
from budgetopt.errors import InputError, PlanError
from budgetopt.optimizer.lp.bulk import BulkHiGHS

SOLVER_NAMES = ("highs", "cbc")


def make_solver(name: str, time_limit_s: float | None = None, *,
                mip: bool = False) -> pulp.LpSolver:
    """A PuLP solver object for `name`; a clear error when it is unknown or not installed."""
    if name not in SOLVER_NAMES:
        raise InputError("E0606", name=name, names=", ".join(SOLVER_NAMES), where="solver")
    if name == "highs":
        # Every segment of a curve is the same column in the budget and rule rows, and HiGHS's
        # presolve spends quadratic time looking for such parallel columns (30 s at 50 × 52);
        # the LP itself solves in a few simplex iterations without it.
        options = {} if mip else {"presolve": "off", "solver": "ipm"}
        solver = BulkHiGHS(msg=False, timeLimit=time_limit_s, threads=1, **options)
    else:
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s, threads=1)
    if not solver.available():
        other = next(n for n in SOLVER_NAMES if n != name)
        raise PlanError("E0607", name=name, other=other, where="solver")
    return solver


def dual_sign(name: str) -> float:
    """Factor turning the solver's row duals into d(objective)/d(right-hand side) for a
    maximization: HiGHS reports them for the minimized negation, CBC as they are."""
    return -1.0 if name == "highs" else 1.0


def stopped_early(prob: pulp.LpProblem) -> bool:
    """The solver gave up (time or iteration limit) before proving its point optimal. PuLP
    reports such a stop as "Optimal" with an unproven solution, and for an LP that point need
    not even satisfy the rules, so it must never be read as a plan."""
    return (prob.status == pulp.LpStatusOptimal
            and prob.sol_status != pulp.LpSolutionOptimal)


def time_limit_error(name: str, time_limit_s: float | None) -> PlanError:
    other = next(n for n in SOLVER_NAMES if n != name)
    limit = Msg(" of {seconds} s", seconds=f"{time_limit_s:g}") if time_limit_s is not None else ""
    return PlanError("E0608", name=name, limit=limit, other=other, where="solver.time_limit_s")
