"""`base-attentive train`: fit a model on a long table, score it on the test
period against a seasonal-naive baseline, and write a run folder.

With no data option it trains on the bundled Chicago ridership data (see
`settings.bundled_preset`). See docs/cli.md for every option.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import random
import sys
import time

import numpy as np

from base_attentive.commands import settings as run_settings
from base_attentive.commands.baseline import SeasonalNaive
from base_attentive.commands.calibrate import (
    check_calibration_windows,
    fit_calibrator,
)
from base_attentive.commands.console import Console, add_output_arguments
from base_attentive.commands.distribution import start as start_distribution
from base_attentive.commands.report import write_plots, write_report
from base_attentive.commands.run_folder import RunFolder
from base_attentive.commands.runtime import prepare_process, seed_backend
from base_attentive.commands.scoring import (
    forecast_and_score,
    format_table,
    score_rows,
)
from base_attentive.commands.tables import (
    build_spec,
    build_split,
    default_season,
    load_frame,
    time_step,
)
from base_attentive.data.validation import format_time

MODEL_KEYS = [setting.key for setting in run_settings.MODEL_SETTINGS]


def configure_parser(parser):
    """Adds the options of `train`."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="TOML or JSON file of settings (same names as the options, with "
        "underscores: time_col, past, lookback, ...); options given on the "
        "command line win",
    )
    for title, group in (
        ("data", run_settings.DATA_SETTINGS),
        ("model", run_settings.MODEL_SETTINGS),
        ("training", run_settings.TRAINING_SETTINGS),
        ("distribution (see docs/distributed.md)", run_settings.DISTRIBUTION_SETTINGS),
    ):
        run_settings.add_setting_arguments(parser.add_argument_group(title), group)
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out",
        metavar="DIR",
        help="run folder to create (default: runs/<YYYYmmdd-HHMMSS>)",
    )
    output.add_argument(
        "--overwrite", action="store_true", help="allow a non-empty --out folder"
    )
    output.add_argument(
        "--plot-series",
        metavar="N",
        type=int,
        default=4,
        help="series with a fan chart (default 4)",
    )
    add_output_arguments(output)


def seed_everything(seed):
    """Seeds Python, NumPy and, on PyTorch, torch's generator.

    Keras draws its default seeds from Python's `random` (weights; dropout on
    TensorFlow and JAX); PyTorch's dropout draws from torch's own generator.
    Runs then repeat exactly on every backend, without importing TensorFlow
    as `keras.utils.set_random_seed` does.
    """
    random.seed(seed)
    np.random.seed(seed)
    seed_backend(seed)


@dataclasses.dataclass
class _Data:
    """The prepared data of a run."""

    dataset: object
    train: object
    validation: object
    test: object
    baseline: SeasonalNaive
    info: dict


def run(args):
    """Runs `train`; returns the exit code."""
    settings = run_settings.resolve(args)
    if args.plot_series < 0:
        raise ValueError(f"--plot-series must be >= 0. Received: {args.plot_series}")
    console = Console(args.quiet, args.json, steps=5)
    folder = RunFolder.new(args.out, args.overwrite)
    prepare_process()
    plan, distribution_note = start_distribution(settings)
    started = time.perf_counter()
    data = _prepare_data(settings, console)
    with plan.scope() if plan else contextlib.nullcontext():
        model, arguments = _build_model(settings, data, console)
        if distribution_note:
            console.detail(distribution_note)
        history, training = _fit(model, settings, data, console, plan)
    if plan is not None and plan.process_index != 0:
        console.say(
            f"process {plan.process_index} of {plan.num_processes}: training "
            "done; process 0 writes the run folder."
        )
        return 0
    training["distribution"] = plan.describe() if plan else {"distribution": "none"}
    calibrator, training["calibration"] = _calibrate(model, settings, data, console)

    console.step(f"forecasting the test period: {data.test.num_windows:,} windows")
    quantiles = settings["quantiles"]
    scaled, model_forecast, scores = forecast_and_score(
        model, data.dataset, data.baseline, data.test, quantiles, calibrator
    )
    console.say()
    console.say(
        f"Test period {data.info['test_start']} .. {data.info['last_time']} "
        "(original units):"
    )
    console.say(format_table(score_rows(scores, data.baseline.season)))
    console.say()

    console.step(f"writing {folder.root}")
    folder.make()
    model.save(folder.path("model"))
    data.dataset.save(folder.path("dataset"))
    folder.write_json("baseline", data.baseline.to_dict())
    if calibrator is not None:
        folder.write_json("calibration", calibrator.to_dict())
    forecasts = data.dataset.forecast_frame(scaled, data.test, quantiles=quantiles)
    forecasts.to_csv(folder.path("forecasts"), index=False, float_format="%.6g")
    plots = write_plots(
        folder,
        model,
        data.dataset,
        data.test,
        model_forecast,
        quantiles,
        history,
        args.plot_series,
    )
    run_info = _run_info(settings, data, model, arguments, training, started)
    folder.write_json("run", run_info)
    folder.write_json("metrics", _metrics(settings, data, scores))
    report = write_report(folder, run_info, scores, plots)
    console.finish(
        {
            "run": str(folder.root),
            "backend": run_info["backend"],
            "seconds": round(run_info["seconds"], 1),
            "metrics": {name: _headline(result) for name, result in scores.items()},
            "files": {
                "model": str(folder.path("model")),
                "report": str(report),
                "forecasts": str(folder.path("forecasts")),
                "metrics": str(folder.path("metrics")),
                "plots": [str(path) for path in plots],
            },
        },
        [
            f"Done in {run_info['seconds']:.0f} s. Run folder: {folder.root}",
            f"  report    {report}",
            f"  forecasts {folder.path('forecasts')}",
            f"  model     {folder.path('model')}",
            f"  plots     {folder.plots} ({len(plots)} PNG)",
            f"Next: base-attentive predict --model {folder.root}",
        ],
    )
    return 0


