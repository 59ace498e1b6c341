"""Fit cost per unit on one core: the demo's 8 units (three years of daily history) fitted
one after another in this process, with the time split into the response profile search,
Prophet's fit (of which writing its Stan data) and the internal holdouts."""
from __future__ import annotations

import argparse
import os
import statistics
import time

from benchmarks.record import write_section


def measure(repeats: int) -> dict:
    import cmdstanpy.utils.filesystem as stanfs
    import prophet

    from budgetopt import fit_forecasts, load_inputs, load_scenario
    from budgetopt.forecasts.models import fit as fitting
    from budgetopt.optimizer.cli.main import demo_scenario_path

    parts: dict[str, float] = {}

    def timed(name, func):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                parts[name] = parts.get(name, 0.0) + time.perf_counter() - start
        return wrapper
    fitting.profile_response = timed("profile search", fitting.profile_response)
    fitting.holdout_errors = timed("internal holdouts", fitting.holdout_errors)
    prophet.Prophet.fit = timed("Prophet fit", prophet.Prophet.fit)
    stanfs.write_stan_json = timed("of which Stan data written", stanfs.write_stan_json)
    inputs = load_inputs(load_scenario(demo_scenario_path()))
    units = inputs.units

    def fit_all():
        return fit_forecasts(inputs, n_jobs=1)       # one job: fits run in this process
    fit_all()                                    # imports and Stan model load
    times = []
    parts.clear()
    for _ in range(repeats):
        start = time.perf_counter()
        fit_all()
        times.append(time.perf_counter() - start)
    n = len(units) * repeats
    return {"per_unit": statistics.median(times) / len(units),
            "parts": {k: v / n for k, v in parts.items()}, "units": len(units)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--label", default="this version")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    result = measure(args.repeats)
    rows = [f"| fit per unit, total | {result['per_unit']:.2f} s |"]
    rows += [f"| {name} | {value:.2f} s |" for name, value in result["parts"].items()]
    body = (f"{args.label}: demo data ({result['units']} units × 1,096 days), one core, median "
            f"of {args.repeats} rounds. Load average {load:.1f} on 2 cores when it started.\n\n"
            "| part | time |\n|---|---|\n" + "\n".join(rows))
    if not args.no_record:
        write_section("fit_speed", "Fit cost per unit (one core)", body,
                      f"python -m benchmarks.fit_speed --repeats {args.repeats}")
    print(body)


if __name__ == "__main__":
    main()
