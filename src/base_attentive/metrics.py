"""Forecast metrics in NumPy: evaluation needs no deep-learning framework.

Shapes follow the model: targets ``y_true`` are ``(B, H, O)`` (windows,
horizon steps, targets), point forecasts have the same shape and quantile
forecasts are ``(B, H, Q, O)``, the quantile axis being the second to last.
Every function returns plain Python floats or NumPy arrays and validates its
arguments (shapes, finiteness, quantile levels) with errors that name the
argument, what was expected and what was received.

Example:

```python
import numpy as np
from base_attentive import metrics

y = np.array([[[1.0], [2.0]]])  # (B=1, H=2, O=1)
forecast = np.array([[[[0.5], [1.0], [1.5]], [[1.0], [2.5], [3.0]]]])
metrics.evaluate(y, forecast, quantiles=[0.1, 0.5, 0.9])
```
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from base_attentive.quantiles import (
    central_intervals,
    find_median,
    report_interval,
    validate_quantiles,
)

__all__ = [
    "central_intervals",
    "crps_from_quantiles",
    "crps_from_samples",
    "evaluate",
    "interval_coverage",
    "interval_width",
    "mae",
    "mase",
    "mase_scale",
    "mean_quantile_loss",
    "msis",
    "normalized_quantile_loss",
    "pinball_loss",
    "rmse",
    "smape",
    "validate_quantiles",
    "winkler_score",
]


# --------------------------------------------------------------------------
# Argument checks (shared with `distributions`, `calibration` and `losses`)
# --------------------------------------------------------------------------
def _levels(quantiles, name="quantiles"):
    """The validated levels as a float64 array (see `validate_quantiles`)."""
    return np.asarray(validate_quantiles(quantiles, name), dtype=np.float64)


def _as_array(value, name):
    """Converts to a finite float64 array, naming `name` on failure."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"`{name}` must be array-like of numbers. "
            f"Received: type {type(value).__name__}"
        ) from error
    if array.ndim == 0:
        raise ValueError(
            f"`{name}` must have at least one dimension. Received: a scalar"
        )
    if array.size == 0:
        raise ValueError(f"`{name}` must not be empty. Received: shape {array.shape}")
    if not np.all(np.isfinite(array)):
        count = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(
            f"`{name}` must contain only finite values. Received: {count} "
            f"NaN or infinite value(s) in an array of shape {array.shape}"
        )
    return array


def _same_shape(a, b, name_a, name_b):
    """Converts both arguments and checks that their shapes are equal."""
    a = _as_array(a, name_a)
    b = _as_array(b, name_b)
    if a.shape != b.shape:
        raise ValueError(
            f"`{name_a}` and `{name_b}` must have the same shape. "
            f"Received: {name_a}.shape={a.shape}, {name_b}.shape={b.shape}"
        )
    return a, b


def _quantile_forecast(y_true, y_quantiles, quantiles):
    """Validates a quantile forecast against its targets.

    `y_quantiles` must have the shape of `y_true` with a quantile axis of
    length Q inserted before the last (target) axis: `(B, H, O)` ->
    `(B, H, Q, O)`.
    """
    levels = _levels(quantiles)
    y_true = _as_array(y_true, "y_true")
    y_quantiles = _as_array(y_quantiles, "y_quantiles")
    expected = y_true.shape[:-1] + (levels.size,) + y_true.shape[-1:]
    if y_quantiles.shape != expected:
        raise ValueError(
            "`y_quantiles` must have the shape of `y_true` with the quantile "
            f"axis (length {levels.size}) before the last axis, i.e. "
            f"{expected}. Received: y_true.shape={y_true.shape}, "
            f"y_quantiles.shape={y_quantiles.shape}, quantiles={levels.tolist()}"
        )
    return y_true, y_quantiles, levels


