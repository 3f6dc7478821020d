"""`base-attentive predict`: forecast past the end of each series.

The lookback is the last `lookback` rows of each series with an observed
target; the horizon is the next `horizon` rows of the file, which must hold
the known-future columns (their targets may be empty). Without known-future
columns, the horizon times follow the frequency. Forecasts are written as CSV
in original units, one row per (series, horizon step, target), to `--out`
or to a new `predictions/<run>-<YYYYmmdd-HHMMSS>.csv` (the rules for output
files are in `commands.outputs`).

`--runtime` chooses what runs the network (`serving.choose_runtime`):
`auto` (default) uses ONNX Runtime when the run has an ONNX export
(`base-attentive export`) and onnxruntime is installed, the Keras model
otherwise; `onnx` and `keras` force one. The output names the runtime that
ran and why. The ONNX path imports no Keras and no framework: it runs where
only `base-attentive[onnx]` is installed.
"""

from __future__ import annotations

from pathlib import Path

from base_attentive.commands import outputs
from base_attentive.commands.console import Console, add_output_arguments
from base_attentive.commands.runs import open_export, open_run
from base_attentive.commands.runtime import prepare_process
from base_attentive.commands.tables import load_frame, output_times
from base_attentive.data.validation import format_time


def add_run_arguments(parser, data_help):
    """`--model DIR` and `--data FILE` (shared with `evaluate`)."""
    parser.add_argument(
        "--model",
        metavar="DIR",
        required=True,
        help="run folder written by `base-attentive train` (or a saved Forecaster)",
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
        help="CSV file to write, not an input nor inside a run folder (default: "
        f"a new {outputs.PREDICTIONS_DIR}/<run>-<YYYYmmdd-HHMMSS>.csv)",
    )
    parser.add_argument(
        "--runtime",
        choices=("auto", "keras", "onnx"),
        default="auto",
        help="what runs the network: onnx (ONNX Runtime on the run's ONNX "
        "export, no deep-learning framework), keras (the run's model.keras) or "
        "auto (onnx when the run has an ONNX export and onnxruntime is "
        "installed, keras otherwise; default)",
    )
    add_overwrite_argument(parser, "--out")
    add_output_arguments(parser)


def add_overwrite_argument(parser, option):
    """`--overwrite` for the output file of `option` (predict, evaluate)."""
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help=f"replace the {option} file if it exists",
    )


def run(args):
    """Runs `predict`; returns the exit code."""
    from base_attentive.serving import choose_runtime

    console = Console(args.quiet, args.json, steps=3)
    if args.out is not None:
        outputs.check_run_output(args.out, "--out", args)
    runtime, reason = choose_runtime(args.model, args.runtime)
    if runtime == "onnx":
        forecaster, settings, _ = open_export(args.model)
        runtime_text = forecaster.description
    else:
        prepare_process()
        forecaster, settings, _ = open_run(args.model)
        runtime_text = _keras_description(args.model)
    console.step(f"runtime: {runtime_text}; {reason}")
    if args.data is None and settings.get("data") is None:
        raise ValueError(
            f"--data is required: the run {args.model} was saved from Python and "
            "names no data file."
        )
    frame, description = load_frame(
        settings, data=args.data, filter_period=False, future_rows=True
    )
    spec = forecaster.dataset_.spec
    console.step(
        f"forecasting from {description} ({spec.forecast_horizon} steps past "
        f"each series' last observed {', '.join(spec.target_columns)})"
    )
    forecasts = output_times(
        forecaster.predict(frame), frame[spec.time_column], spec.time_column
    )
    series = len(forecasts) // (spec.forecast_horizon * len(spec.target_columns))
    text = forecasts.to_csv(index=False, float_format="%.6g")
    if args.out is None:
        out = outputs.write_new_predictions(args.model, text)
    else:
        out = outputs.write_output(args.out, text, "--out", args.overwrite)
    quantiles = forecaster.quantiles
    times = forecasts[spec.time_column]
    first, last = format_time(times.min()), format_time(times.max())
    console.step(f"wrote {len(forecasts):,} rows to {out}")
    console.finish(
        {
            "predictions": str(out),
            "rows": len(forecasts),
            "series": series,
            "start": first,
            "end": last,
            "quantiles": quantiles,
            "runtime": runtime,
            "runtime_description": runtime_text,
        },
        [
            f"Forecasts {first} .. {last} for {series} series "
            f"(quantiles {', '.join(f'{q:g}' for q in quantiles)}): {out}",
            forecasts.head(min(len(forecasts), spec.forecast_horizon)).to_string(
                index=False, float_format=lambda value: f"{value:.4g}"
            ),
        ],
    )
    return 0


def _keras_description(run):
    """The Keras runtime of a run, for the output."""
    import keras

    return (
        f"Keras {keras.__version__} on {keras.backend.backend()} "
        f"({Path(run) / 'model.keras'})"
    )
