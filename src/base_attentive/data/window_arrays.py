"""Model-ready arrays of one frame, stored once; a window is a slice of them.

Memory grows with the number of rows (`N x (D + F)` float32 plus the raw
targets), never with `rows x lookback`: a batch of windows is gathered on
demand with one vectorised fancy-indexing call per input.

This module owns the window geometry: which rows a window reads (its
lookback, its horizon, and the rows its seasonal lags reach back to), and
how a window's targets are scaled (per series, or by the window's own
lookback statistics).
"""

from __future__ import annotations

import dataclasses
import types
import warnings

import numpy as np
import pandas as pd

from base_attentive.data.row_times import RowTimes
from base_attentive.data.scaling import safe_scale

SCALINGS = ("series", "window")
# NumPy's NaN-ignoring statistics, under the names `_location_scale` uses.
_NAN_AWARE = types.SimpleNamespace(
    percentile=np.nanpercentile, mean=np.nanmean, std=np.nanstd
)


def _location_scale(values, method, stats):
    """Location and scale over axis 1 of `(B, T, O)` values (`stats`: NumPy or
    its NaN-aware twins); a scale that is 0, not finite or float round-off
    becomes 1 (`safe_scale`).
    """
    if method == "robust":
        q25, loc, q75 = stats.percentile(values, [25, 50, 75], axis=1)
        scale = np.where(q75 - q25 > 0, q75 - q25, stats.std(values, axis=1))
    else:
        loc, scale = stats.mean(values, axis=1), stats.std(values, axis=1)
    return loc, safe_scale(scale, loc)


