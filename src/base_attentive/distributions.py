"""Quantiles and samples from predicted distribution parameters (NumPy, SciPy).

A distribution head predicts, per window, horizon step and target, the
parameters of a location-scale distribution in the layout `(B, H, P, O)`,
mirroring the quantile layout `(B, H, Q, O)`:

- `"normal"`: P = 2, `[loc, scale]`, `scale > 0`.
- `"student_t"`: P = 3, `[loc, scale, df]`, `scale > 0`, `df > 0` (the
  model's head guarantees `df > 2`, so the variance exists).

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
from scipy import special

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
    """Checks `(..., P, ...)` parameters; returns `(loc, scale, df or None)`.

    Each part keeps a length-1 parameter axis, so it broadcasts against a
    quantile axis in the same position.
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
    for name in names[1:]:
        if np.any(parts[name] <= 0.0):
            raise ValueError(
                f"The `{name}` parameter of distribution={distribution!r} must "
                f"be positive. Received: minimum {name}={parts[name].min()}"
            )
    return parts["loc"], parts["scale"], parts.get("df")


def distribution_quantiles(params, distribution, quantiles):
    """Quantiles of predicted normal or Student-t distributions.

    `quantile_q = loc + scale * F^-1(q)` with `F^-1` the standard normal
    quantile function (`scipy.special.ndtri`) or the Student-t one with `df`
    degrees of freedom (`scipy.special.stdtrit`).

    Args:
        params: distribution parameters `(B, H, P, O)` (see module doc).
        distribution: `"normal"` or `"student_t"`.
        quantiles: levels, strictly increasing in (0, 1).

    Returns:
        `np.ndarray` `(B, H, Q, O)`, increasing along the quantile axis.
    """
    loc, scale, df = _split_params(params, distribution)
    levels = np.asarray(validate_quantiles(quantiles)).reshape(-1, 1)
    standard = special.ndtri(levels) if df is None else special.stdtrit(df, levels)
    return loc + scale * standard


def sample_distribution(params, distribution, num_samples, seed=None):
    """Draws samples from predicted normal or Student-t distributions.

    `x = loc + scale * z`, with `z` standard normal or standard Student-t
    (`df` degrees of freedom), drawn by `numpy.random.default_rng(seed)`.

    Args:
        params: distribution parameters `(B, H, P, O)`.
        distribution: `"normal"` or `"student_t"`.
        num_samples: number of draws S, a positive integer.
        seed: seed or `numpy.random.Generator`; the same seed gives the same
            samples. Defaults to `None` (fresh entropy).

    Returns:
        `np.ndarray` `(S, B, H, O)`.
    """
    loc, scale, df = _split_params(params, distribution)
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
    loc, scale = np.squeeze(loc, axis=-2), np.squeeze(scale, axis=-2)
    size = (int(num_samples),) + loc.shape
    if df is None:
        standard = rng.standard_normal(size)
    else:
        standard = rng.standard_t(np.squeeze(df, axis=-2), size=size)
    return loc + scale * standard