def _interval(lower, upper):
    lower, upper = _same_shape(lower, upper, "lower", "upper")
    if np.any(lower > upper):
        count = int(np.count_nonzero(lower > upper))
        raise ValueError(
            "`lower` must not exceed `upper`. Received: lower > upper at "
            f"{count} of {lower.size} positions (are the bounds swapped, or "
            "do the forecast quantiles cross?)"
        )
    return lower, upper


# --------------------------------------------------------------------------
# Point metrics
# --------------------------------------------------------------------------
def mae(y_true, y_pred):
    """Mean absolute error, `mean(|y - y_hat|)` over all entries.

    Args:
        y_true: targets, any shape (typically `(B, H, O)`).
        y_pred: point forecasts, same shape.

    Returns:
        float.
    """
    y_true, y_pred = _same_shape(y_true, y_pred, "y_true", "y_pred")
    return float(np.mean(np.abs(y_true - y_pred)))


def rmse(y_true, y_pred):
    """Root mean squared error, `sqrt(mean((y - y_hat)^2))` over all entries.

    Args:
        y_true: targets, any shape.
        y_pred: point forecasts, same shape.

    Returns:
        float.
    """
    y_true, y_pred = _same_shape(y_true, y_pred, "y_true", "y_pred")
    return float(np.sqrt(np.mean(np.square(y_true - y_pred))))


def smape(y_true, y_pred):
    """Symmetric mean absolute percentage error, in percent (0 to 200).

    `smape = 100 * mean(2 |y - y_hat| / (|y| + |y_hat|))` (the M4 definition).
    Convention for `0 / 0`: an entry where both `y` and `y_hat` are 0 is a
    perfect forecast and contributes 0 (it still counts in the mean).

    Args:
        y_true: targets, any shape.
        y_pred: point forecasts, same shape.

    Returns:
        float, in percent.
    """
    y_true, y_pred = _same_shape(y_true, y_pred, "y_true", "y_pred")
    numerator = 2.0 * np.abs(y_true - y_pred)
    denominator = np.abs(y_true) + np.abs(y_pred)
    safe = np.where(denominator > 0.0, denominator, 1.0)
    ratio = np.where(denominator > 0.0, numerator / safe, 0.0)
    return float(100.0 * np.mean(ratio))


def mase_scale(y_insample, seasonality=1):
    """The MASE denominator of each series: its in-sample mean absolute
    seasonal difference, `mean_t |x_t - x_{t-m}|`.

    Args:
        y_insample: the in-sample (training) history, `(T,)` for one series
            or `(N, T, ...)` with time on axis 1 (every other index is one
            series). NaN values (unobserved steps) are left out of the mean.
        seasonality: season length `m >= 1` (1 = naive forecast scale).

    Returns:
        float for 1-D input, else an array of the non-time shape `(N, ...)`;
        NaN where a series has no pair of observed values `m` steps apart.
    """
    seasonality = _seasonality(seasonality)
    history = np.asarray(y_insample, dtype=np.float64)
    if history.ndim == 0:
        raise ValueError("`y_insample` must have a time axis. Received: a scalar")
    axis = 0 if history.ndim == 1 else 1
    length = history.shape[axis]
    if length <= seasonality:
        raise ValueError(
            f"`y_insample` needs more than seasonality={seasonality} time "
            f"steps along axis {axis} to compute the MASE scale. Received: "
            f"{length} step(s), y_insample.shape={history.shape}"
        )
    diffs = np.abs(
        np.take(history, np.arange(seasonality, length), axis=axis)
        - np.take(history, np.arange(0, length - seasonality), axis=axis)
    )
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN series -> NaN
        scale = np.nanmean(diffs, axis=axis)
    return float(scale) if np.ndim(scale) == 0 else scale


def _seasonality(seasonality):
    if isinstance(seasonality, bool) or not isinstance(seasonality, int | np.integer):
        raise TypeError(
            f"`seasonality` must be an integer >= 1. Received: "
            f"seasonality={seasonality!r}"
        )
    if seasonality < 1:
        raise ValueError(
            f"`seasonality` must be >= 1. Received: seasonality={seasonality}"
        )
    return int(seasonality)


