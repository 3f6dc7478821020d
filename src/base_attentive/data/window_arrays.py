"""Model-ready arrays of one frame, stored once; a window is a slice of them.

Memory grows with the number of rows (`N x (D + F)` float32 plus the raw
targets), never with `rows x lookback`: a batch of windows is gathered on
demand with one vectorised fancy-indexing call per input.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd


@dataclasses.dataclass
class WindowArrays:
    """Scaled, encoded arrays of one prepared frame.

    Attributes:
        dynamic: `(N, D)` float32: scaled targets (first `output_dim`
            columns) then scaled past-observed covariates.
        future: `(N, F)` float32: scaled known-future covariates then
            calendar features.
        static: `(num_series, S)` float32.
        target: `(N, O)` float64 targets in original units (NaN on the
            horizon rows of a prediction frame).
        times: `(N,)` `datetime64[ns]`.
        offsets: `(num_series + 1,)`; rows of series `i` are
            `offsets[i]:offsets[i + 1]`.
        series_ids: the id of each series.
        scaler_index: `(num_series,)` row of each series in the fitted
            target scaler.
        lookback, forecast_horizon, mode: window geometry.
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

    def __post_init__(self):
        lookback, horizon = self.lookback, self.forecast_horizon
        self._lookback_steps = np.arange(lookback)
        self._target_steps = lookback + np.arange(horizon)
        self._future_steps = (
            np.arange(lookback + horizon) if self.mode == "tft" else self._target_steps
        )

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
        )

    def window_starts(self):
        """Every window that fits inside its series.

        Returns:
            `(starts, window_series)`: int64 arrays, the global row where each
            window's lookback begins and the series it belongs to.
        """
        lengths = np.diff(self.offsets)
        counts = np.maximum(lengths - self.lookback - self.forecast_horizon + 1, 0)
        window_series = np.repeat(np.arange(len(lengths)), counts)
        first = np.cumsum(counts) - counts
        steps = np.arange(counts.sum()) - np.repeat(first, counts)
        return self.offsets[window_series] + steps, window_series

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
        starts = starts[:, None]
        inputs = (
            self.static[window_series],
            self.dynamic[starts + self._lookback_steps],
            self.future[starts + self._future_steps],
        )
        if not with_targets:
            return inputs
        targets = self.dynamic[starts + self._target_steps, : self.output_dim]
        return inputs, targets

    def forecast_origins(self, starts, window_series):
        """Series id and forecast origin (last lookback time) of each window."""
        ids = np.asarray(self.series_ids, dtype=object)[window_series]
        origins = self.times[self.origin_rows(starts)]
        return ids, pd.DatetimeIndex(origins)
