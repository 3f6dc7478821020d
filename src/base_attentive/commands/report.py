"""The plots and the Markdown report of a training run."""

from __future__ import annotations

from base_attentive.commands.scoring import (
    BASELINE,
    MODEL,
    markdown_table,
    metrics_markdown,
    per_horizon,
)
from base_attentive.run_folder import write_text_atomic
from base_attentive.training import left_out_message


def write_plots(folder, forecaster, frame, backtest, count):
    """Writes the PNG plots of a run into `folder.plots`.

    Args:
        folder: the `RunFolder`.
        forecaster: the fitted `Forecaster`.
        frame: the whole table (history and test period).
        backtest: `forecaster.backtest(frame, ...)` over the test period.
        count: number of series with a fan chart (their last test window).

    Returns:
        list of the written paths.
    """
    from base_attentive import plotting

    paths = [folder.plot_path("history")]
    plotting.plot_history(forecaster.history_, path=paths[0])
    paths += _fan_charts(folder, forecaster, frame, backtest, count)
    first_origin = backtest["forecast_origin"].min()
    explanation = forecaster.explain(frame, start=first_origin)
    if explanation["variable_selection"]:
        paths.append(folder.plot_path("variable_importance"))
        plotting.plot_variable_importance(
            explanation, explanation["feature_names"], path=paths[-1]
        )
    lookback, horizon = forecaster.lookback, forecaster.horizon
    for level, weights in explanation["attention"].items():
        paths.append(folder.plot_path(f"attention_{level}"))
        plotting.plot_attention(
            weights,
            level,
            position_labels=_position_labels(weights.shape[-1], lookback, horizon),
            path=paths[-1],
        )
    return paths


def _position_labels(length, lookback, horizon):
    """Lookback offsets (t-55 .. t) and horizon steps (t+1 ..) when they fit."""
    past = [
        f"t-{lookback - 1 - i}" if i < lookback - 1 else "t" for i in range(lookback)
    ]
    if length == lookback:
        return past
    if length == lookback + horizon:
        return past + [f"t+{step}" for step in range(1, horizon + 1)]
    return None


def _fan_charts(folder, forecaster, frame, backtest, count):
    id_col = forecaster.id_col
    ids = [None] if id_col is None else list(dict.fromkeys(backtest[id_col]))
    paths = []
    for series in ids[:count]:
        for target in forecaster.target:
            name = "forecast" if series is None else f"forecast_{series}"
            if len(forecaster.target) > 1:
                name += f"_{target}"
            paths.append(folder.plot_path(name))
            label = "" if series is None else f"{series}: "
            forecaster.plot_forecast(
                frame,
                series,
                target,
                forecasts=backtest,
                title=f"{label}{target}, last test window",
                path=paths[-1],
            )
    return paths


def _tuning_section(folder):
    """The "Tuning" section when the run holds `tuning.json`."""
    if not folder.path("tuning").is_file():
        return []
    tuning = folder.read_json("tuning")
    best, counts = tuning["best"], tuning["counts"]
    validation = tuning["validation"]
    return [
        "## Tuning",
        "",
        f"- study `{tuning['study_name']}` ({tuning['storage']}), "
        f"{tuning['sampler']} sampler, {tuning['pruner']}; trials: "
        + ", ".join(f"{count} {outcome}" for outcome, count in counts.items())
        + f"; {tuning['trials_run_here']} run by this command in "
        f"{tuning['search_seconds']:.0f} s",
        f"- objective: {tuning['objective']} ({validation['windows']:,} windows "
        f"from {validation['start']}; never the test period)",
        f"- best: trial {best['trial']}, validation loss {best['value']:.6g}: "
        + ", ".join(f"{key}={value}" for key, value in best["params"].items())
        + " (the configuration above; `tuning.json` has every trial)",
        "",
    ]


def ensemble_lines(training, settings):
    """The report's lines on an ensemble: how many models were averaged,
    and each one left out by `--ensemble-tolerance` (none for one model)."""
    members = training.get("members")
    if not members:
        return []
    left_out = training.get("left_out", [])
    lines = [
        f"- {len(members) - len(left_out)} of {len(members)} models averaged "
        f"(seeds {settings['seed']}..{settings['seed'] + len(members) - 1}; "
        f"best validation losses "
        + ", ".join(f"{member['best_val_loss']:.4g}" for member in members)
        + ")"
    ]
    tolerance = settings.get("ensemble_tolerance")
    for member in left_out:
        lines.append("- " + left_out_message(member, training, tolerance))
    return lines