def _prepare_data(settings, console):
    """Reads and splits the data, builds the windows, fits the baseline."""
    frame, description = load_frame(settings)
    spec = build_spec(settings, frame)
    from base_attentive.data import ForecastDataset

    dataset = ForecastDataset(spec).fit(frame, split=build_split(settings))
    batch_size = settings["batch_size"]
    train = dataset.windows(
        "train", batch_size=batch_size, shuffle=True, seed=settings["seed"]
    )
    validation = dataset.windows("validation", batch_size=batch_size)
    test = dataset.windows("test", batch_size=batch_size)
    season = settings["season"] or default_season(
        time_step(frame, spec.time_column, spec.id_column), spec.lookback
    )
    baseline = SeasonalNaive.fit(
        dataset.arrays,
        dataset.boundaries.train_end,
        season,
        settings["quantiles"],
        spec.forecast_horizon,
    )
    if settings["calibrate"]:
        check_calibration_windows(settings["quantiles"], validation.num_windows)
    info = _data_info(dataset, frame, description, train, validation, test)
    console.step(
        f"data: {description}, {info['series']} series, {info['first_time']} .. "
        f"{info['last_time']} (freq {dataset.freq})"
    )
    console.detail(
        f"split: train < {info['validation_start']} <= validation < "
        f"{info['test_start']} <= test"
    )
    console.detail(
        f"windows: {train.num_windows:,} train, {validation.num_windows:,} "
        f"validation, {test.num_windows:,} test (lookback {spec.lookback}, "
        f"horizon {spec.forecast_horizon})"
    )
    return _Data(dataset, train, validation, test, baseline, info)


def _build_model(settings, data, console):
    """The compiled, built `BaseAttentive` and its model arguments."""
    import keras

    from base_attentive import BaseAttentive

    seed_everything(settings["seed"])
    arguments = {key: settings[key] for key in MODEL_KEYS}
    spec = data.dataset.spec
    model = BaseAttentive(
        **data.dataset.model_dims(),
        forecast_horizon=spec.forecast_horizon,
        quantiles=settings["quantiles"],
        mode=spec.mode,
        **arguments,
    )
    averaging = {}
    if settings["weight_averaging"]:
        steps = min(settings["steps_per_epoch"], len(data.train))
        averaging = dict(use_ema=True, ema_momentum=0.99, ema_overwrite_frequency=steps)
    model.compile(
        optimizer=keras.optimizers.Adam(settings["learning_rate"], **averaging),
        loss="auto",
    )
    model(list(data.train[0][0]))  # build, to count the parameters
    console.step(
        f"model: BaseAttentive, {model.count_params():,} parameters on "
        f"{keras.backend.backend()} ("
        + ", ".join(f"{key}={value}" for key, value in arguments.items())
        + ")"
    )
    return model, arguments


