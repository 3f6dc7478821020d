"""Monotone transforms of the target, applied before scaling and inverted
on the forecasts.

The model learns and forecasts `f(y)` instead of `y`; its quantile
forecasts are mapped back with `f`'s inverse. For an increasing `f` the
`q`-quantile of `f(y)` is `f` of the `q`-quantile of `y`, so the inverse of
a quantile forecast is a quantile forecast of the original target, exactly
(the median of the original scale is `expm1` of the median of the log
scale, and so on); intervals keep their coverage, and split-conformal
corrections made in the transformed scale stay valid.

`"log1p"` (`log(1 + y)`) turns multiplicative effects (a holiday that
removes two thirds of a station's riders, big and small stations alike)
into additive ones, and narrows the range of targets that span orders of
magnitude. It needs targets >= 0.
"""

from __future__ import annotations

import numpy as np

TARGET_TRANSFORMS = ("none", "log1p")


def check_target_transform(name):
    """Raises `ValueError` unless `name` is one of `TARGET_TRANSFORMS`."""
    if name not in TARGET_TRANSFORMS:
        raise ValueError(
            f"`target_transform` must be one of {list(TARGET_TRANSFORMS)}. "
            f"Received: target_transform={name!r}"
        )


def forward(values, name, columns=None):
    """`f(values)`: the target in the model's scale.

    Args:
        values: float array `(N, O)` (NaN allowed: unobserved steps stay
            NaN).
        name: one of `TARGET_TRANSFORMS`.
        columns: the O target column names, for the error message.

    Returns:
        float64 array of the same shape (`values` itself for `"none"`).

    Raises:
        ValueError: for `"log1p"`, if a value is negative (naming the
            column, its minimum and how many values are negative).

    Example:

    >>> forward(np.array([[0.0], [np.e - 1.0]]), "log1p").ravel().tolist()
    [0.0, 1.0]
    """
    check_target_transform(name)
    if name == "none":
        return values
    values = np.asarray(values, dtype=np.float64)
    negative = values < 0  # NaN compares False
    if negative.any():
        column = int(np.flatnonzero(negative.any(axis=0))[0])
        label = columns[column] if columns is not None else f"#{column}"
        raise ValueError(
            "`target_transform='log1p'` needs targets >= 0 (it forecasts "
            f"log(1 + y)). Target column {label!r} holds "
            f"{int(negative[:, column].sum())} negative value(s), the smallest "
            f"{np.nanmin(values[:, column]):.6g}. Use target_transform='none' "
            "or shift the target."
        )
    return np.log1p(values)


def inverse(values, name):
    """`f`'s inverse: forecasts in the model's scale back to original units.

    Args:
        values: float array of any shape.
        name: one of `TARGET_TRANSFORMS`.

    Returns:
        float64 array of the same shape.

    Example:

    >>> inverse(np.array([0.0, 1.0]), "log1p").round(6).tolist()
    [0.0, 1.718282]
    """
    check_target_transform(name)
    values = np.asarray(values, dtype=np.float64)
    if name == "none":
        return values
    return np.expm1(values)
