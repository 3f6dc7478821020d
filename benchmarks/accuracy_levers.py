"""One lever of docs/accuracy.md's ablation: fit, backtest and score in-process.

It runs the recipe of `base-attentive train` (`Forecaster.fit` on the rows
before the test period, `backtest` + `evaluate` on it) with some
`Forecaster` arguments changed, by default on the development protocol of
`benchmarks/accuracy.py --development` (the year before the test year is
scored; the test year is never read), once per seed, and prints one JSON
line per run: the validation loss curve, the scores of each seed and of the
mean of the seeds' quantile forecasts (an ensemble measured offline), and
the MAE by kind of day.

Usage (one backend per process, `KERAS_BACKEND`):
    python benchmarks/accuracy_levers.py --name base --epochs 30
    python benchmarks/accuracy_levers.py --name cosine --seeds 0,1,2 \\
        --set '{"training": {"schedule": "cosine"}}'

`--set` is a JSON dict of `Forecaster` arguments; the dicts `model` and
`training` are merged into the defaults, the rest replaces them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def forecaster_config(table, extra, changes):
    """`(arguments, settings)`: the default run's Forecaster arguments with
    `changes` applied."""
    from accuracy import _settings
    from base_attentive.commands.tables import forecaster_arguments

    settings = _settings(table, extra)
    arguments = forecaster_arguments(settings)
    for key, value in changes.items():
        if key in ("model", "training"):
            arguments[key] = {**arguments[key], **value}
        else:
            arguments[key] = value
    return arguments, settings


def run(args):
    from accuracy import development_options
    from base_attentive.commands.runtime import prepare_process

    prepare_process()
    import keras

    from base_attentive.commands.tables import load_frame
    from base_attentive.commands.train import split_test
    from base_attentive.forecaster import Forecaster

    extra = list(args.extra)
    if not args.test_year:
        extra = development_options(args.table, extra) + extra
    changes = json.loads(args.set) if args.set else {}
    arguments, settings = forecaster_config(args.table, extra, changes)
    frame, _ = load_frame(settings)
    history, validation_start, test_origin, _ = split_test(frame, settings)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    members, results = [], []
    for seed in [int(s) for s in args.seeds.split(",")]:
        started = time.perf_counter()
        forecaster = Forecaster(**{**arguments, "seed": seed})
        forecaster.fit(
            history,
            validation=str(validation_start),
            epochs=args.epochs,
            time_limit=args.time_limit,
            verbose=2 if args.verbose else 0,
        )
        result = forecaster.backtest(frame, start=test_origin)
        table = forecaster.evaluate(result)
        member = _quantile_cube(forecaster, result)
        members.append(member)
        np.save(out / f"{args.name}-seed{seed}.npy", member)
        results.append(
            {
                "seed": seed,
                "scores": _overall(table),
                "val_loss": forecaster.history_["val_loss"],
                "loss": forecaster.history_["loss"],
                "training": {
                    k: v
                    for k, v in forecaster.training_.items()
                    if k not in ("settings",)
                },
                "parameters": int(forecaster.model_.count_params()),
                "seconds": time.perf_counter() - started,
            }
        )
        print(json.dumps({"name": args.name, **results[-1]}), flush=True)
    ensemble = np.sort(np.mean(members, axis=0), axis=-1)  # (N, H, Q)
    ensemble_scores = _score_cube(forecaster, result, ensemble)
    groups = _groups(
        pd.DatetimeIndex(result[forecaster.time_col]),
        result["actual"].to_numpy(np.float64),
        forecaster.holiday_country,
        forecaster.quantiles.index(0.5),
        {"member0": members[0], "mean": ensemble},
    )
    summary = {
        "name": args.name,
        "backend": keras.backend.backend(),
        "changes": changes,
        "extra": extra,
        "epochs": args.epochs,
        "members": results,
        "ensemble": ensemble_scores if len(members) > 1 else None,
        "breakdown": groups,
    }
    (out / f"{args.name}.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps({"name": args.name, "ensemble": ensemble_scores}), flush=True)
    return 0


def combine(args):
    """Scores the mean of saved member forecasts (`NAME-seedS.npy` files of
    earlier runs on the same protocol): an ensemble measured offline."""
    from accuracy import development_options, protocol, score_forecast

    extra = list(args.extra)
    if not args.test_year:
        extra = development_options(args.table, extra) + extra
    settings, data = protocol(args.table, extra)
    paths = [Path(p) for p in args.combine.split(",") if p]
    members = [np.load(path) for path in paths]
    scores = {}
    for path, member in zip(paths, members, strict=True):
        scores[path.stem] = score_forecast(data, settings, member[..., None])
    ensemble = np.sort(np.mean(members, axis=0), axis=-1)
    scores["mean"] = score_forecast(data, settings, ensemble[..., None])
    keep = ("mae", "mase", "mean_quantile_loss", "coverage@80%")
    for name, values in scores.items():
        print(name, " ".join(f"{key} {values[key]:.4f}" for key in keep))
    test = data.test
    rows = test.arrays.target_rows(test.starts).reshape(-1)
    cubes = {path.stem: member for path, member in zip(paths, members, strict=True)}
    groups = _groups(
        pd.DatetimeIndex(test.arrays.times[rows]),
        test.targets()[..., 0].reshape(-1),
        settings["holiday_country"],
        list(settings["quantiles"]).index(0.5),
        {**cubes, "mean": ensemble},
    )
    print("MAE of the median by kind of day")
    for name, values in groups.items():
        print(name, " ".join(f"{key} {value:.3f}" for key, value in values.items()))
    return 0


def _overall(table):
    row = table[(table["forecast"] == "model") & (table["horizon_step"] == "all")]
    keep = ("mae", "mase", "mean_quantile_loss", "coverage@80%", "width@80%")
    return {key: float(row.iloc[0][key]) for key in keep}


def _quantile_cube(forecaster, result):
    """`(N, H, Q)` model quantiles of a backtest frame, window-major."""
    columns = [f"q{q:g}" for q in forecaster.quantiles]
    values = result[columns].to_numpy(np.float64)
    return values.reshape(-1, forecaster.horizon, len(columns))


def _score_cube(forecaster, result, cube):
    frame = result.copy()
    for index, q in enumerate(forecaster.quantiles):
        frame[f"q{q:g}"] = cube[..., index].reshape(-1)
    return _overall(forecaster.evaluate(frame))


def _groups(times, actual, country, middle, cubes):
    """MAE of the median by kind of day (holiday, near a holiday, weekday,
    weekend) for each `(N, H, Q)` forecast of the targets at `times`
    (`actual`, flat, window-major; `middle`: the median's quantile index)."""
    from base_attentive.data.calendar import holiday_flags

    holiday = holiday_flags(times, country) > 0.5
    near = np.zeros(len(times), dtype=bool)
    days = times.normalize()
    for shift in (1, 2, 3):
        for sign in (1, -1):
            near |= holiday_flags(days + pd.Timedelta(days=sign * shift), country) > 0.5
    near &= ~holiday
    weekend = np.asarray(times.day_of_week >= 5)
    masks = {
        "holiday": holiday,
        "near holiday": near,
        "weekday": ~weekend & ~holiday & ~near,
        "weekend": weekend & ~holiday & ~near,
    }
    table = {}
    for name, cube in cubes.items():
        error = np.abs(cube[..., middle].reshape(-1) - actual)
        table[name] = {
            group: float(error[mask].mean()) for group, mask in masks.items()
        }
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name")
    parser.add_argument(
        "--combine", metavar="NPY,NPY", help="score the mean of saved forecasts"
    )
    parser.add_argument("--table", default="chicago")
    parser.add_argument("--set", help="JSON dict of Forecaster arguments")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument(
        "--test-year",
        action="store_true",
        help="score the real test period (reporting only, never for choices)",
    )
    parser.add_argument("--out", default="runs/levers")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("extra", nargs="*", help="train options of the data")
    args = parser.parse_args(argv)
    if args.combine:
        return combine(args)
    if not args.name:
        parser.error("--name is required (or --combine)")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
