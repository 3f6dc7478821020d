"""`RowTimes`: the time of every row of `WindowArrays`, held once per
distinct time.

The series of a panel share a time axis: 30,000 daily series of three
years have 24 M rows but about 1,100 distinct dates. Each row keeps the
position of its time among the sorted distinct times (`timeline`): an
int32, 4 bytes a row instead of a `datetime64[ns]`'s 8. The calendar
features depend on the time alone, so they are held once per distinct time
too (`calendar`), not once per row: a batch reads them through its rows'
positions (`calendar_at`), the same values as computed row by row.

`RowTimesWriter` joins the `RowTimes` of consecutive groups of series
(`array_writer.concat_arrays`) into one, over the union of their timelines.
"""

from __future__ import annotations

import numpy as np

_INT32_LIMIT = np.iinfo(np.int32).max


def _position_dtype(size):
    """int32 for positions among fewer than 2**31 items, else int64."""
    return np.int32 if size < _INT32_LIMIT else np.int64


class RowTimes:
    """The time of each row, as positions into the sorted distinct times.

    Indexing reads like the `datetime64[ns]` array of the rows:
    `row_times[rows]` is `timeline[index[rows]]`; `np.asarray(row_times)`
    builds the whole array.

    Args:
        index: int array `(N,)`, each row's position in `timeline`.
        timeline: `(T,)` `datetime64[ns]`, sorted, distinct.
        calendar: `(T, C)` float32 calendar features of each time, or None
            (no calendar features: `(T, 0)`).
    """

    def __init__(self, index, timeline, calendar=None):
        self.index = index
        self.timeline = timeline
        if calendar is None:
            calendar = np.zeros((len(timeline), 0), np.float32)
        self.calendar = calendar

    @classmethod
    def from_times(cls, times, calendar=None):
        """`RowTimes` of a `datetime64[ns]` array.

        Args:
            times: `(N,)` the time of each row.
            calendar: None, or a function from the distinct times (a
                sorted `datetime64[ns]` array) to their `(T, C)` float32
                calendar features (`calendar.calendar_features`).
        """
        times = np.asarray(times, dtype="datetime64[ns]")
        timeline, index = np.unique(times, return_inverse=True)
        index = index.reshape(-1).astype(_position_dtype(len(timeline)))
        table = None if calendar is None else calendar(timeline)
        return cls(index, timeline, table)

    def __len__(self):
        return len(self.index)

    def __getitem__(self, rows):
        return self.timeline[self.index[rows]]

    def __array__(self, dtype=None, copy=None):
        values = self.timeline[self.index]
        return values if dtype is None else values.astype(dtype)

    @property
    def dtype(self):
        return self.timeline.dtype

    @property
    def shape(self):
        return self.index.shape

    @property
    def nbytes(self):
        """Bytes held: the positions, the timeline and the calendar."""
        return self.index.nbytes + self.timeline.nbytes + self.calendar.nbytes

    def min(self):
        """The earliest time of the rows (every time of `timeline` is a row's)."""
        return self.timeline.min()

    def max(self):
        """The latest time of the rows."""
        return self.timeline.max()

    def calendar_at(self, rows):
        """The calendar features of `rows` (any int array shape), `(..., C)`."""
        return self.calendar[self.index[rows]]


class RowTimesWriter:
    """Writes the `RowTimes` of consecutive groups of rows into one.

    Args:
        rows: the number of rows of all groups together.
    """

    def __init__(self, rows):
        self.index = np.empty(rows, _position_dtype(rows))
        self.parts = []  # (first row, stop, the part's timeline, calendar)

    def write(self, position, times):
        """Writes the `RowTimes` `times` of rows `position .. position + len`."""
        stop = position + len(times)
        self.index[position:stop] = times.index
        timeline, calendar = times.timeline, times.calendar
        if self.parts and np.array_equal(self.parts[-1][2], timeline):
            # The same time axis as the group before: hold it once.
            timeline, calendar = self.parts[-1][2], self.parts[-1][3]
        self.parts.append((position, stop, timeline, calendar))

    def finish(self):
        """The `RowTimes` of every row written, over the union of the
        groups' timelines (each row's position moved into it)."""
        timelines = {id(part[2]): part[2:] for part in self.parts}
        timeline, first = np.unique(
            np.concatenate([value[0] for value in timelines.values()]),
            return_index=True,
        )
        calendar = np.concatenate([value[1] for value in timelines.values()])[first]
        for position, stop, part_timeline, _ in self.parts:
            where = np.searchsorted(timeline, part_timeline).astype(self.index.dtype)
            self.index[position:stop] = where[self.index[position:stop]]
        self.parts = []
        return RowTimes(self.index, timeline, calendar)
