"""`base-attentive evaluate`: backtest a trained run on a table.

Every complete window of the file (lookback and horizon inside a series)
whose targets all fall within `[--start, --end]` is forecast by the model
and by the run's seasonal-naive baseline, and both are scored with the
metrics of `train` (MASE scales and baseline quantiles come from the run's
training period). Without `--data`, the run's own data is used and
`--start` defaults to the start of its test period, which reproduces the
test metrics of `train`.
"""

from __future__ import annotations

import pandas as pd

from base_attentive.commands.console import Console, add_output_arguments
from base_attentive.commands.predict import add_run_arguments
from base_attentive.commands.run_folder import load_run
from base_attentive.commands.runtime import prepare_process
from base_attentive.commands.scoring import (
    forecast_and_score,
    format_table,
    score_rows,
)
from base_attentive.commands.settings import parse_value
from base_attentive.commands.tables import load_frame
from base_attentive.data.split import SplitBoundaries, to_datetime64_ns
from base_attentive.data.validation import format_time


def configure_parser(parser):
    """Adds the options of `evaluate`."""
    add_run_arguments(
        parser,
        "CSV or Parquet table with the run's columns and series; default: the "
        "run's data, scored from the start of its test period",
    )
    parser.add_argument(
        "--start",
        metavar="DATE",
        help="score windows whose first target is at or after DATE",
    )
    parser.add_argument("--end", metavar="DATE", help="use rows at or before DATE only")
    parser.add_argument(
        "--forecasts",
        metavar="FILE",
        help="also write the backtest forecasts to this CSV file",
    )
    add_output_arguments(parser)


def run(args):
    """Runs `evaluate`; returns the exit code."""
    console = Console(args.quiet, args.json, steps=2 if args.forecasts else 1)
    start = None if args.start is None else parse_value("start", args.start, "--start")
    end = None if args.end is None else parse_value("end", args.end, "--end")
    prepare_process()
    loaded = load_run(args.model)
    settings, dataset = loaded.settings, loaded.dataset
    frame, description = load_frame(settings, data=args.data, filter_period=False)
    if args.data is None and start is None:
        start = loaded.info["data"]["test_start"]
    time_col = dataset.spec.time_column
    if end is not None:
        frame = frame[frame[time_col] <= pd.Timestamp(end)]
    dataset.boundaries = SplitBoundaries(
        test_start=None if start is None else to_datetime64_ns(start)
    )
    windows = dataset.windows(
        "all" if start is None else "test",
        frame=frame,
        batch_size=settings["batch_size"],
    )
    console.step(f"backtest on {description}: {windows.num_windows:,} windows")
    quantiles = settings["quantiles"]
    scaled, _, scores = forecast_and_score(
        loaded.model, dataset, loaded.baseline, windows, quantiles, loaded.calibrator
    )
    first_targets = windows.arrays.times[windows.starts + dataset.spec.lookback]
    period = (
        format_time(first_targets.min()),
        format_time(frame[time_col].max()),
    )
    table = format_table(score_rows(scores, loaded.baseline.season))
    if args.forecasts:
        dataset.forecast_frame(scaled, windows, quantiles=quantiles).to_csv(
            args.forecasts, index=False, float_format="%.6g"
        )
        console.step(f"wrote the backtest forecasts to {args.forecasts}")
    console.finish(
        {
            "data": description,
            "period": {"start": period[0], "end": period[1]},
            "windows": windows.num_windows,
            "quantiles": quantiles,
            "model": scores["model"],
            "baseline": {
                "name": f"seasonal_naive_{loaded.baseline.season}",
                **scores["baseline"],
            },
        },
        [f"Backtest {period[0]} .. {period[1]} (original units):", table],
    )
    return 0
