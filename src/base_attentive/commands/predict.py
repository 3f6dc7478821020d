"""`base-attentive predict`: forecast past the end of each series.

The lookback is the last `lookback` rows of each series with an observed
target; the horizon is the next `horizon` rows of the file, which must hold
the known-future columns (their targets may be empty). Without known-future
columns, the horizon times follow the frequency. Forecasts are written as CSV
in original units, one row per (series, horizon step, target).
"""

from __future__ import annotations

from pathlib import Path

from base_attentive.commands.console import Console, add_output_arguments
from base_attentive.commands.run_folder import load_run
from base_attentive.commands.runtime import prepare_process
from base_attentive.commands.scoring import predict_quantiles
from base_attentive.commands.tables import load_frame
from base_attentive.data.validation import format_time


def add_run_arguments(parser, data_help):
    """`--model DIR` and `--data FILE` (shared with `evaluate`)."""
    parser.add_argument(
        "--model",
        metavar="DIR",
        required=True,
        help="run folder written by `base-attentive train`",
    )
    parser.add_argument("--data", metavar="FILE", help=data_help)


def configure_parser(parser):
    """Adds the options of `predict`."""
    add_run_arguments(
        parser,
        "CSV or Parquet table with the run's columns, ending with the horizon "
        "rows (known-future values, targets empty); default: the run's data "
        "(the bundled data with its 14 days of future covariates)",
    )
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="CSV file to write (default: DIR/predictions.csv)",
    )
    add_output_arguments(parser)


def run(args):
    """Runs `predict`; returns the exit code."""
    console = Console(args.quiet, args.json, steps=2)
    prepare_process()
    loaded = load_run(args.model)
    frame, description = load_frame(
        loaded.settings, data=args.data, filter_period=False, future_rows=True
    )
    dataset, spec = loaded.dataset, loaded.dataset.spec
    windows = dataset.prediction_windows(
        frame, batch_size=loaded.settings["batch_size"]
    )
    console.step(
        f"forecasting {windows.num_windows} series from {description} "
        f"({spec.forecast_horizon} steps past each series' last observed "
        f"{', '.join(spec.target_columns)})"
    )
    quantiles = loaded.settings["quantiles"]
    scaled = predict_quantiles(loaded.model, windows, loaded.calibrator)
    forecasts = dataset.forecast_frame(scaled, windows, quantiles=quantiles)
    out = Path(args.out) if args.out else loaded.folder.root / "predictions.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    forecasts.to_csv(out, index=False, float_format="%.6g")
    times = forecasts[spec.time_column]
    first, last = format_time(times.min()), format_time(times.max())
    console.step(f"wrote {len(forecasts):,} rows to {out}")
    console.finish(
        {
            "predictions": str(out),
            "rows": len(forecasts),
            "series": windows.num_windows,
            "start": first,
            "end": last,
            "quantiles": quantiles,
        },
        [
            f"Forecasts {first} .. {last} for {windows.num_windows} series "
            f"(quantiles {', '.join(f'{q:g}' for q in quantiles)}): {out}",
            forecasts.head(min(len(forecasts), spec.forecast_horizon)).to_string(
                index=False, float_format=lambda value: f"{value:.4g}"
            ),
        ],
    )
    return 0
