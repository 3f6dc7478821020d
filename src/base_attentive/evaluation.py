"""Scoring a quantile forecast: the metrics table of the `Forecaster`, the
CLI's `train` and `evaluate`, and the benchmarks (NumPy only).

All in original units, from `base_attentive.metrics`:
- `mae`, `rmse`, `smape` on the median (the level 0.5, see
  `base_attentive.quantiles`);
- `mase`, the package's one MASE (`metrics.mase`): per series, the mean
  absolute error of the median over all its forecasts divided by the
  series' mean absolute seasonal difference over the training period, then
  averaged over series. A series whose scale is 0 or undefined (constant
  over the training period) is left out, with a warning naming it, and
  `mase_series` says how many series the mean covers;
- `mean_quantile_loss` (mean pinball loss over levels and entries), `crps`,
  `pinball@q` and `qrisk@q` per level;
- `coverage@80%` / `width@80%` / `winkler@80%` (the interval score) /
  `msis@80%` (the interval score scaled like MASE): the interval of levels
  0.1 and 0.9 (else the widest central interval, named after its nominal
  level).

Missing actuals (NaN) are left out of every metric.

`score` returns one row for the whole forecast (`horizon_step` "all") and
one per horizon step.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from base_attentive import metrics
from base_attentive.quantiles import report_interval, validate_quantiles

__all__ = ["HEADLINE", "coverage_column", "score"]

# The metrics of printed tables, in order (the interval's name varies).
HEADLINE = ("mae", "mase", "mean_quantile_loss", "coverage@")


def coverage_column(columns):
    """The `coverage@...` column among `columns`, or None."""
    return next((name for name in columns if str(name).startswith("coverage@")), None)


def score(y_true, forecast, quantiles, *, series=None, scale=None, series_ids=None):
    """Metrics of one quantile forecast, overall and per horizon step.

    Missing actuals (NaN in `y_true`, e.g. masked targets of
    `missing="mask"`) are left out of every metric: each metric averages
    over the observed entries only (per series, for MASE and MSIS).

    Args:
        y_true: `(N, H, O)` targets, original units; NaN where unobserved.
        forecast: `(N, H, Q, O)` quantile forecasts, original units.
        quantiles: the Q levels (including 0.5).
        series: `(N,)` series index of each window (a row of `scale`).
        scale: `(num_series, O)` MASE scales (`SeasonalNaive.mase_scale`);
            None leaves MASE and MSIS out.
        series_ids: the ids of the series (rows of `scale`), for warnings.

    Returns:
        `pandas.DataFrame` with a `horizon_step` column ("all", then
        1..H) and one column per metric.

    Raises:
        ValueError: if no actual is observed.
    """
    quantiles = validate_quantiles(quantiles, require_median=True)
    y_true = np.asarray(y_true, dtype=np.float64)
    forecast = np.asarray(forecast, dtype=np.float64)
    observed = np.isfinite(y_true)
    if not observed.any():
        raise ValueError(
            "No actual value is observed in the forecast period: nothing to "
            f"score ({y_true.size} entries, all missing)."
        )
    if scale is not None and series is None:
        raise ValueError("`score` needs `series` (one per window) with `scale`.")
    series = None if series is None else np.asarray(series, dtype=np.int64)
    scale = None if scale is None else np.asarray(scale, dtype=np.float64)
    if scale is not None:
        _warn_undefined_scales(series, scale, series_ids, observed)
    rows = [
        {"horizon_step": "all", **_metrics(y_true, forecast, quantiles, series, scale)}
    ]
    for step in range(y_true.shape[1]):
        part = slice(step, step + 1)
        values = {}
        if observed[:, part].any():
            values = _metrics(
                y_true[:, part], forecast[:, part], quantiles, series, scale
            )
        rows.append({"horizon_step": step + 1, **values})
    frame = pd.DataFrame(rows)
    if "mase" in frame.columns:
        used = np.unique(series[observed.any(axis=(1, 2))])
        defined = (np.isfinite(scale) & (scale > 0.0)).all(axis=1)
        frame["mase_series"] = int(defined[used].sum())
    return frame


def _metrics(y_true, forecast, quantiles, series, scale):
    """Metric name -> value of one slice; entries with a NaN actual left out.

    With every actual observed the arrays are scored as they are. Otherwise
    the observed entries become windows of one step and one target, each
    pooled with its (series, target) for MASE and MSIS: the same means over
    the observed entries.
    """
    observed = np.isfinite(y_true)
    if not observed.all():
        num_targets = y_true.shape[-1]
        window, _, target = np.nonzero(observed)
        y_true = y_true[observed][:, None, None]
        forecast = np.moveaxis(forecast, -2, -1)[observed][:, None, :, None]
        if scale is not None:
            series = series[window] * num_targets + target
            scale = scale.reshape(-1, 1)
    row = _as_row(metrics.evaluate(y_true, forecast, quantiles=quantiles))
    if scale is not None:
        pair = report_interval(quantiles)
        median = forecast[:, :, quantiles.index(0.5), :]
        scaled = {"scale": scale, "series": series, "undefined": "skip"}
        values = {"mase": metrics.mase(y_true, median, **scaled)}
        if pair is not None:
            low, high, nominal = pair
            values[f"msis@{100 * nominal:g}%"] = metrics.msis(
                y_true,
                forecast[:, :, low, :],
                forecast[:, :, high, :],
                1.0 - nominal,
                **scaled,
            )
        row = _insert_after(row, "mae", values)
    return row


def _insert_after(row, key, values):
    """`row` (a dict) with `values` inserted after `key`."""
    out = {}
    for name, value in row.items():
        out[name] = value
        if name == key:
            out.update(values)
    return out


def _as_row(table):
    return dict(zip(table["metric"], table["value"].astype(float), strict=True))


def _warn_undefined_scales(series, scale, series_ids, observed):
    """Warns about the series that MASE and MSIS leave out."""
    used = np.unique(series[observed.any(axis=(1, 2))])
    defined = (np.isfinite(scale) & (scale > 0.0)).all(axis=1)
    skipped = [int(index) for index in used if not defined[index]]
    if skipped:
        names = [series_ids[i] if series_ids is not None else i for i in skipped]
        warnings.warn(
            f"MASE and MSIS leave out {len(skipped)} of {len(used)} series whose "
            "training period has no seasonal variation (scale 0 or undefined): "
            f"{names[:10]}{' ...' if len(names) > 10 else ''}. The other metrics "
            "cover every series.",
            RuntimeWarning,
            stacklevel=4,
        )
