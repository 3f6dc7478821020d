"""Groups of whole series of an in-memory frame, prepared one group at a time.

`ForecastDataset` prepares a frame (`prepare_frame`: validation, sorting,
float64 working copies of every column, object arrays of the categorical
columns) one group of series at a time, so that these temporaries are
bounded by a group, not by the table: `plan_groups` sorts the rows by series
once (an int32 row order, 4 bytes a row) and cuts the series into groups of
about `MAX_GROUP_ROWS` rows; `SeriesGroups.frames` yields each group's rows
as a DataFrame. Series never straddle groups, so everything computed per
series (scalers, statistics, windows) is the same as on the whole frame.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from base_attentive.data import validation
from base_attentive.data.prepare import prepare_frame, series_codes
from base_attentive.data.time_grid import infer_frequency

# Rows per group: about 1/128 of the table, within these bounds (a frame of
# at most MIN_GROUP_ROWS rows is one group: prepared as a whole).
MIN_GROUP_ROWS = 1 << 12
MAX_GROUP_ROWS = 1 << 16
_GROUPS_PER_TABLE = 128


@dataclasses.dataclass
class SeriesGroups:
    """Where the rows of each group of series are in a frame.

    Attributes:
        order: int array `(N,)`, the frame's row positions sorted by series
            (stable: the frame's order within a series).
        offsets: `(num_series + 1,)`, rows of series `i` are
            `order[offsets[i]:offsets[i + 1]]`.
        bounds: `[(first, stop), ...]`, the series of each group.
        freq: the frequency to prepare every group with (the spec's, the
            one given, or inferred on the whole frame), or None.
        times: the parsed time column (`datetime64[ns]`, frame order) when
            parsing depends on the whole column (strings, time zones), else
            None (each group parses its own rows).
    """

    order: np.ndarray
    offsets: np.ndarray
    bounds: list
    freq: str | None
    times: np.ndarray | None = None

    def frames(self, frame):
        """Yields `(group_frame, group_times)` for each group, in series order."""
        for first, stop in self.bounds:
            rows = self.order[self.offsets[first] : self.offsets[stop]]
            times = None if self.times is None else self.times[rows]
            yield frame.take(rows), times


def plan_groups(frame, spec, freq=None):
    """Sorts the rows of `frame` by series and cuts the series into groups.

    Args:
        frame: the long DataFrame.
        spec: its `DatasetSpec`.
        freq: the frequency to enforce (a fitted dataset's), or None: the
            spec's, else inferred on the whole frame, as `prepare_frame`
            infers it.

    Returns:
        `SeriesGroups`.

    Raises:
        TypeError, ValueError: as `prepare_frame`, for a frame that is not a
        DataFrame, lacks the spec's columns, or has bad times or series ids.
    """
    validation.check_frame(frame)
    validation.check_columns(frame, spec)
    column = frame[spec.time_column]
    # Naive datetimes parse the same row by row; strings and zones are
    # parsed once, on the whole column (a format or a date-only reading
    # inferred from a subset could differ).
    whole = not (
        pd.api.types.is_datetime64_dtype(column.dtype)
        and not isinstance(column.dtype, pd.DatetimeTZDtype)
    )
    frequency = freq or spec.freq
    times = None
    if whole or frequency is None or column.isna().any():
        # Parsed here when needed (and to name the rows of missing times
        # in the whole frame); else each group parses its own rows.
        times = validation.to_datetime_ns(column, spec.time_column)
    codes, series_ids = series_codes(frame, spec)
    if frequency is None:
        order = np.lexsort((times.view(np.int64), codes))
        validation.check_duplicates(codes[order], times[order], series_ids)
        counts = np.bincount(codes, minlength=len(series_ids))
        offsets = np.concatenate([[0], np.cumsum(counts)])
        frequency = infer_frequency(times[order], codes[order], offsets)
        del order
    dtype = np.int32 if len(codes) < np.iinfo(np.int32).max else np.int64
    if (codes[1:] >= codes[:-1]).all():  # already by series: no sort
        order = np.arange(len(codes), dtype=dtype)
    else:
        order = np.argsort(codes, kind="stable").astype(dtype, copy=False)
    counts = np.bincount(codes, minlength=len(series_ids))
    del codes
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    limit = min(max(len(frame) // _GROUPS_PER_TABLE, MIN_GROUP_ROWS), MAX_GROUP_ROWS)
    bounds, first = [], 0
    for stop in range(1, len(series_ids) + 1):
        if stop == len(series_ids) or offsets[stop + 1] - offsets[first] > limit:
            bounds.append((first, stop))
            first = stop
    return SeriesGroups(
        order=order,
        offsets=offsets,
        bounds=bounds,
        freq=frequency,
        times=times if whole else None,
    )


class GroupPreparer:
    """Prepares the groups of a frame, one at a time, as often as asked.

    Calling it yields the `PreparedFrame` of each group (`prepare_frame`
    with the groups' frequency; a group whose series are all too short is
    empty, not an error). A frame of one group is prepared once and reused.
    Groups prepared again skip the value checks (`checked`), which the
    first pass made.

    Args:
        dataset: the `ForecastDataset` (its spec; with `boundaries`, its
            `_drop_series_without_training_rows`).
        frame: the DataFrame.
        groups: its `SeriesGroups`.

    Call args:
        for_prediction: as `prepare_frame`.
        boundaries: the split's `SplitBoundaries`: drop the series without
            training rows; None: keep them.
    """

    def __init__(self, dataset, frame, groups):
        self.dataset, self.frame, self.groups = dataset, frame, groups
        self._single = None
        self._checked = False  # every group passed the value checks once

    def __call__(self, for_prediction=False, boundaries=None):
        spec, groups = self.dataset.spec, self.groups
        if self._single is not None:
            prepared = self._single
            if boundaries is not None:
                prepared = self.dataset._drop_series_without_training_rows(
                    prepared, boundaries
                )
            yield prepared
            return
        for frame, times in groups.frames(self.frame):
            prepared = prepare_frame(
                frame, spec, freq=groups.freq, for_prediction=for_prediction,
                times=times, allow_empty=True, checked=self._checked,
            )  # fmt: skip
            del frame
            if len(groups.bounds) == 1:
                self._single = prepared
            if boundaries is not None:
                prepared = self.dataset._drop_series_without_training_rows(
                    prepared, boundaries
                )
            yield prepared
        self._checked = True