def write_report(folder, table, plot_paths):
    """Writes `report.md`: data, model, training, metrics, plots, files.

    Args:
        folder: the `RunFolder` (its `run.json` is written).
        table: the test metrics (`Forecaster.evaluate`).
        plot_paths: the written plots.
    """
    run = folder.read_json("run")
    data, training, test = run["data"], run["training"], run["test_period"]
    settings = run["settings"]
    season = run["baseline"]["season"]
    lines = [
        f"# base-attentive run `{folder.destination.name}`",
        "",
        f"Trained {run['finished']} with `{run['command']}` on the "
        f"**{run['backend']}** backend (Keras {run['versions']['keras']}, "
        f"base-attentive {run['versions']['base_attentive']}) in "
        f"{run['seconds']:.0f} s.",
        "",
        "## Data",
        "",
        f"- source: {run['source']}; {data['series']} series, "
        f"{data['first_time']} .. {test['end']} (frequency `{data['freq']}`)",
        f"- split: training before {data['validation_start']}, validation "
        f"from {data['validation_start']}, test from {test['start']}",
        f"- windows: {data['windows']['train']:,} train, "
        f"{data['windows']['validation']:,} validation, "
        f"{test['windows']:,} test (lookback {settings['lookback']}, "
        f"horizon {settings['horizon']})",
        *_missing_lines(data),
        f"- target {settings['target']}; static {settings['static']}; "
        f"past-observed {settings['past']}; known-future {settings['future']}; "
        f"calendar {data['calendar']}; categories {data.get('categorical', [])}",
        "",
        "## Model and training",
        "",
        f"- BaseAttentive, {run['model']['parameters']:,} parameters: "
        + ", ".join(
            f"{key}={value}" for key, value in run["model"]["arguments"].items()
        ),
        f"- {training['epochs_run']} epoch(s) of at most {settings['epochs']} "
        f"({training['steps_per_epoch']} steps of {settings['batch_size']} "
        f"windows); best validation loss {training['best_val_loss']:.4g} at epoch "
        f"{training['best_epoch']} (weights restored); stopped by "
        f"{training['stopped_by']}; {training['seconds']:.0f} s",
        *ensemble_lines(training, settings),
        "- quantile intervals "
        + (
            "recalibrated on the validation windows (split-conformal, per "
            "horizon step; `calibration.json`)"
            if training["calibration"]["applied"]
            else "not recalibrated (`--calibrate no`)"
        ),
        "",
        *_tuning_section(folder),
        f"## Test metrics ({test['start']} .. {test['end']}, original units)",
        "",
        metrics_markdown(table, season),
        "",
        "MAE and MASE score the median (q0.5); MASE divides each series' MAE by "
        "its mean absolute seasonal difference on the training period. The "
        "seasonal-naive baseline repeats the value one season earlier and takes "
        "its quantiles from the empirical distribution of its own residuals on "
        "the training period (per series and seasons back).",
        "",
        "### Mean absolute error by horizon step",
        "",
        markdown_table(
            ["step", "base-attentive", "seasonal naive"],
            [
                [step + 1, f"{model:.4g}", f"{naive:.4g}"]
                for step, (model, naive) in enumerate(
                    zip(
                        per_horizon(table, MODEL, "mae"),
                        per_horizon(table, BASELINE, "mae"),
                        strict=True,
                    )
                )
            ],
        ),
        "",
        "## Plots",
        "",
    ]
    for path in plot_paths:
        lines += [f"![{path.stem}]({path.relative_to(folder.root).as_posix()})", ""]
    lines += [
        "## Files",
        "",
        "The folder is a saved `Forecaster`: `Forecaster.load(folder)` in Python, "
        "`base-attentive predict --model folder` on the command line. "
        "`model.keras` (the network), `dataset.json` (scalers and "
        "vocabularies), `baseline.json`, `calibration.json`, `run.json` "
        "(settings, training), `metrics.json`, `forecasts.csv` (test period, "
        "every quantile, original units), `plots/`.",
        "",
    ]
    return write_text_atomic(folder.path("report"), "\n".join(lines))


def _missing_lines(data):
    """The report's line on masked missing values (missing="mask"), if any."""
    if "unobserved_windows" not in data:
        return []
    dropped = data["unobserved_windows"]
    indicated = ", ".join(data["observed_indicators"]) or "none"
    return [
        f"- missing values masked: {dropped['train']:,} train and "
        f"{dropped['validation']:,} validation windows dropped (no observed "
        f"target in their horizon); observed indicators for: {indicated}"
    ]