def mase(
    y_true,
    y_pred,
    y_insample=None,
    seasonality=1,
    *,
    scale=None,
    series=None,
    undefined="raise",
):
    """Mean absolute scaled error (Hyndman and Koehler, 2006).

    The one MASE of the package (the `Forecaster`, the CLI and
    `evaluate` all use it). For one series `s` (and one target),

        MASE_s = mean |y - y_hat| / scale_s,
        scale_s = mean_t |x_t - x_{t-m}| over its in-sample history x,

    the mean taken over every forecast of that series (all its windows and
    horizon steps). Several series: the mean of their `MASE_s` (equal
    weight per series and target).

    Which windows form a series: with `series` (one series index per
    window), all windows of a series are pooled and share its scale; without
    it, every window is its own series (for example one forecast per series
    from the end of each series). Every target (last axis) is a series of
    its own.

    Args:
        y_true: targets, `(H,)` (one series) or `(B, H, ...)` (time on
            axis 1).
        y_pred: point forecasts, the shape of `y_true`.
        y_insample: in-sample history to compute the scale from:
            `(T,)`, or `(S, T, ...)` with one row per series (`S` = the
            number of series with `series`, else `B`). Give this or `scale`.
        seasonality: season length `m` for the scale. Default 1.
        scale: precomputed scales (from `mase_scale`), `(S, ...)`, instead
            of `y_insample`.
        series: optional int array `(B,)`, the series (row of the scale) of
            each window.
        undefined: what to do with a series whose scale is 0 or NaN (a
            constant or exactly periodic history, or one without observed
            values `m` apart), for which MASE is undefined: `"raise"`
            (default) or `"skip"` (leave it out of the mean; NaN when no
            series is left). Callers that skip say so to their users
            (`base_attentive.evaluation` does).

    Returns:
        float.

    Raises:
        ValueError: with `undefined="raise"`, if a scale is 0 or undefined.
    """
    if undefined not in ("raise", "skip"):
        raise ValueError(
            f"`undefined` must be 'raise' or 'skip'. Received: undefined={undefined!r}"
        )
    y_true, y_pred = _same_shape(y_true, y_pred, "y_true", "y_pred")
    scale = _scale_argument(scale, y_insample, seasonality)
    if y_true.ndim == 1:
        errors = np.mean(np.abs(y_true - y_pred))
        return _scaled_mean(errors, scale, (), undefined)
    return _pooled_scaled_mean(np.abs(y_true - y_pred), scale, series, undefined)


def _scale_argument(scale, y_insample, seasonality, metric="mase"):
    """The scale array of `mase` / `msis`: given, or from `y_insample`."""
    if (scale is None) == (y_insample is None):
        raise ValueError(
            f"`{metric}` needs either `y_insample` (to compute the scale) or "
            "`scale`, not both. Received: "
            f"y_insample={'given' if y_insample is not None else None}, "
            f"scale={'given' if scale is not None else None}"
        )
    if scale is None:
        scale = mase_scale(_as_array(y_insample, "y_insample"), seasonality)
    return np.asarray(scale, dtype=np.float64)


