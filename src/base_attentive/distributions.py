"""Quantiles and samples from predicted distribution parameters (NumPy, SciPy).

A distribution head predicts, per window, horizon step and target, the
parameters of a distribution in the layout `(B, H, P, O)`, mirroring the
quantile layout `(B, H, Q, O)`:

- `"normal"`: P = 2, `[loc, scale]`, `scale > 0`.
- `"student_t"`: P = 3, `[loc, scale, df]`, `scale > 0`, `df > 0` (the
  model's head guarantees `df > 2`, so the variance exists).
- `"negative_binomial"`: P = 2, `[mean, dispersion]`, both `> 0`, for
  counts: `Var = mean + dispersion * mean^2` (dispersion -> 0 is Poisson).
- `"log_normal"`: P = 2, `[loc, scale]` of `log y`, `scale > 0`, for
  positive data.

`distribution_quantiles` turns these into a quantile forecast that every
function of `base_attentive.metrics` accepts; `sample_distribution` draws
samples for `metrics.crps_from_samples` or scenario analysis.

Example:

```python
import numpy as np
from base_attentive.distributions import distribution_quantiles

params = np.stack([np.zeros((2, 3, 1)), np.ones((2, 3, 1))], axis=2)
distribution_quantiles(params, "normal", [0.1, 0.5, 0.9]).shape  # (2, 3, 3, 1)
```
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from base_attentive.quantiles import validate_quantiles

__all__ = [
    "DISTRIBUTION_PARAMETERS",
    "distribution_quantiles",
    "sample_distribution",
    "validate_distribution",
]

#: Parameter names of each supported distribution, in the order of axis -2.
DISTRIBUTION_PARAMETERS = {
    "normal": ("loc", "scale"),
    "student_t": ("loc", "scale", "df"),
    "negative_binomial": ("mean", "dispersion"),
    "log_normal": ("loc", "scale"),
}


def validate_distribution(distribution):
    """Returns `distribution` if it is a supported name, else raises.

    Args:
        distribution: one of the keys of `DISTRIBUTION_PARAMETERS`.

    Returns:
        The name, unchanged.
    """
    if not isinstance(distribution, str):
        raise TypeError(
            "`distribution` must be a string, one of "
            f"{sorted(DISTRIBUTION_PARAMETERS)}. Received: "
            f"distribution={distribution!r}"
        )
    if distribution not in DISTRIBUTION_PARAMETERS:
        raise ValueError(
            f"`distribution` must be one of {sorted(DISTRIBUTION_PARAMETERS)}. "
            f"Received: distribution={distribution!r}"
        )
    return distribution


def _split_params(params, distribution):
    """Checks `(..., P, ...)` parameters; returns them by name.

    Each part keeps a length-1 parameter axis, so it broadcasts against a
    quantile axis in the same position. Every parameter but a location
    must be positive.
    """
    validate_distribution(distribution)
    names = DISTRIBUTION_PARAMETERS[distribution]
    try:
        params = np.asarray(params, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            "`params` must be array-like of numbers. "
            f"Received: type {type(params).__name__}"
        ) from error
    if params.ndim < 2 or params.shape[-2] != len(names):
        raise ValueError(
            f"`params` for distribution={distribution!r} must have "
            f"{len(names)} parameters {list(names)} on axis -2, e.g. shape "
            f"(batch, horizon, {len(names)}, targets). Received: "
            f"params.shape={params.shape}"
        )
    if not np.all(np.isfinite(params)):
        raise ValueError(
            "`params` must contain only finite values. Received: "
            f"{int(params.size - np.count_nonzero(np.isfinite(params)))} "
            "NaN or infinite value(s)"
        )
    parts = {
        name: params[..., index : index + 1, :] for index, name in enumerate(names)
    }
    for name in names:
        if name != "loc" and np.any(parts[name] <= 0.0):
            raise ValueError(
                f"The `{name}` parameter of distribution={distribution!r} must "
                f"be positive. Received: minimum {name}={parts[name].min()}"
            )
    return parts


def _negative_binomial(parts):
    """SciPy's `(n, p)` of a `[mean, dispersion]` negative binomial."""
    size = 1.0 / parts["dispersion"]
    return size, size / (size + parts["mean"])


def distribution_quantiles(params, distribution, quantiles):
    """Quantiles of predicted distributions.

    `"normal"` / `"student_t"`: `loc + scale * F^-1(q)` with the standard
    normal (`scipy.special.ndtri`) or Student-t (`scipy.special.stdtrit`)
    quantile function; `"log_normal"`: `exp(loc + scale * Phi^-1(q))`;
    `"negative_binomial"`: the smallest count whose cumulative probability
    reaches `q` (`scipy.stats.nbinom.ppf`), so its quantiles are integers.

    Args:
        params: distribution parameters `(B, H, P, O)` (see module doc).
        distribution: a name of `DISTRIBUTION_PARAMETERS`.
        quantiles: levels, strictly increasing in (0, 1).

    Returns:
        `np.ndarray` `(B, H, Q, O)`, non-decreasing along the quantile axis.
    """
    parts = _split_params(params, distribution)
    levels = np.asarray(validate_quantiles(quantiles)).reshape(-1, 1)
    if distribution == "negative_binomial":
        size, probability = _negative_binomial(parts)
        return stats.nbinom.ppf(levels, size, probability)
    if distribution == "student_t":
        standard = special.stdtrit(parts["df"], levels)
    else:
        standard = special.ndtri(levels)
    values = parts["loc"] + parts["scale"] * standard
    return np.exp(values) if distribution == "log_normal" else values


def sample_distribution(params, distribution, num_samples, seed=None):
    """Draws samples from predicted distributions.

    `x = loc + scale * z`, with `z` standard normal or standard Student-t
    (`df` degrees of freedom); `exp` of that for `"log_normal"`; negative
    binomial counts (`numpy.random.Generator.negative_binomial`). Drawn by
    `numpy.random.default_rng(seed)`.

    Args:
        params: distribution parameters `(B, H, P, O)`.
        distribution: a name of `DISTRIBUTION_PARAMETERS`.
        num_samples: number of draws S, a positive integer.
        seed: seed or `numpy.random.Generator`; the same seed gives the same
            samples. Defaults to `None` (fresh entropy).

    Returns:
        `np.ndarray` `(S, B, H, O)`.
    """
    parts = _split_params(params, distribution)
    if isinstance(num_samples, bool) or not isinstance(num_samples, int | np.integer):
        raise TypeError(
            "`num_samples` must be a positive integer. Received: "
            f"num_samples={num_samples!r}"
        )
    if num_samples < 1:
        raise ValueError(
            f"`num_samples` must be >= 1. Received: num_samples={num_samples}"
        )
    rng = np.random.default_rng(seed)
    parts = {name: np.squeeze(value, axis=-2) for name, value in parts.items()}
    size = (int(num_samples),) + next(iter(parts.values())).shape
    if distribution == "negative_binomial":
        count, probability = _negative_binomial(parts)
        return rng.negative_binomial(count, probability, size=size).astype(np.float64)
    if distribution == "student_t":
        standard = rng.standard_t(parts["df"], size=size)
    else:
        standard = rng.standard_normal(size)
    values = parts["loc"] + parts["scale"] * standard
    return np.exp(values) if distribution == "log_normal" else values
