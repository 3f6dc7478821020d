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

import numpy as np
import pandas as pd

__all__ = [
    "central_intervals",
    "crps_from_quantiles",
    "crps_from_samples",
    "evaluate",
    "interval_coverage",
    "interval_width",
    "mae",
    "mase",
    "mean_quantile_loss",
    "normalized_quantile_loss",
    "pinball_loss",
    "rmse",
    "smape",
    "validate_quantiles",
]


# --------------------------------------------------------------------------
# Argument checks (shared with `distributions`, `calibration` and `losses`)
# --------------------------------------------------------------------------
def validate_quantiles(quantiles, name="quantiles"):
    """Checks quantile levels and returns them as a float64 array.

    Args:
        quantiles: sequence of levels, non-empty, strictly increasing, each in
            the open interval (0, 1).
        name: argument name used in error messages.

    Returns:
        1-D `np.ndarray` of dtype float64.
    """
    if quantiles is None or isinstance(quantiles, str | bytes):
        raise TypeError(
            f"`{name}` must be a sequence of floats in (0, 1). "
            f"Received: {name}={quantiles!r}"
        )
    try:
        levels = np.asarray(quantiles, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"`{name}` must be a sequence of floats in (0, 1). "
            f"Received: {name}={quantiles!r}"
        ) from error
    if levels.ndim != 1 or levels.size == 0:
        raise ValueError(
            f"`{name}` must be a non-empty 1-D sequence of levels. "
            f"Received: {name}={quantiles!r}"
        )
    if not np.all((levels > 0.0) & (levels < 1.0)):
        raise ValueError(
            f"Every level in `{name}` must lie strictly between 0 and 1. "
            f"Received: {name}={levels.tolist()}"
        )
    if levels.size > 1 and not np.all(np.diff(levels) > 0.0):
        raise ValueError(
            f"`{name}` must be strictly increasing (sort them and drop "
            f"duplicates). Received: {name}={levels.tolist()}"
        )
    return levels


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
    levels = validate_quantiles(quantiles)
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


def mase(y_true, y_pred, y_insample, seasonality=1):
    """Mean absolute scaled error (Hyndman and Koehler, 2006).

    For one series, `mase = mean_t |y_t - y_hat_t| / scale` with
    `scale = mean_t |x_t - x_{t-m}|` over the in-sample (training or
    look-back) values `x` and seasonality `m`.

    Multiple series: axis 1 is time (axis 0 for 1-D input) and every other
    index (window `b`, target `o`) identifies one series. With `y_true` of
    shape `(B, H, O)` and `y_insample` of shape `(B, T, O)`, each of the
    `B * O` series gets its own scale, and the result is the mean over all
    series of their MASE (equal weight per series).

    Args:
        y_true: targets, `(H,)` or `(B, H, ...)`.
        y_pred: point forecasts, same shape as `y_true`.
        y_insample: in-sample history, same shape as `y_true` except along
            the time axis, of length `T > seasonality`.
        seasonality: season length `m >= 1` (1 = naive forecast scale).

    Returns:
        float.

    Raises:
        ValueError: if the history is not longer than `seasonality` or the
            scale of some series is 0 (a constant or exactly periodic
            history); MASE is undefined there.
    """
    y_true, y_pred = _same_shape(y_true, y_pred, "y_true", "y_pred")
    y_insample = _as_array(y_insample, "y_insample")
    if isinstance(seasonality, bool) or not isinstance(seasonality, int | np.integer):
        raise TypeError(
            f"`seasonality` must be an integer >= 1. Received: "
            f"seasonality={seasonality!r}"
        )
    if seasonality < 1:
        raise ValueError(
            f"`seasonality` must be >= 1. Received: seasonality={seasonality}"
        )
    axis = 0 if y_true.ndim == 1 else 1
    other = y_true.shape[:axis] + y_true.shape[axis + 1 :]
    other_insample = y_insample.shape[:axis] + y_insample.shape[axis + 1 :]
    if y_insample.ndim != y_true.ndim or other != other_insample:
        raise ValueError(
            "`y_insample` must match `y_true` on every axis except the time "
            f"axis ({axis}). Received: y_true.shape={y_true.shape}, "
            f"y_insample.shape={y_insample.shape}"
        )
    length = y_insample.shape[axis]
    if length <= seasonality:
        raise ValueError(
            f"`y_insample` needs more than seasonality={seasonality} time "
            f"steps along axis {axis} to compute the MASE scale. Received: "
            f"{length} step(s), y_insample.shape={y_insample.shape}"
        )
    diffs = np.abs(
        np.take(y_insample, np.arange(seasonality, length), axis=axis)
        - np.take(y_insample, np.arange(0, length - seasonality), axis=axis)
    )
    scale = np.mean(diffs, axis=axis, keepdims=True)
    if np.any(scale == 0.0):
        bad = np.argwhere(np.squeeze(scale, axis=axis) == 0.0)
        raise ValueError(
            "MASE is undefined for a series whose in-sample seasonal "
            f"differences (seasonality={seasonality}) are all 0. Received: "
            f"{len(bad)} such series; the first at index {tuple(bad[0])} "
            "of the non-time axes"
        )
    errors = np.mean(np.abs(y_true - y_pred), axis=axis, keepdims=True)
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


