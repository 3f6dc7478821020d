"""Forecasting losses written once in `keras.ops` (TensorFlow, PyTorch, JAX).

Shapes: targets `y_true` are `(B, H, O)`; quantile forecasts `(B, H, Q, O)`;
distribution parameters `(B, H, P, O)` on axis -2 (see
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
| `NegativeBinomialNLL` | `-log NB(y; mean, dispersion)` (counts) |
| `LogNormalNLL` | `-log LogNormal(y; mu, sigma)` (positive data) |

A NaN target is a missing one: it gets zero loss weight (its entry adds 0
to the mean, which still divides by every entry), so windows with missing
targets train on their observed ones (`missing="mask"` in
`base_attentive.data`). Keras' own `MeanSquaredError` (the point head's
default) does not mask.

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
from base_attentive.special_functions import (
    log_gamma,
    log_gamma_difference,
    log_gamma_half_ratio,
)

__all__ = [
    "GaussianCRPS",
    "GaussianNLL",
    "LogNormalNLL",
    "MeanSquaredError",
    "NegativeBinomialNLL",
    "PinballLoss",
    "QuantileCRPS",
    "StudentTNLL",
    "gaussian_crps",
    "gaussian_nll",
    "get_default_loss",
    "log_normal_nll",
    "mean_squared_error",
    "negative_binomial_nll",
    "pinball_loss",
    "quantile_crps",
    "student_t_nll",
]

_HALF_LOG_TWO_PI = 0.5 * math.log(2.0 * math.pi)
_LOG_PI = math.log(math.pi)
_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)
_INV_SQRT_TWO = 1.0 / math.sqrt(2.0)


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


def _targets_for(y_true, y_pred, what, fill=0.0):
    """`y_true` `(B, H, O)` with a length-1 axis at -2 to match `y_pred`, and
    its observed mask.

    A NaN target is a missing one (see `missing="mask"` in
    `base_attentive.data`): it is replaced by `fill` (a value every loss
    can evaluate, so no NaN reaches a gradient) and its mask entry is 0.

    Returns:
        `(y, observed)`: tensors of the same shape, `observed` 1.0 where
        the target is known and 0.0 where it was NaN.
    """
    y_true = ops.cast(y_true, y_pred.dtype)
    if len(y_true.shape) == len(y_pred.shape) - 1:
        y_true = ops.expand_dims(y_true, axis=-2)
    elif len(y_true.shape) != len(y_pred.shape):
        raise ValueError(
            f"`y_true` must have one axis fewer than the {what} `y_pred` (the "
            "axis -2 it lacks is broadcast). Received: "
            f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )
    missing = ops.isnan(y_true)
    observed = ops.cast(ops.logical_not(missing), y_pred.dtype)
    return ops.where(missing, ops.cast(fill, y_pred.dtype), y_true), observed


def _distribution_parts(y_true, y_pred, distribution, fill=0.0):
    """Splits `(B, H, P, O)` parameters.

    Returns:
        `(y, observed, parts)`: the targets and their mask (see
        `_targets_for`) and the parameters by name, each `(B, H, 1, O)`.
    """
    names = DISTRIBUTION_PARAMETERS[distribution]
    y_pred = ops.convert_to_tensor(y_pred)
    size = y_pred.shape[-2] if len(y_pred.shape) >= 2 else None
    if len(y_pred.shape) < 2 or (size is not None and size != len(names)):
        raise ValueError(
            f"`y_pred` for distribution={distribution!r} must hold {len(names)} "
            f"parameters {list(names)} on axis -2. Received: "
            f"y_pred.shape={tuple(y_pred.shape)}"
        )
    y, observed = _targets_for(y_true, y_pred, "distribution-parameter", fill)
    parts = {
        name: y_pred[..., index : index + 1, :] for index, name in enumerate(names)
    }
    return y, observed, parts


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
    y, observed = _targets_for(y_true, y_pred, "quantile")
    error = y - y_pred
    q = ops.reshape(ops.convert_to_tensor(levels, dtype=y_pred.dtype), (-1, 1))
    return _per_sample_mean(ops.maximum(q * error, (q - 1.0) * error) * observed)


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
        Tensor `(B,)`. NaN targets are missing: zero loss weight.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y, observed = _targets_for(y_true, y_pred[..., None, :], "point")
    error = y[..., 0, :] - y_pred
    return _per_sample_mean(ops.square(error) * observed[..., 0, :])


def gaussian_nll(y_true, y_pred):
    """Gaussian negative log-likelihood per sample.

    `nll = log(sigma) + log(2 pi) / 2 + z^2 / 2`, `z = (y - mu) / sigma`.

    Args:
        y_true: targets `(B, H, O)`.
        y_pred: parameters `(B, H, 2, O)`: `[loc, scale]`, `scale > 0`.

    Returns:
        Tensor `(B,)`.
    """
    y, observed, parts = _distribution_parts(y_true, y_pred, "normal")
    loc, scale = parts["loc"], parts["scale"]
    z = (y - loc) / scale
    nll = ops.log(scale) + _HALF_LOG_TWO_PI + 0.5 * ops.square(z)
    return _per_sample_mean(nll * observed)


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
    y, observed, parts = _distribution_parts(y_true, y_pred, "student_t")
    loc, scale, df = parts["loc"], parts["scale"], parts["df"]
    z = (y - loc) / scale
    nll = (
        -log_gamma_half_ratio(0.5 * df)
        + 0.5 * (ops.log(df) + _LOG_PI)
        + ops.log(scale)
        + 0.5 * (df + 1.0) * ops.log1p(ops.square(z) / df)
    )
    return _per_sample_mean(nll * observed)


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
    y, observed, parts = _distribution_parts(y_true, y_pred, "normal")
    loc, scale = parts["loc"], parts["scale"]
    z = (y - loc) / scale
    cdf = 0.5 * (1.0 + ops.erf(z * _INV_SQRT_TWO))
    pdf = ops.exp(-0.5 * ops.square(z) - _HALF_LOG_TWO_PI)
    crps = scale * (z * (2.0 * cdf - 1.0) + 2.0 * pdf - _INV_SQRT_PI)
    return _per_sample_mean(crps * observed)


def negative_binomial_nll(y_true, y_pred):
    """Negative binomial negative log-likelihood per sample (counts).

    With mean `mu`, dispersion `alpha` (`Var = mu + alpha mu^2`) and
    `r = 1 / alpha`:
    `nll = -log Gamma(y + r) + log Gamma(r) + log Gamma(y + 1)
    + r log1p(alpha mu) - y log(alpha mu) + y log1p(alpha mu)`.
    The full log-probability, so values compare across heads. `y` may be
    any non-negative number (the continuous extension of the pmf).

    Args:
        y_true: counts `(B, H, O)`, `y >= 0`.
        y_pred: parameters `(B, H, 2, O)`: `[mean, dispersion]`, both `> 0`.

    Returns:
        Tensor `(B,)`.
    """
    y, observed, parts = _distribution_parts(y_true, y_pred, "negative_binomial")
    mean, dispersion = parts["mean"], parts["dispersion"]
    y = ops.relu(y)
    size = 1.0 / dispersion
    rate = dispersion * mean
    nll = (
        -log_gamma_difference(size, y)
        + log_gamma(y + 1.0)
        + (size + y) * ops.log1p(rate)
        - y * ops.log(rate)
    )
    return _per_sample_mean(nll * observed)


def log_normal_nll(y_true, y_pred):
    """Log-normal negative log-likelihood per sample (positive data).

    `nll = log y + log sigma + log(2 pi) / 2 + z^2 / 2`,
    `z = (log y - mu) / sigma`: the density of `y`, not of `log y`, so it
    compares with the other heads' NLL. Targets must be positive (a target
    at or below 0 is treated as `1e-12`).

    Args:
        y_true: targets `(B, H, O)`, `y > 0`.
        y_pred: parameters `(B, H, 2, O)`: `[loc, scale]` of `log y`.

    Returns:
        Tensor `(B,)`.
    """
    y, observed, parts = _distribution_parts(y_true, y_pred, "log_normal", 1.0)
    loc, scale = parts["loc"], parts["scale"]
    log_y = ops.log(ops.maximum(y, ops.cast(1e-12, y.dtype)))
    z = (log_y - loc) / scale
    nll = log_y + ops.log(scale) + _HALF_LOG_TWO_PI + 0.5 * ops.square(z)
    return _per_sample_mean(nll * observed)


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


class _ParameterFreeLoss(_ForecastLoss):
    """A loss class over one of the loss functions above that takes no
    argument of its own: the subclass names the function (`loss_function`)
    and its default name (`default_name`)."""

    loss_function = None
    default_name = None

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        super().__init__(
            name=name or self.default_name, reduction=reduction, dtype=dtype
        )

    def call(self, y_true, y_pred):
        return type(self).loss_function(y_true, y_pred)


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

    >>> loss = PinballLoss(quantiles=[0.1, 0.5, 0.9])
    >>> float(loss(np.zeros((2, 3, 1)), np.zeros((2, 3, 3, 1))))
    0.0

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

    >>> y = np.zeros((1, 1, 1))
    >>> forecast = np.array([-1.0, 0.0, 1.0]).reshape(1, 1, 3, 1)
    >>> round(float(QuantileCRPS([0.1, 0.5, 0.9])(y, forecast)), 4)  # 2 * 0.2 / 3
    0.1333

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
class GaussianNLL(_ParameterFreeLoss):
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

    >>> params = np.stack([np.zeros((2, 3, 1)), np.ones((2, 3, 1))], axis=2)
    >>> round(float(GaussianNLL()(np.zeros((2, 3, 1)), params)), 4)  # log(2 pi) / 2
    0.9189
    """

    loss_function = staticmethod(gaussian_nll)
    default_name = "gaussian_nll"


