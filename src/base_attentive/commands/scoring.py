"""Test metrics of a quantile forecast, for the model and the baseline alike.

All in original units, from `base_attentive.metrics`:
- `mae`, `rmse`, `smape`, on the median (level 0.5);
- `mase`: per series, the MAE of the median divided by the series' training
  mean absolute seasonal difference (`SeasonalNaive.mase_scale`), then
  averaged over series (series with an undefined scale are left out);
- `mean_quantile_loss` (mean pinball loss over levels and entries), `crps`;
- `coverage@80%` / `width@80%`: the interval of levels 0.1 and 0.9 (else
  the widest central interval, named after its nominal level).
"""

from __future__ import annotations

import numpy as np

from base_attentive import metrics

# The columns of the printed table: (metric key or prefix, header).
TABLE_COLUMNS = (
    ("mae", "MAE"),
    ("mase", "MASE"),
    ("mean_quantile_loss", "mean quantile loss"),
    ("coverage@", "coverage"),
)


def predict_quantiles(model, windows, calibrator=None):
    """Model quantiles of `windows` in scaled units, recalibrated if given.

    Args:
        model: the trained model (quantile head).
        windows: a `WindowDataset`, not shuffled.
        calibrator: a fitted `ConformalQuantileCalibrator` or None.

    Returns:
        `(N, H, Q, O)` array (scaled units, for
        `ForecastDataset.forecast_frame` / `inverse_transform`).
    """
    scaled = model.predict(windows, verbose=0)
    return scaled if calibrator is None else calibrator.adjust(scaled)


def forecast_and_score(model, dataset, baseline, windows, quantiles, calibrator=None):
    """Forecasts `windows` with the model and the baseline, and scores both.

    Args:
        model: the trained model (quantile head).
        dataset: its fitted `ForecastDataset`.
        baseline: the fitted `SeasonalNaive`.
        windows: a `WindowDataset` with targets, not shuffled.
        quantiles: the levels.
        calibrator: optional fitted `ConformalQuantileCalibrator` applied to
            the model quantiles.

    Returns:
        `(scaled, model_forecast, scores)`: the model output
        `(N, H, Q, O)` in scaled units (for
        `ForecastDataset.forecast_frame`), the same in original units, and
        `{"model": ..., "baseline": ...}` score dicts (with per-horizon MAE
        and mean quantile loss).
    """
    scaled = predict_quantiles(model, windows, calibrator)
    model_forecast = dataset.to_original_units(scaled, windows)
    y_true = targets_of(windows)
    series_index = baseline.series_index(windows)
    scores = {
        name: score(
            y_true,
            forecast,
            quantiles,
            series_index,
            baseline.mase_scale,
            by_horizon=True,
        )
        for name, forecast in (
            ("model", model_forecast),
            ("baseline", baseline.predict(windows)),
        )
    }
    return scaled, model_forecast, scores


def targets_of(windows):
    """Observed targets `(N, H, O)` of a `WindowDataset`, original units."""
    arrays = windows.arrays
    rows = (
        windows.starts[:, None] + arrays.lookback + np.arange(arrays.forecast_horizon)
    )
    return arrays.target[rows]


def score(y_true, forecast, quantiles, series_index, mase_scale, by_horizon=False):
    """Metrics of one quantile forecast.

    Args:
        y_true: `(N, H, O)` targets.
        forecast: `(N, H, Q, O)` quantile forecasts.
        quantiles: the Q levels (including 0.5).
        series_index: `(N,)` series position of each window (rows of
            `mase_scale`).
        mase_scale: `(num_series, O)` MASE denominators (NaN: undefined).
        by_horizon: also return per-horizon MAE and mean quantile loss.

    Returns:
        dict metric -> float (and `"per_horizon"` -> dict of lists).
    """
    table = metrics.evaluate(y_true, forecast, quantiles=quantiles)
    result = dict(zip(table["metric"], table["value"].astype(float), strict=True))
    median = forecast[:, :, quantiles.index(0.5), :]
    result["mase"] = _mase(y_true, median, series_index, mase_scale)
    if by_horizon:
        per = metrics.evaluate(y_true, forecast, quantiles=quantiles, by="horizon")
        result["per_horizon"] = {
            name: per.loc[per["metric"] == name, "value"].astype(float).tolist()
            for name in ("mae", "mean_quantile_loss")
        }
    return result


def _mase(y_true, median, series_index, mase_scale):
    ratios = []
    for series in np.unique(series_index):
        chosen = series_index == series
        error = np.abs(y_true[chosen] - median[chosen]).mean(axis=(0, 1))  # (O,)
        ratios.append(error / mase_scale[series])
    ratios = np.concatenate(ratios)
    ratios = ratios[np.isfinite(ratios)]
    return float(ratios.mean()) if ratios.size else float("nan")


def coverage_key(result):
    """The `coverage@...` key of a score (its nominal level varies)."""
    return next((key for key in result if key.startswith("coverage@")), None)


def score_rows(scores, season):
    """`(name, score)` rows of the model and the baseline, for tables."""
    return [
        ("base-attentive", scores["model"]),
        (f"seasonal naive (season {season})", scores["baseline"]),
    ]


def format_table(rows):
    """A plain-text table of scores.

    Args:
        rows: list of `(name, score dict)`, e.g. from `score_rows`.

    Returns:
        str, one line per row under a header.
    """
    headers = ["forecast"]
    for key, header in TABLE_COLUMNS:
        if key == "coverage@":
            found = coverage_key(rows[0][1])
            header = f"{found.split('@')[1]} coverage" if found else header
        headers.append(header)
    lines = [headers]
    for name, result in rows:
        cells = [name]
        for key, _ in TABLE_COLUMNS:
            key = coverage_key(result) if key == "coverage@" else key
            value = result.get(key, float("nan")) if key else float("nan")
            cells.append(f"{value:.1%}" if key and "@" in key else f"{value:.4g}")
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    text = []
    for index, line in enumerate(lines):
        text.append(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            )
        )
        if index == 0:
            text.append("  ".join("-" * width for width in widths))
    return "\n".join(text)
