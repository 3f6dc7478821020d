"""Forecasting losses written once in `keras.ops` (TensorFlow, PyTorch, JAX).

Shapes: targets `y_true` are `(B, H, O)`; quantile forecasts `(B, H, Q, O)`;
distribution parameters `(B, H, P, O)` with `[loc, scale]` (`"normal"`) or
`[loc, scale, df]` (`"student_t"`) on axis -2 (see
`base_attentive.distributions`). Every loss function returns one value per
sample, shape `(B,)`: the mean over all other axes. With Keras' default
`reduction="sum_over_batch_size"` the loss classes therefore return the mean
over every entry, and a `sample_weight` of shape `(B,)` weights windows.

| Loss | Formula per entry |
|---|---|
| `PinballLoss` | `max(q e, (q - 1) e)`, `e = y - y_hat_q` |
| `QuantileCRPS` | `2 * mean_q pinball_q` |
| `GaussianNLL` | `log(sigma) + 0.5 log(2 pi) + 0.5 z^2`, `z = (y - mu) / sigma` |
| `StudentTNLL` | `-log t_nu(y; mu, sigma)` (full density, constants included) |
| `GaussianCRPS` | `sigma (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi))` |

The NumPy twins of these numbers live in `base_attentive.metrics`
(`mean_quantile_loss`, `crps_from_quantiles`, `crps_from_samples`).
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from base_attentive.distributions import DISTRIBUTION_PARAMETERS, validate_distribution
from base_attentive.quantiles import validate_quantiles

__all__ = [
    "GaussianCRPS",
    "GaussianNLL",
    "MeanSquaredError",
    "PinballLoss",
    "QuantileCRPS",
    "StudentTNLL",
    "gaussian_crps",
    "gaussian_nll",
    "get_default_loss",
    "mean_squared_error",
    "pinball_loss",
    "quantile_crps",
    "student_t_nll",
]

_HALF_LOG_TWO_PI = 0.5 * math.log(2.0 * math.pi)
_LOG_PI = math.log(math.pi)
_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)
_INV_SQRT_TWO = 1.0 / math.sqrt(2.0)
_STIRLING_SHIFT = 6


# --------------------------------------------------------------------------
# Shape handling
# --------------------------------------------------------------------------
def _per_sample_mean(values):
    """Mean over every axis but the first: `(B, ...) -> (B,)`."""
    if len(values.shape) <= 1:
        return values
    axes = tuple(range(1, len(values.shape)))
    sizes = [values.shape[axis] for axis in axes]
    if None in sizes:
        return ops.mean(values, axis=axes)
    # sum / count rather than `ops.mean`: on PyTorch, Keras 3 computes the
    # mean of a float64 tensor in float32 (its dtype promotion maps 64-bit
    # types to 32-bit on non-TensorFlow backends).
    return ops.sum(values, axis=axes) / float(math.prod(sizes))


def _targets_for(y_true, y_pred, what):
    """Gives `y_true` `(B, H, O)` a length-1 axis at -2 to match `y_pred`."""
    y_true = ops.cast(y_true, y_pred.dtype)
    if len(y_true.shape) == len(y_pred.shape) - 1:
        return ops.expand_dims(y_true, axis=-2)
    if len(y_true.shape) == len(y_pred.shape):
        return y_true
    raise ValueError(
        f"`y_true` must have one axis fewer than the {what} `y_pred` (the "
        "axis -2 it lacks is broadcast). Received: "
        f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
    )


def _distribution_parts(y_true, y_pred, distribution):
    """Splits `(B, H, P, O)` parameters; returns `y, loc, scale, df`."""
    count = len(DISTRIBUTION_PARAMETERS[distribution])
    size = y_pred.shape[-2] if len(y_pred.shape) >= 2 else None
    if len(y_pred.shape) < 2 or (size is not None and size != count):
        raise ValueError(
            f"`y_pred` for distribution={distribution!r} must hold {count} "
            f"parameters {list(DISTRIBUTION_PARAMETERS[distribution])} on axis "
            f"-2. Received: y_pred.shape={tuple(y_pred.shape)}"
        )
    y = _targets_for(y_true, y_pred, "distribution-parameter")
    parts = [y_pred[..., index : index + 1, :] for index in range(count)]
    return (y, *parts) if count == 3 else (y, *parts, None)


# --------------------------------------------------------------------------
# Special functions
# --------------------------------------------------------------------------
def _stirling_series(z):
    """`log Gamma(z) - ((z - 1/2) log z - z + log(2 pi) / 2)` for `z >= 6`."""
    inv = 1.0 / z
    inv2 = inv * inv
    return inv * (
        1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0))
    )


def _log_gamma_half_ratio(x):
    """`log Gamma(x + 1/2) - log Gamma(x)` for `x > 0`, in `keras.ops`.

    `keras.ops` has no `lgamma`. Both terms use the recurrence
    `log Gamma(x) = log Gamma(x + 6) - sum_{k<6} log(x + k)` and Stirling's
    series at `z = x + 6 >= 6` (truncation error below 1e-10). The
    difference is taken analytically, so no large numbers cancel for big
    `x` (large degrees of freedom):

    `z log(z + 1/2) - (z - 1/2) log z = z log1p(1 / (2 z)) + log(z) / 2`.
    """
    z = x + float(_STIRLING_SHIFT)
    value = z * ops.log1p(0.5 / z) + 0.5 * ops.log(z) - 0.5
    value = value + _stirling_series(z + 0.5) - _stirling_series(z)
    for k in range(_STIRLING_SHIFT):
        value = value - ops.log1p(0.5 / (x + float(k)))
    return value


# --------------------------------------------------------------------------
# Loss functions
# --------------------------------------------------------------------------
def pinball_loss(y_true, y_pred, quantiles):
    """Pinball (quantile) loss per sample.

    `pinball_q(y, y_hat_q) = max(q (y - y_hat_q), (q - 1) (y - y_hat_q))`,
    averaged over horizon steps, quantile levels and targets.

    Args:
        y_true: targets `(B, H, O)` (or `(B, H, 1, O)`).
        y_pred: quantile forecasts `(B, H, Q, O)`.
        quantiles: the Q levels, strictly increasing in (0, 1).

    Returns:
        Tensor `(B,)`.
    """
    levels = np.asarray(validate_quantiles(quantiles))
    size = y_pred.shape[-2] if len(y_pred.shape) >= 2 else None
    if len(y_pred.shape) < 2 or (size is not None and size != levels.size):
        raise ValueError(
            f"`y_pred` must have the {levels.size} quantile levels on axis -2, "
            f"as in (batch, horizon, {levels.size}, targets). Received: "
            f"y_pred.shape={tuple(y_pred.shape)}, quantiles={levels.tolist()}"
        )
    error = _targets_for(y_true, y_pred, "quantile") - y_pred
    q = ops.reshape(ops.convert_to_tensor(levels, dtype=y_pred.dtype), (-1, 1))
    return _per_sample_mean(ops.maximum(q * error, (q - 1.0) * error))


def quantile_crps(y_true, y_pred, quantiles):
    """CRPS approximated from quantiles: twice the mean pinball loss.

    `CRPS ~= 2 * mean_q pinball_q(y, y_hat_q)` (the integral
    `2 * int_0^1 pinball_q dq` with equally weighted levels). The mean, not
    the sum, over levels: the value does not grow with Q.

    Args:
        y_true: targets `(B, H, O)`.
        y_pred: quantile forecasts `(B, H, Q, O)`.
        quantiles: the Q levels.

    Returns:
        Tensor `(B,)`.
    """
    return 2.0 * pinball_loss(y_true, y_pred, quantiles)


def mean_squared_error(y_true, y_pred):
    """Squared error of a point forecast, averaged per sample.

    Args:
        y_true: targets `(B, H, O)`.
        y_pred: point forecasts `(B, H, O)`.

    Returns:
        Tensor `(B,)`.
    """
    error = ops.convert_to_tensor(y_true, dtype=y_pred.dtype) - y_pred
    return _per_sample_mean(ops.square(error))


def gaussian_nll(y_true, y_pred):
    """Gaussian negative log-likelihood per sample.

    `nll = log(sigma) + log(2 pi) / 2 + z^2 / 2`, `z = (y - mu) / sigma`.

    Args:
        y_true: targets `(B, H, O)`.
        y_pred: parameters `(B, H, 2, O)`: `[loc, scale]`, `scale > 0`.

    Returns:
        Tensor `(B,)`.
    """
    y, loc, scale, _ = _distribution_parts(y_true, y_pred, "normal")
    z = (y - loc) / scale
    return _per_sample_mean(ops.log(scale) + _HALF_LOG_TWO_PI + 0.5 * ops.square(z))


def student_t_nll(y_true, y_pred):
    """Student-t negative log-likelihood per sample (full log-density).

    With `z = (y - mu) / sigma` and `nu` degrees of freedom:
    `nll = -log Gamma((nu + 1) / 2) + log Gamma(nu / 2) + log(nu pi) / 2
    + log(sigma) + (nu + 1) / 2 * log(1 + z^2 / nu)`.

    Args:
        y_true: targets `(B, H, O)`.
        y_pred: parameters `(B, H, 3, O)`: `[loc, scale, df]`, `scale > 0`,
            `df > 0`.

    Returns:
        Tensor `(B,)`.
    """
    y, loc, scale, df = _distribution_parts(y_true, y_pred, "student_t")
    z = (y - loc) / scale
    nll = (
        -_log_gamma_half_ratio(0.5 * df)
        + 0.5 * (ops.log(df) + _LOG_PI)
        + ops.log(scale)
        + 0.5 * (df + 1.0) * ops.log1p(ops.square(z) / df)
    )
    return _per_sample_mean(nll)


def gaussian_crps(y_true, y_pred):
    """Closed-form CRPS of a Gaussian forecast per sample.

    `crps = sigma * (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi))`,
    `z = (y - mu) / sigma`, `Phi`/`phi` the standard normal cdf/pdf
    (Gneiting et al., 2005).

    Args:
        y_true: targets `(B, H, O)`.
        y_pred: parameters `(B, H, 2, O)`: `[loc, scale]`, `scale > 0`.

    Returns:
        Tensor `(B,)`.
    """
    y, loc, scale, _ = _distribution_parts(y_true, y_pred, "normal")
    z = (y - loc) / scale
    cdf = 0.5 * (1.0 + ops.erf(z * _INV_SQRT_TWO))
    pdf = ops.exp(-0.5 * ops.square(z) - _HALF_LOG_TWO_PI)
    crps = scale * (z * (2.0 * cdf - 1.0) + 2.0 * pdf - _INV_SQRT_PI)
    return _per_sample_mean(crps)


# --------------------------------------------------------------------------
# Loss classes
# --------------------------------------------------------------------------
class _ForecastLoss(keras.losses.Loss):
    """Stores the `dtype` argument so that `get_config` returns it."""

    def __init__(self, name, reduction, dtype):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self._dtype_argument = None if dtype is None else self._dtype_policy.name

    def get_config(self):
        config = super().get_config()
        config["dtype"] = self._dtype_argument
        return config


@keras.saving.register_keras_serializable(package="base_attentive")
class PinballLoss(_ForecastLoss):
    """Pinball (quantile) loss, averaged over all entries.

    `loss = mean_{b,h,q,o} max(q e, (q - 1) e)`, `e = y_{b,h,o} - y_hat_{b,h,q,o}`.
    Minimising it makes `y_hat_q` the q-quantile of the target.

    Args:
        quantiles: levels, strictly increasing in (0, 1).
        name: loss name. Defaults to `"pinball_loss"`.
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        dtype: computation dtype. Defaults to `None` (`keras.config.floatx()`).

    Call arguments:
        y_true: targets `(B, H, O)`.
        y_pred: quantile forecasts `(B, H, Q, O)`.
        sample_weight: optional `(B,)` weights per window.

    Returns:
        A scalar with the default reduction; `(B,)` with `reduction=None`.

    Example:

    ```python
    import numpy as np
    loss = PinballLoss(quantiles=[0.1, 0.5, 0.9])
    loss(np.zeros((2, 3, 1)), np.zeros((2, 3, 3, 1)))  # 0.0
    ```

    Reference:
        Koenker and Bassett (1978). Regression quantiles. Econometrica 46(1).
    """

    def __init__(
        self,
        quantiles,
        name="pinball_loss",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.quantiles = [float(q) for q in validate_quantiles(quantiles)]

    def call(self, y_true, y_pred):
        return pinball_loss(y_true, y_pred, self.quantiles)

    def get_config(self):
        config = super().get_config()
        config["quantiles"] = list(self.quantiles)
        return config


@keras.saving.register_keras_serializable(package="base_attentive")
class QuantileCRPS(PinballLoss):
    """CRPS approximated from quantile forecasts: twice the mean pinball loss.

    `loss = 2 * mean_{b,h,q,o} pinball_q`. With dense, evenly spread levels
    (e.g. `(i - 0.5) / Q`) it approaches the continuous ranked probability
    score `CRPS(F, y) = 2 int_0^1 pinball_q(y, F^-1(q)) dq`. It is a mean
    over levels, not a sum, so it does not scale with Q.

    Args:
        quantiles: levels, strictly increasing in (0, 1).
        name: loss name. Defaults to `"quantile_crps"`.
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        dtype: computation dtype. Defaults to `None` (`keras.config.floatx()`).

    Call arguments:
        y_true: targets `(B, H, O)`.
        y_pred: quantile forecasts `(B, H, Q, O)`.
        sample_weight: optional `(B,)` weights per window.

    Returns:
        A scalar with the default reduction.

    Example:

    ```python
    import numpy as np
    y = np.zeros((1, 1, 1))
    forecast = np.array([-1.0, 0.0, 1.0]).reshape(1, 1, 3, 1)
    QuantileCRPS([0.1, 0.5, 0.9])(y, forecast)  # 2 * (0.1 + 0 + 0.1) / 3
    ```

    Reference:
        Gneiting and Raftery (2007). Strictly proper scoring rules,
        prediction, and estimation. JASA 102(477).
    """

    def __init__(
        self,
        quantiles,
        name="quantile_crps",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(quantiles, name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return quantile_crps(y_true, y_pred, self.quantiles)


@keras.saving.register_keras_serializable(package="base_attentive")
class GaussianNLL(_ForecastLoss):
    """Negative log-likelihood of a normal distribution head.

    `loss = mean(log(sigma) + log(2 pi) / 2 + z^2 / 2)`, `z = (y - mu) / sigma`.

    Args:
        name: loss name. Defaults to `"gaussian_nll"`.
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        dtype: computation dtype. Defaults to `None` (`keras.config.floatx()`).

    Call arguments:
        y_true: targets `(B, H, O)`.
        y_pred: parameters `(B, H, 2, O)`: `[loc, scale]`, `scale > 0`.
        sample_weight: optional `(B,)` weights per window.

    Returns:
        A scalar with the default reduction.

    Example:

    ```python
    import numpy as np
    params = np.stack([np.zeros((2, 3, 1)), np.ones((2, 3, 1))], axis=2)
    GaussianNLL()(np.zeros((2, 3, 1)), params)  # 0.5 * log(2 pi) = 0.9189
    ```
    """

    def __init__(
        self, name="gaussian_nll", reduction="sum_over_batch_size", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return gaussian_nll(y_true, y_pred)


@keras.saving.register_keras_serializable(package="base_attentive")
class MeanSquaredError(_ForecastLoss):
    """Mean squared error of a point head, one value per window.

    Keras' own `MeanSquaredError` averages over the last axis only, leaving
    `(B, H)`; this one averages over every axis but the batch, like the
    package's other losses, so per-window weights (the zero-weight padding of
    data-parallel evaluation, a mask of missing windows) apply as they do to
    them. The reduced value is the same.

    Args:
        name: loss name. Defaults to `"mean_squared_error"`.
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        dtype: computation dtype. Defaults to `None` (`keras.config.floatx()`).

    Call arguments:
        y_true: targets `(B, H, O)`.
        y_pred: point forecasts `(B, H, O)`.
        sample_weight: optional `(B,)` weights per window.

    Example:

    ```python
    import numpy as np
    MeanSquaredError()(np.zeros((2, 3, 1)), np.ones((2, 3, 1)))  # 1.0
    ```
    """

    def __init__(
        self, name="mean_squared_error", reduction="sum_over_batch_size", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return mean_squared_error(y_true, y_pred)


@keras.saving.register_keras_serializable(package="base_attentive")
class StudentTNLL(_ForecastLoss):
    """Negative log-likelihood of a Student-t distribution head.

    `loss = mean(-log Gamma((nu + 1) / 2) + log Gamma(nu / 2)
    + log(nu pi) / 2 + log(sigma) + (nu + 1) / 2 log(1 + z^2 / nu))`.
    `keras.ops` has no `lgamma`; the Gamma ratio is computed once, stably,
    from Stirling's series (error below 1e-10 for any `nu > 0`).

    Args:
        name: loss name. Defaults to `"student_t_nll"`.
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        dtype: computation dtype. Defaults to `None` (`keras.config.floatx()`).

    Call arguments:
        y_true: targets `(B, H, O)`.
        y_pred: parameters `(B, H, 3, O)`: `[loc, scale, df]`, `scale > 0`,
            `df > 0`.
        sample_weight: optional `(B,)` weights per window.

    Returns:
        A scalar with the default reduction.

    Example:

    ```python
    import numpy as np
    ones = np.ones((2, 3, 1))
    params = np.stack([0 * ones, ones, 5 * ones], axis=2)  # loc, scale, df
    StudentTNLL()(np.zeros((2, 3, 1)), params)  # -log t_5(0) = 0.9686
    ```
    """

    def __init__(
        self, name="student_t_nll", reduction="sum_over_batch_size", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return student_t_nll(y_true, y_pred)


@keras.saving.register_keras_serializable(package="base_attentive")
class GaussianCRPS(_ForecastLoss):
    """Closed-form CRPS of a normal distribution head.

    `loss = mean(sigma (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi)))`,
    `z = (y - mu) / sigma`. A proper scoring rule in the target's units,
    less sensitive to outliers than the NLL.

    Args:
        name: loss name. Defaults to `"gaussian_crps"`.
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        dtype: computation dtype. Defaults to `None` (`keras.config.floatx()`).

    Call arguments:
        y_true: targets `(B, H, O)`.
        y_pred: parameters `(B, H, 2, O)`: `[loc, scale]`, `scale > 0`.
        sample_weight: optional `(B,)` weights per window.

    Returns:
        A scalar with the default reduction.

    Example:

    ```python
    import numpy as np
    params = np.stack([np.zeros((2, 3, 1)), np.ones((2, 3, 1))], axis=2)
    GaussianCRPS()(np.zeros((2, 3, 1)), params)  # (2 - sqrt(2)) / sqrt(2 pi) = 0.2337
    ```

    Reference:
        Gneiting, Raftery, Westveld, Goldman (2005). Calibrated probabilistic
        forecasting using ensemble model output statistics and minimum CRPS
        estimation. Monthly Weather Review 133(5).
    """

    def __init__(
        self, name="gaussian_crps", reduction="sum_over_batch_size", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return gaussian_crps(y_true, y_pred)


_NLL_BY_DISTRIBUTION = {"normal": GaussianNLL, "student_t": StudentTNLL}


def get_default_loss(quantiles=None, distribution=None):
    """The loss `compile(loss="auto")` uses for a forecasting head.

    Args:
        quantiles: levels of a quantile head, or `None`.
        distribution: `"normal"` or `"student_t"` for a distribution head, or
            `None`. Mutually exclusive with `quantiles`.

    Returns:
        `PinballLoss(quantiles)` for a quantile head, `GaussianNLL()` or
        `StudentTNLL()` for a distribution head, and `MeanSquaredError()`
        (per window) for a point head.
    """
    if quantiles is not None and distribution is not None:
        raise ValueError(
            "`quantiles` and `distribution` are mutually exclusive: a head "
            f"predicts one or the other. Received: quantiles={quantiles!r}, "
            f"distribution={distribution!r}"
        )
    if quantiles is not None:
        return PinballLoss(quantiles)
    if distribution is not None:
        return _NLL_BY_DISTRIBUTION[validate_distribution(distribution)]()
    return MeanSquaredError()
