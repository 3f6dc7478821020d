"""`concat_arrays`: the `WindowArrays` of consecutive groups of series, as one.

`ForecastDataset` turns a frame into arrays one group of series at a time
(`series_groups`); the groups' arrays are written into arrays allocated once
for all rows, so that only one group's temporaries exist besides them.
"""

from __future__ import annotations

import numpy as np

from base_attentive.data.row_times import RowTimesWriter
from base_attentive.data.window_arrays import WindowArrays

_ROW_FIELDS = ("dynamic", "future", "target")
_OPTIONAL_ROW_FIELDS = ("model_target", "target_input", "holiday_source")
_SETTINGS = (
    "lookback",
    "forecast_horizon",
    "mode",
    "scaling",
    "scaling_method",
    "seasonal_lags",
    "window_static",
    "holiday_lag",
    "calendar_column",
)


def concat_arrays(parts, rows):
    """Writes the `WindowArrays` of groups of series into one.

    Args:
        parts: an iterable of `WindowArrays` (each of whole series, in
            series order), consumed one at a time: a generator may build
            each group only when it is written.
        rows: the number of rows of all parts together.

    Returns:
        `WindowArrays` of all series: the same arrays as one made from the
        whole frame.

    Raises:
        ValueError: if `parts` is empty or its rows are not `rows`.
    """
    out, static, scaler_index, series_ids, lengths = None, [], [], [], []
    times = RowTimesWriter(rows)
    position = 0
    for part in parts:
        if out is None:
            out = {
                name: np.empty((rows,) + value.shape[1:], value.dtype)
                for name in _ROW_FIELDS + _OPTIONAL_ROW_FIELDS
                if (value := _row_field(part, name)) is not None
            }
            settings = {name: getattr(part, name) for name in _SETTINGS}
        stop = position + len(part.times)
        if stop > rows:
            raise ValueError(f"The parts hold more than rows={rows} rows.")
        for name, array in out.items():
            value = _row_field(part, name)
            if name == "holiday_source":  # rows of the part: shift them
                value = np.where(value >= 0, value + position, value)
            array[position:stop] = value
        times.write(position, part.times)
        static.append(part.static)
        scaler_index.append(part.scaler_index)
        series_ids += list(part.series_ids)
        lengths.append(np.diff(part.offsets))
        position = stop
        del part
    if out is None:
        raise ValueError("`parts` holds no group of series.")
    if position != rows:
        raise ValueError(f"The parts hold {position} rows, not rows={rows}.")
    return WindowArrays(
        static=np.concatenate(static),
        offsets=np.concatenate([[0], np.cumsum(np.concatenate(lengths))]).astype(
            np.int64
        ),
        series_ids=series_ids,
        scaler_index=np.concatenate(scaler_index),
        times=times.finish(),
        **out,
        **settings,
    )


def _row_field(part, name):
    """A per-row array of `part`; `model_target` None when it is `target`."""
    value = getattr(part, name)
    if name == "model_target" and value is part.target:
        return None
    return value
