"""`base-attentive train`: fit a `Forecaster` on a long table, score it on the
test period against the seasonal-naive baseline, and write a run folder.

With no data option it trains on the bundled Chicago ridership data (see
`settings.bundled_preset`). The recipe is `Forecaster.fit`'s; this command
splits off the test period, prints, and writes the reports. See docs/cli.md
for every option.
"""

from __future__ import annotations

import contextlib
import sys
import time

import numpy as np

from base_attentive.commands import settings as run_settings
from base_attentive.commands.console import Console, add_output_arguments
from base_attentive.commands.distribution import start as start_distribution
from base_attentive.commands.report import write_plots, write_report
from base_attentive.commands.runtime import prepare_process
from base_attentive.commands.scoring import (
    format_table,
    metrics_document,
    overall,
)
from base_attentive.commands.tables import (
    forecaster_arguments,
    load_frame,
    local_time,
    output_times,
)
from base_attentive.data.split import ChronologicalSplit
from base_attentive.data.validation import format_time, to_datetime_ns
from base_attentive.run_folder import atomic_folder, check_destination

FORECAST_COLUMNS_DROPPED = ("fold", "mase_scale")


def configure_parser(parser):
    """Adds the options of `train`."""
    add_run_options(parser, distribution=True)


def add_run_options(parser, *, distribution):
    """The options of a training run (shared by `train` and `tune`): the
    config file, data, model and training settings, optionally the
    distribution settings, and the output options."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="TOML or JSON file of settings (same names as the options, with "
        "underscores: time_col, past, lookback, ...); options given on the "
        "command line win",
    )
    groups = [
        ("data", run_settings.DATA_SETTINGS),
        ("model", run_settings.MODEL_SETTINGS),
        ("training", run_settings.TRAINING_SETTINGS),
    ]
    if distribution:
        groups.append(
            (
                "distribution (see docs/distributed.md)",
                run_settings.DISTRIBUTION_SETTINGS,
            )
        )
    for title, group in groups:
        run_settings.add_setting_arguments(parser.add_argument_group(title), group)
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out",
        metavar="DIR",
        help="run folder to create (default: runs/<YYYYmmdd-HHMMSS>)",
    )
    output.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a non-empty --out folder (whole, once the new run is written)",
    )
    output.add_argument(
        "--plot-series",
        metavar="N",
        type=int,
        default=4,
        help="series with a fan chart (default 4)",
    )
    add_output_arguments(output)


def check_output(args):
    """Checks the output options before anything runs."""
    if args.plot_series < 0:
        raise ValueError(f"--plot-series must be >= 0. Received: {args.plot_series}")
    if args.out is not None:
        check_destination(args.out, args.overwrite, "--out")


def split_test(frame, settings):
    """Cuts the test period off the frame, as `ChronologicalSplit` does over
    every time step of the table.

    Returns:
        `(history, validation_start, test_origin, test_start)`: the rows
        before the test period, the start of the validation period (a
        time), the last time step before the test period (the first
        forecast origin) and the first test time step.
    """
    time_col = settings["time_col"]
    times = to_datetime_ns(frame[time_col], time_col)
    timeline = np.unique(times)
    split = ChronologicalSplit(validation=settings["validation"], test=settings["test"])
    boundaries = split.resolve(timeline)
    test_start = boundaries.test_start
    position = int(np.searchsorted(timeline, test_start))
    history = frame[times < test_start]
    return history, boundaries.validation_start, timeline[position - 1], test_start


def run(args):
    """Runs `train`; returns the exit code."""
    settings = run_settings.resolve(args)
    check_output(args)
    console = Console(args.quiet, args.json, steps=5)
    prepare_process()
    plan, distribution_note = start_distribution(settings)
    started = time.perf_counter()
    from base_attentive.forecaster import Forecaster

    forecaster = Forecaster(**forecaster_arguments(settings))
    frame, description = load_frame(settings)
    history, validation_start, test_origin, test_start = split_test(frame, settings)
    worker = plan is not None and plan.process_index != 0
    folder_context = (
        contextlib.nullcontext()
        if worker
        else atomic_folder(args.out, args.overwrite, "--out")
    )
    with folder_context as folder:
        if distribution_note:
            console.detail(distribution_note)
        forecaster.fit(
            history,
            validation=str(validation_start),
            verbose=console.fit_verbose(),
            distribution=plan,
            progress=console.progress,
        )
        if worker:
            console.say(
                f"process {plan.process_index} of {plan.num_processes}: training "
                "done; process 0 writes the run folder."
            )
            return 0
        run_info = {
            "command": "base-attentive " + " ".join(sys.argv[1:]),
            "settings": settings,
            "source": description,
            "distribution": plan.describe() if plan else {"distribution": "none"},
        }
        table, plots, report = score_and_write(
            folder, console, forecaster, frame, (test_origin, test_start),
            run_info, started, args.plot_series,
        )  # fmt: skip
    finish(console, folder, table, plots, report, started)
    return 0


def score_and_write(
    folder, console, forecaster, frame, test, run_info, started, plot_series, plots=()
):
    """Scores a fitted Forecaster on the test period and writes the run
    folder: the saved Forecaster, `forecasts.csv`, `metrics.json`, the plots
    and `report.md` (two numbered steps).

    Args:
        folder: the `RunFolder` being written.
        console: the `Console`.
        forecaster: the fitted `Forecaster`.
        frame: the whole table (history and test period).
        test: `(test_origin, test_start)` of `split_test`.
        run_info: dict of entries for `run.json` (command, settings, source,
            ...); the test period and the seconds are added.
        started: `time.perf_counter()` at the start of the command.
        plot_series: number of series with a fan chart.
        plots: plots already written into `folder` (listed first).

    Returns:
        `(table, plots, report)`: the metrics table, the written plot paths
        and the report's path.
    """
    test_origin, test_start = test
    column = frame[forecaster.time_col]
    period = {
        "start": format_time(local_time(test_start, column)),
        "end": format_time(column.max()),
    }
    console.step("forecasting the test period")
    backtest = forecaster.backtest(frame, start=test_origin)
    table = forecaster.evaluate(backtest)
    windows = len(backtest) // (forecaster.horizon * len(forecaster.target))
    season = forecaster.baseline_.season
    console.say()
    console.say(f"Test period {period['start']} .. {period['end']} (original units):")
    console.say(format_table(table, season))
    console.say()
    console.step(f"writing {folder.destination}")
    run_info = {
        **run_info,
        "test_period": {**period, "windows": windows},
        "seconds": time.perf_counter() - started,
    }
    forecaster.write(folder, extra=run_info)
    forecasts = backtest.drop(
        columns=[c for c in backtest.columns if c.startswith("naive_")]
        + list(FORECAST_COLUMNS_DROPPED)
    )
    forecasts = output_times(forecasts, column, forecaster.time_col)
    forecasts.to_csv(folder.path("forecasts"), index=False, float_format="%.6g")
    folder.write_json(
        "metrics",
        metrics_document(table, season, forecaster.quantiles, period, windows),
    )
    plots = list(plots) + write_plots(folder, forecaster, frame, backtest, plot_series)
    report = write_report(folder, table, plots)
    return table, plots, report


def finish(console, folder, table, plots, report, started, extra=None):
    """Prints the end of a run: the JSON summary or the output paths.

    Args:
        extra: dict of more entries for the JSON summary.
    """
    root = folder.destination
    seconds = time.perf_counter() - started
    console.finish(
        {
            "run": str(root),
            "backend": _backend(),
            "seconds": round(seconds, 1),
            "metrics": {
                "model": _headline(table, "model"),
                "baseline": _headline(table, "seasonal_naive"),
            },
            "files": {
                "model": str(root / folder.path("model").name),
                "report": str(root / report.name),
                "forecasts": str(root / folder.path("forecasts").name),
                "metrics": str(root / folder.path("metrics").name),
                "plots": [str(root / "plots" / path.name) for path in plots],
            },
            **(extra or {}),
        },
        [
            f"Done in {seconds:.0f} s. Run folder: {root}",
            f"  report    {root / report.name}",
            f"  forecasts {root / folder.path('forecasts').name}",
            f"  model     {root / folder.path('model').name}",
            f"  plots     {root / 'plots'} ({len(plots)} PNG)",
            f"Next: base-attentive predict --model {root}",
        ],
    )


def _backend():
    import keras

    return keras.backend.backend()


def _headline(table, forecast):
    return overall(table, forecast)
