"""`base-attentive evaluate`: backtest a trained run on a table.

`Forecaster.backtest` then `Forecaster.evaluate`: every complete window of
the file (lookback and horizon inside a series) whose targets all fall
within `[--start, --end]` is forecast by the model and by the run's
seasonal-naive baseline, and both are scored with the metrics of `train`
(MASE scales and baseline quantiles come from the run's training period).
Without `--data`, the run's own data is used and `--start` defaults to the
start of its test period, which reproduces the test metrics of `train`.
"""

from __future__ import annotations

from base_attentive.commands import outputs
from base_attentive.commands.console import Console, add_output_arguments
from base_attentive.commands.predict import add_overwrite_argument, add_run_arguments
from base_attentive.commands.runs import open_run
from base_attentive.commands.runtime import prepare_process
from base_attentive.commands.scoring import BASELINE, MODEL, format_table, overall
from base_attentive.commands.settings import parse_value
from base_attentive.commands.tables import (
    column_time,
    load_frame,
    local_time,
    output_times,
)
from base_attentive.data.time_grid import to_offset
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
        help="also write the backtest forecasts to this CSV file (not an input "
        "nor inside a run folder)",
    )
    add_overwrite_argument(parser, "--forecasts")
    add_output_arguments(parser)


def run(args):
    """Runs `evaluate`; returns the exit code."""
    console = Console(args.quiet, args.json, steps=2 if args.forecasts else 1)
    start = None if args.start is None else parse_value("start", args.start, "--start")
    end = None if args.end is None else parse_value("end", args.end, "--end")
    if args.forecasts is not None:
        outputs.check_run_output(args.forecasts, "--forecasts", args)
    prepare_process()
    forecaster, settings, info = open_run(args.model)
    if args.data is None and settings.get("data") is None:
        raise ValueError(
            f"--data is required: the run {args.model} was saved from Python and "
            "names no data file."
        )
    frame, description = load_frame(settings, data=args.data, filter_period=False)
    if args.data is None and start is None and "test_period" in info:
        start = info["test_period"]["start"]
    time_col = forecaster.time_col
    column = frame[time_col]
    if end is not None:
        frame = frame[column <= column_time(end, column)]
    # The first forecast origin is the step before the first target scored.
    step = to_offset(forecaster.dataset_.freq)
    origin = (
        frame[time_col].min() + (forecaster.lookback - 1) * step
        if start is None
        else column_time(start, column) - step
    )
    backtest = forecaster.backtest(frame, start=origin)
    windows = len(backtest) // (forecaster.horizon * len(forecaster.target))
    console.step(f"backtest on {description}: {windows:,} windows")
    table = forecaster.evaluate(backtest)
    first_target = local_time(backtest[time_col].min(), column)
    period = (format_time(first_target), format_time(frame[time_col].max()))
    season = forecaster.baseline_.season
    if args.forecasts:
        forecasts = backtest.drop(
            columns=[c for c in backtest.columns if c.startswith("naive_")]
            + ["fold", "mase_scale"]
        )
        forecasts = output_times(forecasts, column, time_col)
        outputs.write_output(
            args.forecasts,
            forecasts.to_csv(index=False, float_format="%.6g"),
            "--forecasts",
            args.overwrite,
        )
        console.step(f"wrote the backtest forecasts to {args.forecasts}")
    console.finish(
        {
            "data": description,
            "period": {"start": period[0], "end": period[1]},
            "windows": windows,
            "quantiles": forecaster.quantiles,
            "model": overall(table, MODEL),
            "baseline": {
                "name": f"seasonal_naive_{season}",
                **overall(table, BASELINE),
            },
        },
        [
            f"Backtest {period[0]} .. {period[1]} (original units):",
            format_table(table, season),
        ],
    )
    return 0