@keras.saving.register_keras_serializable(package="base_attentive")
class MeanSquaredError(_ParameterFreeLoss):
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

    loss_function = staticmethod(mean_squared_error)
    default_name = "mean_squared_error"


@keras.saving.register_keras_serializable(package="base_attentive")
class StudentTNLL(_ParameterFreeLoss):
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

    >>> ones = np.ones((2, 3, 1))
    >>> params = np.stack([0 * ones, ones, 5 * ones], axis=2)  # loc, scale, df
    >>> round(float(StudentTNLL()(np.zeros((2, 3, 1)), params)), 4)  # -log t_5(0)
    0.9686
    """

    loss_function = staticmethod(student_t_nll)
    default_name = "student_t_nll"


@keras.saving.register_keras_serializable(package="base_attentive")
class GaussianCRPS(_ParameterFreeLoss):
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

    >>> params = np.stack([np.zeros((2, 3, 1)), np.ones((2, 3, 1))], axis=2)
    >>> round(float(GaussianCRPS()(np.zeros((2, 3, 1)), params)), 4)  # (2 - sqrt 2) / sqrt(2 pi)
    0.2337

    Reference:
        Gneiting, Raftery, Westveld, Goldman (2005). Calibrated probabilistic
        forecasting using ensemble model output statistics and minimum CRPS
        estimation. Monthly Weather Review 133(5).
    """

    loss_function = staticmethod(gaussian_crps)
    default_name = "gaussian_crps"


