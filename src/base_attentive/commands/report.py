"""The plots and the Markdown report of a training run."""

from __future__ import annotations

import numpy as np

from base_attentive.commands.scoring import TABLE_COLUMNS, coverage_key

EXPLAIN_WINDOWS = 256  # test windows averaged in the explanation plots


def write_plots(folder, model, dataset, windows, forecast, quantiles, history, count):
    """Writes the PNG plots of a run into `folder.plots`.

    Args:
        folder: the `RunFolder`.
        model: the trained `BaseAttentive`.
        dataset: the fitted `ForecastDataset`.
        windows: the test `WindowDataset` (not shuffled).
        forecast: `(N, H, Q, O)` model quantiles of `windows`, original units.
        quantiles: the Q levels.
        history: the `History` of `model.fit`.
        count: number of series with a fan chart (their last test window).

    Returns:
        list of the written paths.
    """
    from base_attentive import plotting

    paths = [folder.plot_path("history")]
    plotting.plot_history(history, path=paths[0])
    paths += _fan_charts(folder, dataset, windows, forecast, quantiles, count)
    chosen = np.unique(
        np.linspace(0, windows.num_windows - 1, EXPLAIN_WINDOWS).astype(np.int64)
    )
    inputs = windows.arrays.gather(
        windows.starts[chosen], windows.window_series[chosen], with_targets=False
    )
    explanation = model.explain(list(inputs))
    if explanation["variable_selection"]:
        paths.append(folder.plot_path("variable_importance"))
        plotting.plot_variable_importance(
            explanation, dataset.feature_names(), path=paths[-1]
        )
    lookback, horizon = dataset.spec.lookback, dataset.spec.forecast_horizon
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


def _fan_charts(folder, dataset, windows, forecast, quantiles, count):
    from base_attentive import plotting

    spec, arrays = dataset.spec, windows.arrays
    paths = []
    for series in np.unique(windows.window_series)[:count]:
        last = np.flatnonzero(windows.window_series == series)[-1]
        start = windows.starts[last]
        past = np.arange(start, start + spec.lookback)
        future = np.arange(
            start + spec.lookback, start + spec.lookback + spec.forecast_horizon
        )
        series_id = arrays.series_ids[series]
        for index, target in enumerate(spec.target_columns):
            name = f"forecast_{series_id}"
            if len(spec.target_columns) > 1:
                name += f"_{target}"
            paths.append(folder.plot_path(name))
            plotting.plot_forecast(
                arrays.times[future],
                forecast[last, :, :, index],
                quantiles,
                actual=arrays.target[future, index],
                history_time=arrays.times[past],
                history=arrays.target[past, index],
                title=f"{series_id}: {target}, last test window",
                ylabel=target,
                path=paths[-1],
            )
    return paths


def _markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join(" --- " for _ in headers) + "|")
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def metrics_markdown(scores):
    """Markdown table of `{name: score dict}` with the printed columns."""
    first = next(iter(scores.values()))
    cover = coverage_key(first)
    headers = ["forecast"] + [
        f"{cover.split('@')[1]} coverage" if key == "coverage@" and cover else header
        for key, header in TABLE_COLUMNS
    ]
    rows = []
    for name, result in scores.items():
        row = [name]
        for key, _ in TABLE_COLUMNS:
            key = cover if key == "coverage@" else key
            value = result.get(key) if key else None
            if value is None or not np.isfinite(value):
                row.append("n/a")
            else:
                row.append(f"{value:.1%}" if "@" in key else f"{value:.4g}")
        rows.append(row)
    return _markdown_table(headers, rows)


def write_report(folder, run, scores, plot_paths):
    """Writes `report.md`: data, model, training, metrics, plots, files.

    Args:
        folder: the `RunFolder`.
        run: the `run.json` content.
        scores: `{"model": ..., "baseline": ...}` score dicts.
        plot_paths: the written plots.
    """
    data, training = run["data"], run["training"]
    settings = run["settings"]
    lines = [
        f"# base-attentive run `{folder.root.name}`",
        "",
        f"Trained {run['finished']} with `{run['command']}` on the "
        f"**{run['backend']}** backend (Keras {run['versions']['keras']}, "
        f"base-attentive {run['versions']['base_attentive']}) in "
        f"{run['seconds']:.0f} s.",
        "",
        "## Data",
        "",
        f"- source: {data['source']}; {data['series']} series, "
        f"{data['first_time']} .. {data['last_time']} (frequency "
        f"`{data['freq']}`)",
        f"- split: training before {data['validation_start']}, validation "
        f"from {data['validation_start']}, test from {data['test_start']}",
        f"- windows: {data['windows']['train']:,} train, "
        f"{data['windows']['validation']:,} validation, "
        f"{data['windows']['test']:,} test (lookback {settings['lookback']}, "
        f"horizon {settings['horizon']})",
        f"- target {settings['target']}; static {settings['static']}; "
        f"past-observed {settings['past']}; known-future {settings['future']}; "
        f"calendar {data['calendar']}",
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
        "- quantile intervals "
        + (
            "recalibrated on the validation windows (split-conformal, per "
            "horizon step; `calibration.json`)"
            if training["calibration"]["applied"]
            else "not recalibrated (`--calibrate no`)"
        ),
        "",
        f"## Test metrics ({data['test_start']} .. {data['last_time']}, "
        "original units)",
        "",
        metrics_markdown(
            {
                "base-attentive": scores["model"],
                f"seasonal naive (season {run['baseline']['season']})": scores[
                    "baseline"
                ],
            }
        ),
        "",
        "MAE and MASE score the median (q0.5); MASE divides each series' MAE by "
        "its mean absolute seasonal difference on the training period. The "
        "seasonal-naive baseline repeats the value one season earlier and takes "
        "its quantiles from the empirical distribution of its own residuals on "
        "the training period (per series and seasons back).",
        "",
        "### Mean absolute error by horizon step",
        "",
        _markdown_table(
            ["step", "base-attentive", "seasonal naive"],
            [
                [step + 1, f"{model:.4g}", f"{naive:.4g}"]
                for step, (model, naive) in enumerate(
                    zip(
                        scores["model"]["per_horizon"]["mae"],
                        scores["baseline"]["per_horizon"]["mae"],
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
        "`model.keras` (load with `base_attentive.load_model`), `dataset.json` "
        "(`ForecastDataset.load`), `baseline.json`, `run.json` (settings), "
        "`metrics.json`, `forecasts.csv` (test period, every quantile, original "
        "units), `plots/`.",
        "",
    ]
    folder.path("report").write_text("\n".join(lines), "utf-8")
    return folder.path("report")