def _fit(model, settings, data, console, plan):
    """Trains with early stopping, LR schedule and the time limit; with a
    data-parallel `plan`, on this process's share of the windows in batches
    every device splits evenly.

    Returns:
        `(history, training)`: the Keras `History` and a JSON-ready summary.
    """
    import keras

    from base_attentive.commands.training import EpochSampler, TimeLimit

    train, validation = data.train, data.validation
    if plan is not None:
        train = plan.shard(train, training=True)
        validation = plan.shard(validation, training=False)
    steps = min(settings["steps_per_epoch"], len(train))
    # Processes of a multi-process run must stop at the same epoch: early
    # stopping watches the (global) validation loss, but each process would
    # read its own clock.
    timed = plan is None or plan.num_processes == 1
    console.step(
        f"training: up to {settings['epochs']} epochs of {steps} steps x "
        f"{settings['batch_size']} windows"
        + (
            f" within {settings['time_limit']:g} min"
            if timed
            else " (no time limit in a multi-process run)"
        )
        + f"; early stopping on validation loss (patience {settings['patience']}, "
        "best weights restored)"
    )
    time_limit = TimeLimit(60.0 * settings["time_limit"] if timed else float("inf"))
    started = time.perf_counter()
    history = model.fit(
        EpochSampler(train, steps),
        validation_data=validation,
        epochs=settings["epochs"],
        callbacks=[
            keras.callbacks.EarlyStopping(
                monitor="val_loss",
                patience=settings["patience"],
                restore_best_weights=True,
            ),
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_loss", factor=0.5, patience=2, min_lr=1e-4
            ),
            keras.callbacks.TerminateOnNaN(),
            time_limit,
        ],
        verbose=console.fit_verbose(),
    )
    val_loss = np.asarray(history.history["val_loss"], dtype=np.float64)
    if time_limit.stopped:
        stopped_by = "time limit"
    elif len(val_loss) < settings["epochs"]:
        stopped_by = "early stopping"
    else:
        stopped_by = "epochs"
    training = {
        "epochs_run": len(val_loss),
        "best_epoch": int(np.nanargmin(val_loss)) + 1,
        "best_val_loss": float(np.nanmin(val_loss)),
        "steps_per_epoch": steps,
        "stopped_by": stopped_by,
        "seconds": time.perf_counter() - started,
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
    }
    console.detail(
        f"stopped by {stopped_by} after {training['epochs_run']} epoch(s); best "
        f"epoch {training['best_epoch']} (val_loss {training['best_val_loss']:.4g}), "
        f"{training['seconds']:.0f} s"
    )
    return history, training


def _calibrate(model, settings, data, console):
    """Conformal interval corrections from the validation windows, if asked.

    Returns:
        `(calibrator or None, JSON-ready summary)`.
    """
    if not settings["calibrate"]:
        return None, {"applied": False}
    calibrator, summary = fit_calibrator(model, data.validation, settings["quantiles"])
    console.detail(
        "intervals recalibrated on the validation windows (coverage there "
        "before: "
        + ", ".join(
            f"{key.split('@')[1]} interval {value:.1%}"
            for key, value in summary.items()
            if key.startswith("validation_coverage@")
        )
        + ")"
    )
    return calibrator, summary


def _run_info(settings, data, model, arguments, training, started):
    import keras

    return {
        "command": "base-attentive " + " ".join(sys.argv[1:]),
        "finished": datetime.datetime.now().isoformat(timespec="seconds"),
        "backend": keras.backend.backend(),
        "versions": _versions(keras),
        "settings": settings,
        "data": data.info,
        "model": {"parameters": int(model.count_params()), "arguments": arguments},
        "baseline": {"season": data.baseline.season},
        "training": training,
        "seconds": time.perf_counter() - started,
    }


def _metrics(settings, data, scores):
    return {
        "test_period": {
            "start": data.info["test_start"],
            "end": data.info["last_time"],
        },
        "windows": data.test.num_windows,
        "quantiles": settings["quantiles"],
        "model": scores["model"],
        "baseline": {
            "name": f"seasonal_naive_{data.baseline.season}",
            **scores["baseline"],
        },
    }


def _headline(result):
    return {key: value for key, value in result.items() if key != "per_horizon"}


def _data_info(dataset, frame, description, train, validation, test):
    def when(value):
        return "-" if value is None else format_time(value)

    times = dataset.arrays.times
    return {
        "source": description,
        "series": len(dataset.series_ids),
        "rows": len(frame),
        "freq": dataset.freq,
        "calendar": list(dataset.spec.calendar_features),
        "first_time": when(times.min()),
        "last_time": when(times.max()),
        "validation_start": when(dataset.boundaries.validation_start),
        "test_start": when(dataset.boundaries.test_start),
        "windows": {
            "train": train.num_windows,
            "validation": validation.num_windows,
            "test": test.num_windows,
        },
    }


def _versions(keras):
    from base_attentive import __version__
    from base_attentive.backend import get_backend_version

    return {
        "base_attentive": __version__,
        "keras": keras.__version__,
        "backend": get_backend_version(keras.backend.backend()),
        "numpy": np.__version__,
    }