@keras.saving.register_keras_serializable(package="base_attentive")
class NegativeBinomialNLL(_ParameterFreeLoss):
    """Negative log-likelihood of a negative binomial head (counts).

    See `negative_binomial_nll`. NaN targets are missing: zero loss weight.

    Args:
        name: loss name. Defaults to `"negative_binomial_nll"`.
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        dtype: computation dtype. Defaults to `None` (`keras.config.floatx()`).

    Call arguments:
        y_true: counts `(B, H, O)`.
        y_pred: parameters `(B, H, 2, O)`: `[mean, dispersion]`.
        sample_weight: optional `(B,)` weights per window.

    Returns:
        A scalar with the default reduction.

    Example:

    ```python
    import numpy as np
    params = np.stack([np.full((2, 3, 1), 2.0), np.full((2, 3, 1), 0.5)], axis=2)
    NegativeBinomialNLL()(np.ones((2, 3, 1)), params)  # -log nbinom(1; n=2, p=0.5)
    ```
    """

    loss_function = staticmethod(negative_binomial_nll)
    default_name = "negative_binomial_nll"


@keras.saving.register_keras_serializable(package="base_attentive")
class LogNormalNLL(_ParameterFreeLoss):
    """Negative log-likelihood of a log-normal head (positive data).

    See `log_normal_nll`. NaN targets are missing: zero loss weight.

    Args:
        name: loss name. Defaults to `"log_normal_nll"`.
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        dtype: computation dtype. Defaults to `None` (`keras.config.floatx()`).

    Call arguments:
        y_true: positive targets `(B, H, O)`.
        y_pred: parameters `(B, H, 2, O)`: `[loc, scale]` of `log y`.
        sample_weight: optional `(B,)` weights per window.

    Returns:
        A scalar with the default reduction.
    """

    loss_function = staticmethod(log_normal_nll)
    default_name = "log_normal_nll"


_NLL_BY_DISTRIBUTION = {
    "normal": GaussianNLL,
    "student_t": StudentTNLL,
    "negative_binomial": NegativeBinomialNLL,
    "log_normal": LogNormalNLL,
}


def get_default_loss(quantiles=None, distribution=None):
    """The loss `compile(loss="auto")` uses for a forecasting head.

    Args:
        quantiles: levels of a quantile head, or `None`.
        distribution: a name of `distributions.DISTRIBUTION_PARAMETERS` for
            a distribution head, or `None`. Mutually exclusive with
            `quantiles`.

    Returns:
        `PinballLoss(quantiles)` for a quantile head, the distribution's
        NLL (`GaussianNLL`, `StudentTNLL`, `NegativeBinomialNLL`,
        `LogNormalNLL`) for a distribution head, and
        `MeanSquaredError()` (per window) for a point head.
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