def lag_offsets(lag, positions):
    """Row offsets from each future position to its seasonal-lag value.

    The value given for a future position `p` (steps after the forecast
    origin; `p <= 0` for the lookback rows of a `"tft"` future input) with
    season `lag` is the latest value at the same phase observed by the
    origin: `y[origin + p - lag * k]` with `k = max(1, ceil(p / lag))`.

    Args:
        lag: the seasonal lag (steps).
        positions: int array of future positions.

    Returns:
        int array, `lag * k` per position.
    """
    positions = np.asarray(positions, dtype=np.int64)
    seasons = np.maximum(1, -((-positions) // lag))
    return lag * seasons


def history_rows(
    lookback, forecast_horizon, seasonal_lags=(), mode=None, holiday_lag=None
):
    """Rows a window reads before its first lookback row (for seasonal lags).

    Args:
        lookback, forecast_horizon: the window geometry.
        seasonal_lags: the lags of `DatasetSpec.seasonal_lags`.
        mode: `None` (future input over the horizon) or `"tft"` (over the
            lookback and the horizon).
        holiday_lag: `DatasetSpec.holiday_lag`: on holidays that lag reads
            the same holiday a year before, up to a week (`holiday_lag //
            52` rows: 53 weeks for a holiday on a set weekday) further back
            than the lag itself.

    Returns:
        int >= 0.

    Example:

    >>> history_rows(56, 14, seasonal_lags=(7, 364))
    308
    >>> history_rows(56, 14, seasonal_lags=(7, 364), holiday_lag=364)
    315
    """
    positions = _future_positions(lookback, forecast_horizon, mode)
    reach = 0
    for lag in seasonal_lags:
        back = lag_offsets(lag, positions) - positions  # rows before origin
        if lag == holiday_lag:
            back = back + lag // 52
        reach = max(reach, int(back.max()) - (lookback - 1))
    return max(reach, 0)


def _future_positions(lookback, forecast_horizon, mode):
    """Positions after the origin of the future input's steps."""
    start = -(lookback - 1) if mode == "tft" else 1
    return np.arange(start, forecast_horizon + 1)


_COMPRESS_CHUNK = 1 << 18


def compress(values, mask):
    """`values[mask]`, computed in place by chunks, the array then shrunk:
    no second array of every window on large panels.

    `values` (1-D) is consumed: only for an array nothing else refers to
    (a fresh `window_starts` result); one that does not own its data is
    indexed the ordinary way.
    """
    if not values.flags.owndata or not values.flags.c_contiguous:
        return values[mask]
    kept = 0
    for first in range(0, len(values), _COMPRESS_CHUNK):
        chunk = slice(first, first + _COMPRESS_CHUNK)
        selected = values[chunk][mask[chunk]]
        values[kept : kept + len(selected)] = selected
        kept += len(selected)
    values.resize(kept, refcheck=False)
    return values


def index_dtype(size):
    """The integer type of indices into `size` items: int32 when it holds
    them (4 bytes an index: the window index of a large panel is the
    largest array after the data), else int64."""
    return np.int32 if size < np.iinfo(np.int32).max else np.int64


def spec_arguments(spec):
    """The `WindowArrays` arguments a `DatasetSpec` decides: the window
    geometry, the scaling and the seasonal lags."""
    return {
        "lookback": spec.lookback,
        "forecast_horizon": spec.forecast_horizon,
        "mode": spec.mode,
        "scaling": spec.scaling,
        "scaling_method": spec.target_scaler,
        "seasonal_lags": spec.seasonal_lags,
    }


@dataclasses.dataclass
class WindowArrays:
    """Scaled, encoded arrays of one prepared frame.

    Attributes:
        dynamic: `(N, D)` float32: scaled targets (first `output_dim`
            columns) then scaled past-observed covariates.
        future: `(N, F)` float32: scaled known-future covariates then
            calendar features; without them when `calendar_column` is set
            (they are then read from `times`; `future_rows` gives every
            column).
        static: `(num_series, S)` float32.
        target: `(N, O)` float64 targets in original units (NaN on the
            horizon rows of a prediction frame).
        times: `RowTimes`, the time of each row (`times[rows]` reads as a
            `datetime64[ns]` array); a `datetime64[ns]` array is accepted
            and converted.
        offsets: `(num_series + 1,)`; rows of series `i` are
            `offsets[i]:offsets[i + 1]`.
        series_ids: the id of each series.
        scaler_index: `(num_series,)` row of each series in the fitted
            target scaler.
        lookback, forecast_horizon, mode: window geometry.
        scaling: `"series"`: the target columns of `dynamic` are already
            scaled per series; `"window"`: each window's targets are scaled
            by the location and scale of its own lookback (`window_stats`),
            computed from `target` when a batch is gathered.
        scaling_method: statistics of window scaling: `"standard"` (mean,
            standard deviation) or `"robust"` (median, interquartile range;
            the standard deviation when that range is 0).
        seasonal_lags: lags `L` whose target values `y[t + h - L k]` are
            appended to the future input (see `lag_offsets`), scaled like
            the target.
        window_static: with window scaling and target statistics in the
            static input: `(column, loc, scale)`, where the window's lookback
            mean and log standard deviation go (columns `column ..
            column + 2 O`) and how they are standardised; or None.
        holiday_lag: one of `seasonal_lags` (the yearly one) that reads, on
            holidays, the row in `holiday_source` instead (the same holiday
            a year before; see `base_attentive.data.holiday_lag`), or None.
        model_target: `(N, O)` float64, the target in the model's scale
            (`DatasetSpec.target_transform` applied; window scaling and the
            seasonal lags read it); None means `target` itself.
        holiday_source: `(N,)` int64, per row the row of the same holiday a
            year before, -1 where none (needed with `holiday_lag`). A source
            row before the rows a window may read (its `history` and
            lookback) is not used: that window keeps the ordinary lag.
        target_input: `(N, O)` float64 targets in the model's scale as the
            inputs read them, or None for `model_target`. With
            `missing="mask"`: missing targets carried forward
            (`model_target` keeps them NaN, for `y`; `target` for actuals).
        calendar_column: None, or the column of the future input where the
            calendar features of `times` go (held once per distinct time,
            not in `future`).
    """

    dynamic: np.ndarray
    future: np.ndarray
    static: np.ndarray
    target: np.ndarray
    times: np.ndarray
    offsets: np.ndarray
    series_ids: list
    scaler_index: np.ndarray
    lookback: int
    forecast_horizon: int
    mode: str | None
    scaling: str = "series"
    scaling_method: str = "standard"
    seasonal_lags: tuple = ()
    window_static: tuple | None = None
    holiday_lag: int | None = None
    holiday_source: np.ndarray | None = None
    model_target: np.ndarray | None = None
    target_input: np.ndarray | None = None
    calendar_column: int | None = None

    def __post_init__(self):
        if not isinstance(self.times, RowTimes):
            self.times = RowTimes.from_times(self.times)
        if self.model_target is None:
            self.model_target = self.target
        if self.scaling not in SCALINGS:
            raise ValueError(
                f"`scaling` must be one of {list(SCALINGS)}. Received: "
                f"scaling={self.scaling!r}"
            )
        lookback, horizon = self.lookback, self.forecast_horizon
        self.history = history_rows(
            lookback, horizon, self.seasonal_lags, self.mode, self.holiday_lag
        )
        self._lookback_steps = np.arange(lookback)
        self._target_steps = lookback + np.arange(horizon)
        self._future_steps = (
            np.arange(lookback + horizon) if self.mode == "tft" else self._target_steps
        )
        positions = self._future_steps - (lookback - 1)
        # Row of each seasonal-lag value, relative to the window start.
        self._lag_steps = [
            self._future_steps - lag_offsets(lag, positions)
            for lag in self.seasonal_lags
        ]
        self._holiday_index = None
        if self.holiday_lag is not None:
            if (
                self.holiday_lag not in self.seasonal_lags
                or self.holiday_source is None
            ):
                raise ValueError(
                    "`holiday_lag` must be one of `seasonal_lags`, with "
                    f"`holiday_source` rows. Received: holiday_lag="
                    f"{self.holiday_lag!r}, seasonal_lags={list(self.seasonal_lags)}"
                )
            self._holiday_index = list(self.seasonal_lags).index(self.holiday_lag)

    @property
    def output_dim(self):
        return self.target.shape[1]

    @property
    def nbytes(self):
        """Bytes held by the stored arrays (the whole footprint of the data)."""
        return sum(
            array.nbytes
            for array in (
                self.dynamic,
                self.future,
                self.static,
                self.target,
                self.times,
                self.offsets,
                self.scaler_index,
            )
        ) + sum(
            array.nbytes
            for array in (self.holiday_source, self.model_target, self.target_input)
            if array is not None and array is not self.target
        )

    def window_starts(self):
        """Every window that fits inside its series.

        A window also needs the `history` rows its seasonal lags reach
        before its lookback, so the first `history` rows of a series start
        no window.

        Returns:
            `(starts, window_series)`: integer arrays (`index_dtype`: int32
            below 2**31 rows), the global row where each window's lookback
            begins and the series it belongs to.
        """
        lengths = np.diff(self.offsets)
        span = self.history + self.lookback + self.forecast_horizon
        counts = np.maximum(lengths - span + 1, 0)
        dtype = index_dtype(max(len(self.times), len(lengths) + 1))
        window_series = np.repeat(np.arange(len(lengths), dtype=dtype), counts)
        # Each series' first start, minus the windows before it: + the
        # window's number gives its start (integers of the index type).
        first = self.offsets[:-1] + self.history - (np.cumsum(counts) - counts)
        starts = np.arange(counts.sum(), dtype=dtype)
        starts += first.astype(dtype)[window_series]
        return starts, window_series

    def window_stats(self, starts):
        """Location and scale of each window's lookback targets (window
        scaling), in the model's scale (`model_target`).

        Args:
            starts: int array `(B,)`, first lookback row of each window.

        Returns:
            `(loc, scale)`, float64 arrays `(B, O)`. A scale that is 0 or
            not finite (a constant lookback) becomes 1, as in `SeriesScaler`.
            With masked targets (`target_input`), the statistics of the
            lookback's observed values; a lookback without any takes those
            of its carried-forward values; never NaN.
        """
        rows = np.asarray(starts)[:, None] + self._lookback_steps
        values = self.model_target[rows]
        if self.target_input is None:
            return _location_scale(values, self.scaling_method, np)
        empty = np.isnan(values).all(axis=1, keepdims=True)
        values = np.where(empty, self.target_input[rows], values)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN lookback
            loc, scale = _location_scale(values, self.scaling_method, _NAN_AWARE)
        return np.nan_to_num(loc), scale

    def origin_rows(self, starts):
        """Row of each window's forecast origin (its last lookback step)."""
        return np.asarray(starts) + self.lookback - 1

    def target_rows(self, starts):
        """Rows of each window's horizon steps, `(N, H)`."""
        return np.asarray(starts)[:, None] + self._target_steps

    def targets(self, starts):
        """Targets of each window's horizon, `(N, H, O)`, original units
        (NaN where unobserved)."""
        return self.target[self.target_rows(starts)]

    def target_times(self, starts):
        """First and last target timestamps of windows starting at `starts`."""
        first = starts + self.lookback
        return self.times[first], self.times[first + self.forecast_horizon - 1]

    def gather(self, starts, window_series, with_targets=True):
        """Slices a batch of windows.

        Args:
            starts: int array `(B,)`, first lookback row of each window.
            window_series: int array `(B,)`, series of each window.
            with_targets: also return the scaled targets.

        Returns:
            `((static, dynamic, future), y)` with static `(B, S)`, dynamic
            `(B, T, D)`, future `(B, H, F)` (or `(B, T + H, F)` in `"tft"`
            mode) and y `(B, H, O)`, all float32; only the inputs tuple if
            `with_targets` is False.
        """
        output_dim = self.output_dim
        window = self.scaling == "window"
        static = self.static[window_series]
        if window:
            loc, scale = self.window_stats(starts)
            if self.window_static is not None:
                column, stats_loc, stats_scale = self.window_static
                stats = np.concatenate([loc, np.log(scale)], axis=1)
                width = stats.shape[1]
                static[:, column : column + width] = (stats - stats_loc) / stats_scale
            loc, scale = loc[:, None], scale[:, None]  # (B, 1, O)

        source = self.model_target if self.target_input is None else self.target_input

        def scaled_target(rows):
            """The scaled targets as inputs read them (lookback, lags)."""
            if window:
                scaled = ((source[rows] - loc) / scale).astype(np.float32)
                return np.nan_to_num(scaled, nan=0.0)
            return self.dynamic[rows, :output_dim]

        starts = starts[:, None]
        lookback_rows = starts + self._lookback_steps
        dynamic = self.dynamic[lookback_rows]
        if window:
            dynamic[..., :output_dim] = scaled_target(lookback_rows)
        future = self.future_rows(starts + self._future_steps)
        if self._lag_steps:
            lags = [
                scaled_target(self._lag_rows(starts, i))
                for i in range(len(self._lag_steps))
            ]
            future = np.concatenate([future, *lags], axis=-1)
        inputs = (static, dynamic, future)
        if not with_targets:
            return inputs
        target_rows = starts + self._target_steps
        if window:  # NaN where a masked target is missing
            scaled = (self.model_target[target_rows] - loc) / scale
            return inputs, scaled.astype(np.float32)
        y = self.dynamic[target_rows, :output_dim]
        if self.target_input is not None:
            y = np.where(np.isnan(self.target[target_rows]), np.float32(np.nan), y)
        return inputs, y

    def future_rows(self, rows):
        """Every column of the future input (calendar features included) of
        `rows` (an int array or a slice): `(..., F)` float32."""
        future = self.future[rows]
        if self.calendar_column is None:
            return future
        column = self.calendar_column
        calendar = self.times.calendar_at(rows)
        return np.concatenate(
            [future[..., :column], calendar, future[..., column:]], axis=-1
        )

    def _lag_rows(self, starts, index):
        """Rows read by seasonal lag `index` for windows `starts` `(B, 1)`:
        `(B, P)`, the same holiday a year before for the holiday lag."""
        rows = starts + self._lag_steps[index]
        if index != self._holiday_index:
            return rows
        source = self.holiday_source[starts + self._future_steps]
        usable = source >= starts - self.history
        return np.where(usable, source, rows)

    def forecast_origins(self, starts, window_series):
        """Series id and forecast origin (last lookback time) of each window."""
        ids = np.asarray(self.series_ids, dtype=object)[window_series]
        origins = self.times[self.origin_rows(starts)]
        return ids, pd.DatetimeIndex(origins)