def _pooled_scaled_mean(errors, scale, series, undefined):
    """Mean over series of (mean error of the series) / (its scale).

    `errors` is `(B, H, ...)`: the windows' errors, time on axis 1. With
    `series`, the windows of a series are pooled; without, every window is
    a series. Shared by `mase` and `msis`.
    """
    per_window = np.mean(errors, axis=1)  # (B, ...)
    if series is None:
        rows = np.arange(len(per_window))
        expected = per_window.shape
        if len(scale) != len(per_window):
            raise ValueError(
                "Without `series`, every window is its own series and needs "
                f"its own in-sample history: {len(per_window)} row(s), like "
                f"`y_true` on every axis except the time axis (1). Received: "
                f"{len(scale)} row(s) of history or scale"
            )
    else:
        series = np.asarray(series)
        if series.shape != (len(per_window),):
            raise ValueError(
                "`series` must hold one series index per window. Received: "
                f"series.shape={series.shape} for {len(per_window)} windows"
            )
        rows, inverse = np.unique(series, return_inverse=True)
        counts = np.bincount(inverse).reshape((-1,) + (1,) * (per_window.ndim - 1))
        sums = np.zeros((len(rows),) + per_window.shape[1:])
        np.add.at(sums, inverse, per_window)
        per_window = sums / counts
        expected = (int(rows.max()) + 1,) + per_window.shape[1:]
    if scale.ndim != per_window.ndim or scale.shape[1:] != per_window.shape[1:]:
        raise ValueError(
            f"`scale` must have one row per series and the shape {expected[1:]} "
            f"after it. Received: scale.shape={scale.shape}"
        )
    if rows.max() >= len(scale):
        raise ValueError(
            f"`scale` has {len(scale)} row(s) but `series` refers to row "
            f"{int(rows.max())}."
        )
    return _scaled_mean(per_window, scale[rows], rows, undefined)


def _scaled_mean(errors, scale, rows, undefined):
    """Mean of `errors / scale` over the series whose scale is defined."""
    bad = ~(np.isfinite(scale) & (scale > 0.0))
    if undefined == "skip":
        if np.all(bad):
            return float("nan")
        return float(np.mean((np.asarray(errors) / np.where(bad, 1.0, scale))[~bad]))
    if np.any(bad):
        first = np.argwhere(bad)[0]
        where = f"series {int(np.asarray(rows)[first[0]])}" if len(first) else "it"
        raise ValueError(
            "MASE is undefined for a series whose in-sample seasonal "
            "differences are all 0 or unobserved (scale 0 or NaN). Received: "
            f"{int(np.count_nonzero(bad))} such scale(s), the first for {where}. "
            "Leave such series out, or use MAE."
        )
    return float(np.mean(errors / scale))


# --------------------------------------------------------------------------
# Quantile metrics
# --------------------------------------------------------------------------
def _pinball(y_true, y_quantiles, levels):
    """Elementwise pinball loss, shape of `y_quantiles`."""
    error = np.expand_dims(y_true, axis=-2) - y_quantiles
    q = levels.reshape(-1, 1)
    return np.maximum(q * error, (q - 1.0) * error)


def pinball_loss(y_true, y_quantiles, quantiles):
    """Pinball (quantile) loss per quantile level.

    For level `q` and error `e = y - y_hat_q`:
    `pinball_q = max(q * e, (q - 1) * e)`, averaged over all windows,
    horizon steps and targets.

    Args:
        y_true: targets `(B, H, O)`.
        y_quantiles: quantile forecasts `(B, H, Q, O)`.
        quantiles: the Q levels, strictly increasing in (0, 1).

    Returns:
        `np.ndarray` of shape `(Q,)`, one mean loss per level.
    """
    y_true, y_quantiles, levels = _quantile_forecast(y_true, y_quantiles, quantiles)
    losses = _pinball(y_true, y_quantiles, levels)
    axes = tuple(i for i in range(losses.ndim) if i != losses.ndim - 2)
    return np.mean(losses, axis=axes)


def mean_quantile_loss(y_true, y_quantiles, quantiles):
    """Pinball loss averaged over all levels and entries.

    `mean_quantile_loss = mean_{b,h,q,o} pinball_q(y_{b,h,o}, y_hat_{b,h,q,o})`;
    this is what `base_attentive.losses.PinballLoss` minimises.

    Args:
        y_true: targets `(B, H, O)`.
        y_quantiles: quantile forecasts `(B, H, Q, O)`.
        quantiles: the Q levels.

    Returns:
        float.
    """
    return float(np.mean(pinball_loss(y_true, y_quantiles, quantiles)))


