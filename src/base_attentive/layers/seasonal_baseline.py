"""Seasonal residual baseline: the forecast starts from the lookback's
same-phase mean, and the network learns the residual.

For horizon step `h` (1-based) and period `P`, the baseline is the mean of
the (scaled) target at the lookback positions with the same phase as the
forecast step: the rows `origin + h - k P` (`k >= 1`) that lie inside the
lookback. On daily data with `P = 7` and a 56-step lookback, the baseline
of a Monday is the mean of the lookback's eight Mondays: the weekly
pattern a gradient-boosted model reads from its same-weekday lags, given
to the network for free instead of rebuilt through the LSTM and attention.

The baseline only reads the model's own input (the target columns of the
dynamic input, which come first), so it is part of the network: it is
saved, loaded and exported with it, and every forecast path (predict,
backtest, serving) applies it the same way. It is a location shift of the
forecast, exact for point and quantile heads (adding the same value to
every quantile keeps them ordered) and for the `loc` parameter of the
`"normal"` and `"student_t"` distribution heads; `"log_normal"` (whose
`loc` is that of `log y`) and `"negative_binomial"` (a positive mean) have
no additive location, so the model refuses the baseline with them.
"""

import numpy as np
from keras import ops

#: Distribution heads whose first parameter is an additive location.
SHIFTABLE_DISTRIBUTIONS = ("normal", "student_t")


def check_seasonal_baseline(period, distribution):
    """Returns `period` (None: no baseline) as an int, or raises.

    Args:
        period: None or an int >= 1, the season length in steps.
        distribution: the model's distribution head name, or None.

    Raises:
        TypeError: if `period` is not an int.
        ValueError: if `period < 1`, or the head has no additive location.
    """
    if period is None:
        return None
    if isinstance(period, bool) or not isinstance(period, (int, np.integer)):
        raise TypeError(
            "`seasonal_baseline` must be None or an int (the season length in "
            f"steps). Received: seasonal_baseline={period!r}"
        )
    if period < 1:
        raise ValueError(
            f"`seasonal_baseline` must be >= 1. Received: seasonal_baseline={period}"
        )
    if distribution is not None and distribution not in SHIFTABLE_DISTRIBUTIONS:
        raise ValueError(
            f"`seasonal_baseline` shifts the forecast's location, which "
            f"distribution={distribution!r} does not have as an additive "
            f"parameter. Use one of {list(SHIFTABLE_DISTRIBUTIONS)}, a quantile "
            "or point head, or seasonal_baseline=None."
        )
    return int(period)


def seasonal_weights(lookback, horizon, period):
    """The averaging matrix of the baseline, `(H, L)` float64.

    Row `h - 1` holds `1 / n` at the `n` lookback positions `i` (0 = the
    oldest, `L - 1` = the origin) with `(h + L - 1 - i) % period == 0`.

    Args:
        lookback: `L`, the lookback steps.
        horizon: `H`, the forecast steps.
        period: the season length; at most `lookback`, so every step has
            at least one same-phase position.

    Raises:
        ValueError: if `period > lookback`.

    Example:

    >>> seasonal_weights(4, 3, 2).tolist()
    [[0.5, 0.0, 0.5, 0.0], [0.0, 0.5, 0.0, 0.5], [0.5, 0.0, 0.5, 0.0]]
    """
    if period > lookback:
        raise ValueError(
            f"`seasonal_baseline` (period {period}) must not exceed the "
            f"lookback ({lookback} steps): the baseline averages the "
            "lookback's values at the forecast step's phase."
        )
    steps = np.arange(1, horizon + 1)[:, None]
    back = (lookback - 1) - np.arange(lookback)[None, :]  # steps before origin
    same_phase = ((steps + back) % period == 0).astype(np.float64)
    return same_phase / same_phase.sum(axis=1, keepdims=True)


def seasonal_baseline(dynamic, period, horizon, output_dim):
    """The baseline `(B, H, O)` of the target columns of `dynamic`.

    Args:
        dynamic: tensor `(B, L, D)`, the dynamic input; its first
            `output_dim` columns are the (scaled) targets. `L` must be
            static (known when the model is traced).
        period, horizon, output_dim: as in `seasonal_weights`.

    Returns:
        float32 tensor `(B, H, O)`.
    """
    lookback = dynamic.shape[1]
    if lookback is None:
        raise ValueError(
            "`seasonal_baseline` needs a lookback known when the model is "
            f"built. Received: dynamic input shape {tuple(dynamic.shape)}"
        )
    weights = ops.convert_to_tensor(
        seasonal_weights(int(lookback), horizon, period), dtype="float32"
    )
    targets = ops.cast(dynamic[:, :, :output_dim], "float32")
    return ops.einsum("hl,blo->bho", weights, targets)


def add_baseline(outputs, baseline, head):
    """`outputs` shifted by `baseline` `(B, H, O)`.

    Args:
        outputs: the head's output: `(B, H, O)` (point head) or
            `(B, H, K, O)` (`K` quantiles, or distribution parameters whose
            first is the location).
        baseline: tensor `(B, H, O)`.
        head: `"point"`, `"quantile"` or `"distribution"`.

    Returns:
        tensor of the shape and dtype of `outputs`.
    """
    baseline = ops.cast(baseline, outputs.dtype)
    if head == "point":
        return outputs + baseline
    shift = ops.expand_dims(baseline, 2)  # (B, H, 1, O)
    if head == "quantile":
        return outputs + shift
    location = outputs[:, :, :1, :] + shift
    return ops.concatenate([location, outputs[:, :, 1:, :]], axis=2)
