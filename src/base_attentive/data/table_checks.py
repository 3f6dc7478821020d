"""Checks of a table's numbers, done once where a frame is prepared.

Two rules, per numeric column (targets, past-observed, known-future and
numeric static columns; categorical columns hold codes, not numbers):

- **Infinite or absurd values are errors.** A value that is `inf`, `-inf`
  or larger in magnitude than float32's largest number (`MAX_MAGNITUDE`,
  about 3.4e38; the model computes in float32) raises a `ValueError` naming
  the column, the series, the time and the count. Such values used to
  reach the scalers and fail after training ("All-NaN slice encountered")
  or train on infinities.
- **Extreme outliers are warned about.** Per series and column, a value
  farther from the series' median than `OUTLIER_FACTOR` (1,000) times the
  spread of its central 98% (the 1st to 99th percentile) is an extreme
  outlier: a `UserWarning` gives the count, the first place and the value.
  One such value (a 1e30 among ridership counts, a unit slip, a sensor
  error code) dominates the scaling and the loss, yet can be legitimate, so
  it is not refused. Series whose central 98% is constant are not judged.

Missing values (NaN) are not judged here; `validation.check_missing` and
the fill policies handle them.
"""

from __future__ import annotations

import warnings

import numpy as np

from base_attentive.data.validation import format_time

MAX_MAGNITUDE = float(np.finfo(np.float32).max)
OUTLIER_FACTOR = 1000.0
_CENTRAL = (0.01, 0.99)  # the percentiles whose distance is the spread
_SHOWN = 3


def check_values(prepared, spec):
    """Applies both rules to the numeric columns of a `PreparedFrame`.

    Args:
        prepared: the frame's arrays (rows sorted by series, then time).
        spec: the `DatasetSpec` (column names by role).

    Raises:
        ValueError: on infinite or absurdly large values.
    """
    codes = prepared.row_series
    roles = (
        (prepared.target, spec.target_columns, "target_columns"),
        (prepared.past, spec.past_numeric_columns, "past_columns"),
        (prepared.future, spec.future_numeric_columns, "future_columns"),
    )
    problems = [
        problem
        for values, columns, role in roles
        for problem in _magnitudes(
            values, columns, codes, prepared.times, prepared, role
        )
    ]
    problems += _magnitudes(
        prepared.static_numeric,
        spec.static_numeric_columns,
        np.arange(prepared.num_series),
        None,
        prepared,
        "static_columns",
    )
    if problems:
        raise ValueError(
            f"Infinite or absurdly large values (|value| above {MAX_MAGNITUDE:.3g},"
            " the largest float32 the model computes with) in "
            + "; ".join(problems)
            + ". Fix or remove them (a unit slip, an error code, a division by "
            "zero?)."
        )
    for values, columns, role in roles:
        warn_outliers(values, columns, codes, prepared, role)


def _magnitudes(values, columns, codes, times, prepared, role):
    """Descriptions of the inf / > `MAX_MAGNITUDE` values of `values` `(N, C)`."""
    with np.errstate(invalid="ignore"):
        bad = np.isinf(values) | (np.abs(values) > MAX_MAGNITUDE)
    problems = []
    for index in np.flatnonzero(bad.any(axis=0)):
        rows = np.flatnonzero(bad[:, index])
        places = ", ".join(
            _place(prepared, codes, times, row) + f" ({values[row, index]:g})"
            for row in rows[:_SHOWN]
        )
        more = f" (+{len(rows) - _SHOWN} more)" if len(rows) > _SHOWN else ""
        problems.append(
            f"`{role}` column {columns[index]!r}: {len(rows)} value(s), at "
            f"{places}{more}"
        )
    return problems


def warn_outliers(values, columns, codes, prepared, role):
    """Warns about extreme outliers of `values` `(N, C)` (see the module)."""
    if not len(columns) or not len(values):
        return
    outliers = _outliers(values, codes, prepared.offsets)
    problems = []
    for index in np.flatnonzero(outliers.any(axis=0)):
        rows = np.flatnonzero(outliers[:, index])
        first = rows[0]
        problems.append(
            f"{columns[index]!r}: {len(rows)} value(s), first "
            f"{_place(prepared, codes, prepared.times, first)} "
            f"({values[first, index]:g})"
        )
    if problems:
        warnings.warn(
            f"Extreme outliers in `{role}` (farther from their series' median "
            f"than {OUTLIER_FACTOR:g} times the spread of its central 98%): "
            + "; ".join(problems)
            + ". They dominate the scaling and the loss; check them.",
            UserWarning,
            stacklevel=2,
        )


def _outliers(values, codes, offsets):
    """Boolean mask `(N, C)` of the extreme outliers of `values` `(N, C)`."""
    median, spread = _series_percentiles(values, codes, offsets)
    spread, median = spread[codes], median[codes]
    with np.errstate(invalid="ignore"):
        distance = np.abs(values - median)
        return (spread > 0) & (distance > OUTLIER_FACTOR * spread)


def _series_percentiles(values, codes, offsets):
    """Per series and column `(S, C)`: the median and the distance between
    the `_CENTRAL` percentiles (nearest rank) of the values that are not
    NaN (`_magnitudes` has refused infinities before)."""
    lengths = np.diff(offsets)
    series, columns = len(lengths), values.shape[1]
    positions = np.arange(len(codes)) - offsets[codes]
    # Series side by side, padded with NaN (sorted last): one sort for all.
    width = int(lengths.max())
    if series * width <= 2 * len(codes) + 1024:
        grid = np.full((columns, series, width), np.nan)
        grid[:, codes, positions] = values.T
        grid.sort(axis=-1)
    else:  # very uneven lengths: sort within each series, column by column
        grid = np.full((columns, len(codes)), np.nan)
        for column in range(columns):
            order = np.lexsort((values[:, column], codes))
            grid[column] = values[order, column]
        positions = None
    counts = np.stack(
        [
            np.bincount(codes[np.isfinite(values[:, c])], minlength=series)
            for c in range(columns)
        ]
    )  # (C, S)

    def percentile(level):
        rank = np.floor(level * np.maximum(counts - 1, 0)).astype(np.int64)
        if positions is None:  # flat layout: series `s` starts at offsets[s]
            return np.take_along_axis(grid, offsets[:-1][None, :] + rank, axis=1)
        return np.take_along_axis(grid, rank[..., None], axis=-1)[..., 0]

    median = percentile(0.5)
    spread = percentile(_CENTRAL[1]) - percentile(_CENTRAL[0])
    spread = np.where(counts >= 3, spread, 0.0)
    return median.T, spread.T


def _place(prepared, codes, times, row):
    """`series 'A' at 2016-01-01` (or `series 'A'` for per-series values)."""
    place = f"series {prepared.series_ids[codes[row]]!r}"
    return place if times is None else f"{place} at {format_time(times[row])}"
