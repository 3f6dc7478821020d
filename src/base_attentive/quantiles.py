"""Quantile levels: the one validator, the one rule for the median, and the
central intervals a set of levels holds (NumPy only).

Every part of the package that takes quantile levels (the model's quantile
head, the losses, the metrics, the calibrator, the plots, the `Forecaster`
and the CLI) checks them here, with the same message.

The median is the level 0.5, exactly. It is the point forecast: MAE, RMSE,
sMAPE and MASE score it, conformal recalibration leaves it in place, and a
forecast whose levels lack 0.5 has no point forecast (point metrics are not
computed for it). `Forecaster` and the CLI require it
(`require_median=True`).

Example:

>>> validate_quantiles([0.1, 0.5, 0.9])
[0.1, 0.5, 0.9]
>>> median_index([0.1, 0.5, 0.9])
1
>>> central_intervals([0.05, 0.1, 0.5, 0.9, 0.95])
[(0, 4, 0.9), (1, 3, 0.8)]
"""

from __future__ import annotations

import numpy as np

MEDIAN = 0.5
# Levels closer than this to 0.5, or to `1 - q`, are taken as equal to it
# (0.1 + 0.9 is not exactly 1.0 in binary floating point).
TOLERANCE = 1e-9


def validate_quantiles(quantiles, name="quantiles", *, require_median=False):
    """Checks quantile levels and returns them as a list of floats.

    Args:
        quantiles: sequence of levels: non-empty, strictly increasing, each
            in the open interval (0, 1).
        name: the argument name used in error messages.
        require_median: also require the level 0.5 (the point forecast).

    Returns:
        list of float.

    Raises:
        TypeError: if `quantiles` is not a sequence of numbers.
        ValueError: for an empty sequence, a level outside (0, 1), levels
            that are not strictly increasing, or a missing 0.5 when
            `require_median` is set.
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
    if require_median and find_median(levels) is None:
        raise ValueError(
            f"`{name}` must include 0.5: the median is the point forecast "
            f"scored by MAE and MASE. Received: {name}={levels.tolist()}"
        )
    return [float(level) for level in levels]


def find_median(quantiles):
    """Index of the level 0.5 in `quantiles`, or None when it is absent."""
    for index, level in enumerate(quantiles):
        if abs(float(level) - MEDIAN) <= TOLERANCE:
            return index
    return None


def median_index(quantiles):
    """Index of the level 0.5 in `quantiles` (the point forecast).

    Raises:
        ValueError: if 0.5 is not among the levels.
    """
    index = find_median(quantiles)
    if index is None:
        raise ValueError(
            "The forecast has no median: its quantile levels must include 0.5. "
            f"Received: quantiles={[float(q) for q in quantiles]}"
        )
    return index


def central_intervals(quantiles):
    """Symmetric central intervals available in a set of quantile levels.

    A pair of levels `(q, 1 - q)` with `q < 0.5` is a central interval of
    nominal coverage `1 - 2 q`.

    Args:
        quantiles: strictly increasing levels in (0, 1).

    Returns:
        list of `(low_index, high_index, nominal_coverage)`, widest first.
    """
    levels = np.asarray(validate_quantiles(quantiles))
    pairs = []
    for low in range(levels.size):
        if levels[low] >= MEDIAN:
            break
        for high in range(levels.size - 1, low, -1):
            if abs(levels[low] + levels[high] - 1.0) <= TOLERANCE:
                pairs.append((low, high, float(1.0 - 2.0 * levels[low])))
                break
    return pairs


def report_interval(quantiles):
    """The interval that tables report: the 80% one (levels 0.1 and 0.9)
    when present, else the widest central interval, else None.

    Returns:
        `(low_index, high_index, nominal_coverage)` or None.
    """
    pairs = central_intervals(quantiles)
    for pair in pairs:
        if abs(pair[2] - 0.8) <= TOLERANCE:
            return pair
    return pairs[0] if pairs else None
