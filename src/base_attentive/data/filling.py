"""Fill policies for missing values, applied within each series."""

from __future__ import annotations

import numpy as np
import pandas as pd


def fill_missing(values, codes, policy):
    """Fills NaN in `values` series by series.

    Args:
        values: float array `(N, C)`, rows sorted by series then time.
        codes: int array `(N,)`, the series of each row.
        policy: `"ffill"` (carry the last value forward; leading NaN take the
            first observed value), `"zero"` (write 0) or `"interpolate"`
            (linear in the row position within the series; the edges take
            the nearest observed value).

    Returns:
        float array `(N, C)`; a column that is NaN over a whole series stays
        NaN (the caller reports it).
    """
    missing = np.isnan(values)
    if not missing.any():
        return values
    if policy == "zero":
        return np.where(missing, 0.0, values)
    if policy == "ffill":
        forward = pd.DataFrame(values).groupby(codes, sort=False).ffill()
        return forward.groupby(codes, sort=False).bfill().to_numpy()
    if policy == "interpolate":
        return _interpolate(values, codes, missing)
    raise ValueError(
        "`fill_missing` must be one of 'ffill', 'zero', 'interpolate' to fill "
        f"values. Received: fill_missing={policy!r}"
    )


def _interpolate(values, codes, missing):
    filled = values.copy()
    boundaries = np.flatnonzero(np.diff(codes)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(codes)]])
    for column in np.flatnonzero(missing.any(axis=0)):
        for start, end in zip(starts, ends, strict=True):
            gap = missing[start:end, column]
            if not gap.any() or gap.all():
                continue
            positions = np.arange(end - start)
            segment = filled[start:end, column]
            segment[gap] = np.interp(positions[gap], positions[~gap], segment[~gap])
    return filled
