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
- `coverage@80%` / `width@80%`: the interval of levels 0.1 and 0.9 (else
  the widest central interval, named after its nominal level).

`score` returns one row for the whole forecast (`horizon_step` "all") and
one per horizon step.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from base_attentive import metrics
from base_attentive.quantiles import validate_quantiles

__all__ = ["HEADLINE", "coverage_column", "score"]

# The metrics of printed tables, in order (the interval's name varies).
HEADLINE = ("mae", "mase", "mean_quantile_loss", "coverage@")


def coverage_column(columns):
    """The `coverage@...` column among `columns`, or None."""
    return next((name for name in columns if str(name).startswith("coverage@")), None)


def score(y_true, forecast, quantiles, *, series=None, scale=None, series_ids=None):
    """Metrics of one quantile forecast, overall and per horizon step.

    Args:
        y_true: `(N, H, O)` targets, original units.
        forecast: `(N, H, Q, O)` quantile forecasts, original units.
        quantiles: the Q levels (including 0.5).
        series: `(N,)` series index of each window (a row of `scale`).
        scale: `(num_series, O)` MASE scales (`SeasonalNaive.mase_scale`);
            None leaves MASE out.
        series_ids: the ids of the series (rows of `scale`), for warnings.

    Returns:
        `pandas.DataFrame` with a `horizon_step` column ("all", then
        1..H) and one column per metric.
    """
    quantiles = validate_quantiles(quantiles, require_median=True)
    y_true = np.asarray(y_true, dtype=np.float64)
    forecast = np.asarray(forecast, dtype=np.float64)
    overall = _as_row(metrics.evaluate(y_true, forecast, quantiles=quantiles))
    per_step = metrics.evaluate(y_true, forecast, quantiles=quantiles, by="horizon")
    rows = [{"horizon_step": "all", **overall}]
    for step, table in per_step.groupby("horizon", sort=True):
        rows.append({"horizon_step": int(step), **_as_row(table)})
    frame = pd.DataFrame(rows)
    if scale is not None:
        _add_mase(frame, y_true, forecast, quantiles, series, scale, series_ids)
    return frame


def _as_row(table):
    return dict(zip(table["metric"], table["value"].astype(float), strict=True))


def _add_mase(frame, y_true, forecast, quantiles, series, scale, series_ids):
    """Adds `mase` (and `mase_series`) columns; warns about skipped series."""
    if series is None:
        raise ValueError("`score` needs `series` (one per window) with `scale`.")
    scale = np.asarray(scale, dtype=np.float64)
    series = np.asarray(series, dtype=np.int64)
    median = forecast[:, :, quantiles.index(0.5), :]
    used = np.unique(series)
    defined = (np.isfinite(scale) & (scale > 0.0)).all(axis=1)
    skipped = [int(index) for index in used if not defined[index]]
    if skipped:
        names = [series_ids[i] if series_ids is not None else i for i in skipped]
        warnings.warn(
            f"MASE leaves out {len(skipped)} of {len(used)} series whose "
            "training period has no seasonal variation (scale 0 or undefined): "
            f"{names[:10]}{' ...' if len(names) > 10 else ''}. The other metrics "
            "cover every series.",
            RuntimeWarning,
            stacklevel=3,
        )
    values = [
        metrics.mase(y_true, median, scale=scale, series=series, undefined="skip")
    ]
    for step in range(y_true.shape[1]):
        values.append(
            metrics.mase(
                y_true[:, step : step + 1],
                median[:, step : step + 1],
                scale=scale,
                series=series,
                undefined="skip",
            )
        )
    position = list(frame.columns).index("mae") + 1
    frame.insert(position, "mase", values)
    frame["mase_series"] = len(used) - len(skipped)
