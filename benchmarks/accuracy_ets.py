"""statsforecast AutoETS for `benchmarks/accuracy.py`, run as a script.

statsforecast needs pandas < 3, which the project's environment does not
have, so `accuracy.py` runs this file with the Python of another
environment (`--peer-python`, e.g. `/tmp/venv-bench/bin/python` with
`pip install statsforecast`). It reads a CSV of `unique_id, ds, y` (every
row up to the end of the test period), fits one AutoETS per series on the
rows before the first test origin, and forecasts every test origin with
those parameters (`cross_validation(refit=False)`: states are updated with
the data up to each origin, parameters are not re-estimated). It writes
`unique_id, ds, cutoff, mean, lo, hi` (the 80% interval) to the output CSV.

Usage:
    python accuracy_ets.py IN.csv OUT.csv --horizon 14 --windows 352 --season 7
"""

from __future__ import annotations

import argparse
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("out")
    parser.add_argument("--horizon", type=int, required=True)
    parser.add_argument("--windows", type=int, required=True)
    parser.add_argument("--season", type=int, required=True)
    args = parser.parse_args()
    try:
        import pandas as pd
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS
    except ImportError as error:
        raise SystemExit(
            f"accuracy_ets.py needs statsforecast ({error}): pip install statsforecast"
        ) from error
    frame = pd.read_csv(args.data, parse_dates=["ds"])
    started = time.perf_counter()
    forecaster = StatsForecast(
        models=[AutoETS(season_length=args.season)], freq="D", n_jobs=1
    )
    result = forecaster.cross_validation(
        df=frame,
        h=args.horizon,
        n_windows=args.windows,
        step_size=1,
        refit=False,
        level=[80],
    )
    result = result.reset_index() if "unique_id" not in result.columns else result
    result = result.rename(
        columns={"AutoETS": "mean", "AutoETS-lo-80": "lo", "AutoETS-hi-80": "hi"}
    )
    result[["unique_id", "ds", "cutoff", "mean", "lo", "hi"]].to_csv(
        args.out, index=False
    )
    print(f"seconds {time.perf_counter() - started:.1f}")


if __name__ == "__main__":
    main()