def normalized_quantile_loss(y_true, y_quantiles, quantiles):
    """Normalised quantile loss ("q-risk") of the Temporal Fusion Transformer.

    For each level `q`: `q_risk = 2 * sum pinball_q(y, y_hat_q) / sum |y|`,
    sums over all windows, horizon steps and targets (Lim et al., 2021,
    where the P50 and P90 losses are reported).

    Args:
        y_true: targets `(B, H, O)`; `sum |y|` must be positive.
        y_quantiles: quantile forecasts `(B, H, Q, O)`.
        quantiles: the Q levels.

    Returns:
        `np.ndarray` of shape `(Q,)`.

    Reference:
        Lim, Arik, Loeff, Pfister (2021). Temporal Fusion Transformers for
        interpretable multi-horizon time series forecasting. IJF 37(4).
    """
    y_true, y_quantiles, levels = _quantile_forecast(y_true, y_quantiles, quantiles)
    denominator = np.sum(np.abs(y_true))
    if denominator == 0.0:
        raise ValueError(
            "The normalised quantile loss divides by sum(|y_true|), which is "
            "0. Received: y_true of all zeros"
        )
    losses = _pinball(y_true, y_quantiles, levels)
    axes = tuple(i for i in range(losses.ndim) if i != losses.ndim - 2)
    return 2.0 * np.sum(losses, axis=axes) / denominator


def crps_from_quantiles(y_true, y_quantiles, quantiles):
    """CRPS approximated from quantile forecasts.

    `CRPS(F, y) = 2 * integral_0^1 pinball_q(y, F^-1(q)) dq`, approximated by
    `2 * mean_q pinball_q` over the given levels (equal weights), then
    averaged over all entries. The approximation is good for dense, evenly
    spread levels such as `(i - 0.5) / Q`; with few levels it is a coarse
    proxy. This is twice the mean pinball loss, *not* summed over levels.

    Args:
        y_true: targets `(B, H, O)`.
        y_quantiles: quantile forecasts `(B, H, Q, O)`.
        quantiles: the Q levels.

    Returns:
        float.
    """
    return 2.0 * mean_quantile_loss(y_true, y_quantiles, quantiles)


def crps_from_samples(y_true, samples, estimator="unbiased"):
    """CRPS from forecast samples, in the energy form.

    `CRPS(F, y) = E|X - y| - 0.5 * E|X - X'|` with `X, X'` independent draws
    from `F`. From `S` samples `x_1..x_S`:

    - `estimator="unbiased"` (default, the "fair" CRPS): `E|X - X'|` is the
      mean over the `S (S - 1)` ordered pairs `i != j`; unbiased for the
      CRPS of the distribution the samples were drawn from.
    - `estimator="empirical"`: the mean over all `S^2` pairs, i.e. the exact
      CRPS of the empirical distribution of the samples (biased upwards by
      `E|X - X'| / (2 S)`).

    Computed in `O(S log S)` per entry by sorting the samples. The result is
    averaged over all entries.

    Args:
        y_true: targets `(B, H, O)`.
        samples: forecast samples `(S, B, H, O)` (the layout of
            `base_attentive.distributions.sample_distribution`); `S >= 2` for
            the unbiased estimator.
        estimator: `"unbiased"` or `"empirical"`.

    Returns:
        float.
    """
    y_true = _as_array(y_true, "y_true")
    samples = _as_array(samples, "samples")
    if samples.shape[1:] != y_true.shape:
        raise ValueError(
            "`samples` must have shape (num_samples,) + y_true.shape. "
            f"Received: y_true.shape={y_true.shape}, samples.shape={samples.shape}"
        )
    count = samples.shape[0]
    if estimator == "unbiased":
        if count < 2:
            raise ValueError(
                "The unbiased CRPS estimator needs at least 2 samples. "
                f"Received: samples.shape={samples.shape}; use "
                "estimator='empirical' or draw more samples"
            )
        pair_count = count * (count - 1)
    elif estimator == "empirical":
        pair_count = count * count
    else:
        raise ValueError(
            "`estimator` must be 'unbiased' or 'empirical'. "
            f"Received: estimator={estimator!r}"
        )
    accuracy = np.mean(np.abs(samples - y_true[None]), axis=0)
    ordered = np.sort(samples, axis=0)
    # sum_{i,j} |x_i - x_j| = 2 * sum_i (2 i - S - 1) x_(i), i = 1..S.
    weights = (2.0 * np.arange(1, count + 1) - count - 1).reshape(
        (count,) + (1,) * y_true.ndim
    )
    pair_sum = 2.0 * np.sum(weights * ordered, axis=0)
    spread = pair_sum / pair_count
    return float(np.mean(accuracy - 0.5 * spread))


