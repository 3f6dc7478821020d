"""Log-gamma functions in `keras.ops`, for the likelihood losses.

`keras.ops` has no `lgamma`. These use the recurrence
`log Gamma(x) = log Gamma(x + 6) - sum_{k<6} log(x + k)` and Stirling's
series at `z = x + 6 >= 6` (truncation error below 1e-10). Differences of
log-gamma values (Student-t and negative binomial likelihoods) are taken
analytically, so no large numbers cancel when the arguments are large.
"""

from __future__ import annotations

import math

from keras import ops

_HALF_LOG_TWO_PI = 0.5 * math.log(2.0 * math.pi)
_STIRLING_SHIFT = 6


def stirling_series(z):
    """`log Gamma(z) - ((z - 1/2) log z - z + log(2 pi) / 2)` for `z >= 6`."""
    inv = 1.0 / z
    inv2 = inv * inv
    return inv * (
        1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0))
    )


def log_gamma(x):
    """`log Gamma(x)` for `x > 0`, elementwise.

    Absolute error about 1e-10 in float64; in float32 the rounding of the
    result (relative 1e-7) dominates for large `x`.
    """
    z = x + float(_STIRLING_SHIFT)
    value = (z - 0.5) * ops.log(z) - z + _HALF_LOG_TWO_PI + stirling_series(z)
    for k in range(_STIRLING_SHIFT):
        value = value - ops.log(x + float(k))
    return value


def log_gamma_half_ratio(x):
    """`log Gamma(x + 1/2) - log Gamma(x)` for `x > 0`.

    `z log(z + 1/2) - (z - 1/2) log z = z log1p(1 / (2 z)) + log(z) / 2`
    at `z = x + 6`, so large `x` (large degrees of freedom) loses nothing.
    """
    z = x + float(_STIRLING_SHIFT)
    value = z * ops.log1p(0.5 / z) + 0.5 * ops.log(z) - 0.5
    value = value + stirling_series(z + 0.5) - stirling_series(z)
    for k in range(_STIRLING_SHIFT):
        value = value - ops.log1p(0.5 / (x + float(k)))
    return value


def log_gamma_difference(x, y):
    """`log Gamma(x + y) - log Gamma(x)` for `x > 0`, `y >= 0`.

    With `z = x + 6`:
    `(z - 1/2) log1p(y / z) + y log(z + y) - y + S(z + y) - S(z)
    - sum_{k<6} log1p(y / (x + k))`, `S` the Stirling series: exact at
    `y = 0` and without cancellation for large `x` (a negative binomial
    close to a Poisson).
    """
    z = x + float(_STIRLING_SHIFT)
    value = (z - 0.5) * ops.log1p(y / z) + y * ops.log(z + y) - y
    value = value + stirling_series(z + y) - stirling_series(z)
    for k in range(_STIRLING_SHIFT):
        value = value - ops.log1p(y / (x + float(k)))
    return value
