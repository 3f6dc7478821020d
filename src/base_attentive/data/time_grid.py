"""The time grid: frequency inference, regularity checks, gap reindexing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from base_attentive.data import validation


def to_offset(freq):
    """Parses a pandas frequency string; `ValueError` naming `freq` if invalid."""
    try:
        return pd.tseries.frequencies.to_offset(freq)
    except ValueError:
        raise ValueError(
            "`freq` must be a pandas frequency string such as 'D', 'h', "
            f"'15min', 'W-SUN', 'MS'. Received: freq={freq!r}"
        ) from None


def infer_frequency(times, codes, offsets):
    """Frequency of the longest series (`pandas.infer_freq`), else the most
    common step between consecutive rows of a series."""
    lengths = np.diff(offsets)
    longest = int(np.argmax(lengths))
    if lengths[longest] >= 3:
        segment = pd.DatetimeIndex(times[offsets[longest] : offsets[longest + 1]])
        inferred = pd.infer_freq(segment)
        if inferred is not None:
            return inferred
    within = codes[1:] == codes[:-1]
    steps = np.diff(times.view(np.int64))[within]
    if not len(steps):
        raise ValueError(
            "Cannot infer the frequency: every series has a single row. Pass "
            "`freq` in the DatasetSpec."
        )
    values, counts = np.unique(steps, return_counts=True)
    return pd.tseries.frequencies.to_offset(
        pd.Timedelta(int(values[np.argmax(counts)]), "ns")
    ).freqstr


def regular_times(start, periods, offset):
    """`periods` timestamps from `start` on the `offset` grid, datetime64[ns]."""
    return pd.date_range(start, periods=periods, freq=offset).to_numpy(
        dtype="datetime64[ns]"
    )


def make_regular(prepared, spec):
    """Checks the time grid; reindexes series with gaps if `spec.fill_gaps`
    or `spec.missing == "mask"` (the new rows' values are missing)."""
    offset = to_offset(prepared.freq)
    times, offsets = prepared.times, prepared.offsets
    expected_next = (pd.DatetimeIndex(times[:-1]) + offset).to_numpy(
        dtype="datetime64[ns]"
    )
    row_series = prepared.row_series
    bad_steps = np.flatnonzero(
        (times[1:] != expected_next) & (row_series[1:] == row_series[:-1])
    )
    if not len(bad_steps):
        return prepared
    if not spec.reindexes_gaps:
        messages = []
        for series in np.unique(row_series[bad_steps]):
            steps = bad_steps[row_series[bad_steps] == series]
            places = ", ".join(
                f"{validation.format_time(times[i])} -> "
                f"{validation.format_time(times[i + 1])}"
                for i in steps[:3]
            )
            messages.append(
                f"{prepared.series_ids[series]!r}: {len(steps)} irregular step(s), "
                f"first {places}"
            )
        validation.raise_for_gaps(messages, prepared.freq)
    row_index, lengths, new_times = [], [], []
    for series in range(prepared.num_series):
        start, end = offsets[series], offsets[series + 1]
        segment = times[start:end]
        full_grid = pd.date_range(segment[0], segment[-1], freq=offset).to_numpy(
            dtype="datetime64[ns]"
        )
        positions = np.searchsorted(full_grid, segment)
        if (positions >= len(full_grid)).any() or not np.array_equal(
            full_grid[np.minimum(positions, len(full_grid) - 1)], segment
        ):
            raise ValueError(
                f"Series {prepared.series_ids[series]!r} has timestamps that are "
                f"not on the {prepared.freq!r} grid, so it cannot be reindexed. "
                "Set `freq` to the spacing of the data, or resample first."
            )
        index = np.full(len(full_grid), -1, dtype=np.int64)
        index[positions] = np.arange(start, end)
        row_index.append(index)
        lengths.append(len(full_grid))
        new_times.append(full_grid)
    return prepared.regroup(
        np.concatenate(row_index), np.array(lengths), np.concatenate(new_times)
    )


def time_step(frame, time_col, id_col=None):
    """The most common step between consecutive times of a series.

    Args:
        frame: a long DataFrame (time column parsed).
        time_col: the time column.
        id_col: the series id column, or None for one series.

    Returns:
        `pandas.Timedelta`, or None when no series has two distinct times.
    """
    order = [id_col, time_col] if id_col else [time_col]
    ordered = frame.sort_values(order)
    steps = ordered[time_col].diff()
    if id_col:
        steps = steps[ordered[id_col].eq(ordered[id_col].shift())]
    steps = steps[steps > pd.Timedelta(0)]
    return steps.mode().iloc[0] if len(steps) else None