# --------------------------------------------------------------------------
# Intervals
# --------------------------------------------------------------------------
def interval_coverage(y_true, lower, upper):
    """Fraction of targets inside `[lower, upper]` (bounds included).

    Args:
        y_true: targets, any shape.
        lower: lower bounds, same shape.
        upper: upper bounds, same shape, `lower <= upper`.

    Returns:
        float in [0, 1].
    """
    lower, upper = _interval(lower, upper)
    y_true, lower = _same_shape(y_true, lower, "y_true", "lower")
    return float(np.mean((y_true >= lower) & (y_true <= upper)))


def interval_width(lower, upper):
    """Mean interval width, `mean(upper - lower)`.

    Args:
        lower: lower bounds, any shape.
        upper: upper bounds, same shape, `lower <= upper`.

    Returns:
        float.
    """
    lower, upper = _interval(lower, upper)
    return float(np.mean(upper - lower))


def _alpha(alpha):
    if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.floating):
        raise TypeError(
            f"`alpha` must be a number in (0, 1). Received: alpha={alpha!r}"
        )
    if not 0.0 < alpha < 1.0:
        raise ValueError(
            "`alpha` must be in (0, 1): the interval is the central "
            f"(1 - alpha) one. Received: alpha={alpha!r}"
        )
    return float(alpha)


def _interval_scores(y_true, lower, upper, alpha):
    """Elementwise interval score, shape of `y_true`."""
    alpha = _alpha(alpha)
    lower, upper = _interval(lower, upper)
    y_true, lower = _same_shape(y_true, lower, "y_true", "lower")
    below = np.maximum(lower - y_true, 0.0)
    above = np.maximum(y_true - upper, 0.0)
    return (upper - lower) + (2.0 / alpha) * (below + above)


def winkler_score(y_true, lower, upper, alpha):
    """Winkler (interval) score of central `(1 - alpha)` intervals.

    `W = (u - l) + (2 / alpha) (l - y) 1{y < l} + (2 / alpha) (y - u) 1{y > u}`,
    averaged over all entries (Winkler, 1972; the interval score of
    Gneiting and Raftery, 2007). Lower is better: a narrow interval scores
    well only if it also covers. Units of the target.

    Args:
        y_true: targets, any shape.
        lower: lower bounds (the level `alpha / 2`), same shape.
        upper: upper bounds (the level `1 - alpha / 2`), same shape.
        alpha: the nominal miss rate in (0, 1): 0.2 for the 80% interval
            of levels 0.1 and 0.9.

    Returns:
        float.

    Example:

    >>> winkler_score([1.0, 3.0], [0.0, 0.0], [2.0, 2.0], alpha=0.2)
    7.0
    """
    return float(np.mean(_interval_scores(y_true, lower, upper, alpha)))