def central_intervals(quantiles, tolerance=1e-9):
    """Symmetric central intervals available in a set of quantile levels.

    A pair of levels `(q, 1 - q)` with `q < 0.5` is a central interval of
    nominal coverage `1 - 2 q`.

    Args:
        quantiles: strictly increasing levels in (0, 1).
        tolerance: how close `q_low + q_high` must be to 1.

    Returns:
        list of `(low_index, high_index, nominal_coverage)`, widest first.
    """
    levels = validate_quantiles(quantiles)
    pairs = []
    for low in range(levels.size):
        if levels[low] >= 0.5:
            break
        for high in range(levels.size - 1, low, -1):
            if abs(levels[low] + levels[high] - 1.0) <= tolerance:
                pairs.append((low, high, float(1.0 - 2.0 * levels[low])))
                break
    return pairs


# --------------------------------------------------------------------------
# One-call evaluation
# --------------------------------------------------------------------------
def _median_forecast(y_quantiles, levels):
    """The level nearest 0.5 (the mean of the two on a tie), quantile axis out."""
    distance = np.abs(levels - 0.5)
    nearest = np.flatnonzero(np.isclose(distance, distance.min(), rtol=0, atol=1e-12))
    return np.mean(np.take(y_quantiles, nearest, axis=-2), axis=-2)


def _report_interval(levels):
    """The 80% interval (0.1, 0.9) when present, else the widest central one."""
    pairs = central_intervals(levels)
    for pair in pairs:
        if abs(pair[2] - 0.8) <= 1e-9:
            return pair
    return pairs[0] if pairs else None


def _metric_rows(y_true, forecast, levels, y_insample, seasonality):
    """Metric name -> value for one slice of the data."""
    point = forecast if levels is None else _median_forecast(forecast, levels)
    rows = {"mae": mae(y_true, point), "rmse": rmse(y_true, point)}
    rows["smape"] = smape(y_true, point)
    if y_insample is not None:
        rows["mase"] = mase(y_true, point, y_insample, seasonality)
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
    pair = _report_interval(levels)
    if pair is not None:
        low, high, nominal = pair
        lower = np.take(forecast, low, axis=-2)
        upper = np.take(forecast, high, axis=-2)
        rows[f"coverage@{100 * nominal:g}%"] = interval_coverage(y_true, lower, upper)
        rows[f"width@{100 * nominal:g}%"] = interval_width(lower, upper)
    return rows


def evaluate(
    y_true,
    forecast,
    quantiles=None,
    y_insample=None,
    seasonality=1,
    by=None,
    target_names=None,
):
    """Evaluates a point or quantile forecast and returns a tidy table.

    Point forecasts (`quantiles=None`, `forecast` shaped like `y_true`):
    `mae`, `rmse`, `smape` (percent) and, with `y_insample`, `mase`.

    Quantile forecasts (`forecast` `(B, H, Q, O)`): the point metrics above
    on the median (the level nearest 0.5; the mean of the two nearest levels
    on a tie), plus `mean_quantile_loss`, `crps` (twice the mean pinball, see
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
        y_insample: optional history `(B, T, O)` for `mase`. Defaults to
            `None` (no MASE row).
        seasonality: season length for `mase`. Defaults to 1.
        by: `None` for one row per metric over all data, or `"horizon"`,
            `"target"` or `("horizon", "target")` for one row per metric and
            group. Defaults to `None`.
        target_names: optional names of the O targets for the `target`
            column. Defaults to the indices `0..O-1`.

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
        y_insample = _as_array(y_insample, "y_insample")
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
            y_slice, f_slice, ins_slice = y_true, forecast, y_insample
            if h is not None:
                y_slice = y_slice[:, h : h + 1]
                f_slice = f_slice[:, h : h + 1]
            if o is not None:
                y_slice, f_slice = y_slice[..., o : o + 1], f_slice[..., o : o + 1]
                if ins_slice is not None:
                    ins_slice = ins_slice[..., o : o + 1]
            rows = _metric_rows(y_slice, f_slice, levels, ins_slice, seasonality)
            for metric, value in rows.items():
                record = {}
                if h is not None:
                    record["horizon"] = h + 1
                if o is not None:
                    record["target"] = names[o]
                record.update(metric=metric, value=value)
                records.append(record)
    return pd.DataFrame.from_records(records)