def msis(
    y_true,
    lower,
    upper,
    alpha,
    y_insample=None,
    seasonality=1,
    *,
    scale=None,
    series=None,
    undefined="raise",
):
    """Mean scaled interval score (M4 competition, Makridakis et al. 2020).

    The Winkler score of each series divided by the MASE scale of that
    series (its in-sample mean absolute seasonal difference), then
    averaged over series: the interval counterpart of `mase`, with the same
    pooling of windows per series, the same scales and the same handling
    of undefined scales (see `mase`).

    Args:
        y_true: targets, `(B, H, ...)` (time on axis 1).
        lower, upper: the interval bounds, shape of `y_true`.
        alpha: the nominal miss rate in (0, 1) (0.2 for the 80% interval).
        y_insample, seasonality, scale, series, undefined: as in `mase`.

    Returns:
        float.
    """
    if undefined not in ("raise", "skip"):
        raise ValueError(
            f"`undefined` must be 'raise' or 'skip'. Received: undefined={undefined!r}"
        )
    scores = _interval_scores(y_true, lower, upper, alpha)
    scale = _scale_argument(scale, y_insample, seasonality, "msis")
    if scores.ndim == 1:
        return _scaled_mean(np.mean(scores), scale, (), undefined)
    return _pooled_scaled_mean(scores, scale, series, undefined)


# --------------------------------------------------------------------------
# One-call evaluation
# --------------------------------------------------------------------------
def _metric_rows(y_true, forecast, levels, mase_args):
    """Metric name -> value for one slice of the data."""
    rows = {}
    median = None if levels is None else find_median(levels)
    point = forecast if levels is None else None
    if median is not None:
        point = np.take(forecast, median, axis=-2)
    if point is not None:
        rows = {"mae": mae(y_true, point), "rmse": rmse(y_true, point)}
        rows["smape"] = smape(y_true, point)
        if mase_args is not None:
            rows["mase"] = mase(y_true, point, **mase_args)
    if levels is None:
        return rows
    per_level = pinball_loss(y_true, forecast, levels)
    rows["mean_quantile_loss"] = float(np.mean(per_level))
    rows["crps"] = 2.0 * float(np.mean(per_level))
    for level, value in zip(levels, per_level, strict=True):
        rows[f"pinball@{level:g}"] = float(value)
    if np.sum(np.abs(y_true)) > 0.0:
        qrisk = normalized_quantile_loss(y_true, forecast, levels)
        for level, value in zip(levels, qrisk, strict=True):
            rows[f"qrisk@{level:g}"] = float(value)
    pair = report_interval(levels)
    if pair is not None:
        low, high, nominal = pair
        lower = np.take(forecast, low, axis=-2)
        upper = np.take(forecast, high, axis=-2)
        name = f"{100 * nominal:g}%"
        rows[f"coverage@{name}"] = interval_coverage(y_true, lower, upper)
        rows[f"width@{name}"] = interval_width(lower, upper)
        rows[f"winkler@{name}"] = winkler_score(y_true, lower, upper, 1.0 - nominal)
        if mase_args is not None:
            rows[f"msis@{name}"] = msis(
                y_true, lower, upper, 1.0 - nominal, **mase_args
            )
    return rows


def evaluate(
    y_true,
    forecast,
    quantiles=None,
    y_insample=None,
    seasonality=1,
    by=None,
    target_names=None,
    *,
    scale=None,
    series=None,
):
    """Evaluates a point or quantile forecast and returns a tidy table.

    Point forecasts (`quantiles=None`, `forecast` shaped like `y_true`):
    `mae`, `rmse`, `smape` (percent) and, with `y_insample` or `scale`,
    `mase` (see `mase`).

    Quantile forecasts (`forecast` `(B, H, Q, O)`): the point metrics above
    on the median (the level 0.5; without it, no point metrics), plus `mean_quantile_loss`, `crps` (twice the mean pinball, see
    `crps_from_quantiles`), `pinball@q` and `qrisk@q` per level (q-risk is
    skipped when `sum |y|` is 0), and the coverage and mean width of one
    central interval, named after its nominal coverage (e.g. `coverage@80%`,
    `width@80%`): the 80% interval (levels 0.1 and 0.9) when both levels are
    present, otherwise the widest symmetric pair `(q, 1 - q)` available; no
    interval rows when there is no such pair.

    Args:
        y_true: targets `(B, H, O)`.
        forecast: point `(B, H, O)` or quantile `(B, H, Q, O)` forecasts.
        quantiles: the Q levels of a quantile forecast; `None` for a point
            forecast. Defaults to `None`.
        y_insample: optional in-sample history for `mase`: `(B, T, O)`, one
            row per window, or `(S, T, O)`, one per series with `series`.
            Defaults to `None` (no MASE row unless `mase_scale` is given).
        seasonality: season length for `mase`. Defaults to 1.
        by: `None` for one row per metric over all data, or `"horizon"`,
            `"target"` or `("horizon", "target")` for one row per metric and
            group. Defaults to `None`.
        target_names: optional names of the O targets for the `target`
            column. Defaults to the indices `0..O-1`.
        scale: precomputed MASE scales `(S, O)` instead of
            `y_insample` (see `mase_scale`).
        series: optional `(B,)` series index of each window: MASE pools the
            windows of a series (see `mase`).

    Returns:
        `pandas.DataFrame` in long format with columns `metric` and `value`,
        preceded by `horizon` (1-based steps ahead) and/or `target` when
        grouped by them.

    Example:

    ```python
    import numpy as np
    y = np.random.default_rng(0).normal(10.0, 1.0, size=(50, 3, 1))
    forecast = 10.0 + np.array([-1.28, 0.0, 1.28]).reshape(1, 1, 3, 1)
    forecast = np.broadcast_to(forecast, (50, 3, 3, 1))
    table = evaluate(y, forecast, quantiles=[0.1, 0.5, 0.9], by="horizon")
    table[table.metric == "coverage@80%"]
    ```
    """
    y_true = _as_array(y_true, "y_true")
    if y_true.ndim != 3:
        raise ValueError(
            "`y_true` must have shape (batch, horizon, targets). "
            f"Received: y_true.shape={y_true.shape}"
        )
    if quantiles is None:
        y_true, forecast = _same_shape(y_true, forecast, "y_true", "forecast")
        levels = None
    else:
        y_true, forecast, levels = _quantile_forecast(y_true, forecast, quantiles)
    if y_insample is not None:
        scale = mase_scale(_as_array(y_insample, "y_insample"), seasonality)
    group_by = (by,) if isinstance(by, str) else tuple(by or ())
    unknown = [key for key in group_by if key not in ("horizon", "target")]
    if unknown or len(set(group_by)) != len(group_by):
        raise ValueError(
            "`by` must be None, 'horizon', 'target' or ('horizon', 'target'). "
            f"Received: by={by!r}"
        )
    num_targets = y_true.shape[-1]
    names = list(range(num_targets)) if target_names is None else list(target_names)
    if len(names) != num_targets:
        raise ValueError(
            f"`target_names` must name each of the {num_targets} targets. "
            f"Received: {len(names)} name(s): {names}"
        )
    horizons = range(y_true.shape[1]) if "horizon" in group_by else [None]
    targets = range(num_targets) if "target" in group_by else [None]
    records = []
    for h in horizons:
        for o in targets:
            y_slice, f_slice, sliced_scale = y_true, forecast, scale
            if h is not None:
                y_slice = y_slice[:, h : h + 1]
                f_slice = f_slice[:, h : h + 1]
            if o is not None:
                y_slice, f_slice = y_slice[..., o : o + 1], f_slice[..., o : o + 1]
                if sliced_scale is not None:
                    sliced_scale = np.asarray(sliced_scale)[..., o : o + 1]
            mase_args = None
            if sliced_scale is not None:
                mase_args = {"scale": sliced_scale, "series": series}
            rows = _metric_rows(y_slice, f_slice, levels, mase_args)
            for metric, value in rows.items():
                record = {}
                if h is not None:
                    record["horizon"] = h + 1
                if o is not None:
                    record["target"] = names[o]
                record.update(metric=metric, value=value)
                records.append(record)
    return pd.DataFrame.from_records(records)
