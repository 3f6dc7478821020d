"""`WindowBatches`: prediction windows as plain NumPy batches, no Keras.

The framework-free twin of `WindowDataset` (a `keras.utils.PyDataset`) for
serving: ONNX Runtime, or any other runtime, reads the same windows in the
same order. Both are views of one `WindowArrays`, which owns the window
geometry (`gather`, `target_rows`, `forecast_origins`); this class only
cuts the window index into batches.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def check_batch_size(batch_size):
    """Raises unless `batch_size` is an int >= 1."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise TypeError(f"`batch_size` must be an int. Received: {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"`batch_size` must be >= 1. Received: {batch_size}")


class WindowBatches:
    """Batches of windows sliced on demand from a frame's `WindowArrays`.

    Built by `ForecastDataset.prediction_batches()`. It offers what
    `ForecastDataset.forecast_frame` reads from a `WindowDataset` (`arrays`,
    `starts`, `window_series`, `num_windows`, `shuffle`) and the batches, in
    window order, as tuples `(static, dynamic, future)` of float32 arrays.

    Args:
        arrays: the `WindowArrays` of a frame.
        starts: int array, first lookback row of each window.
        window_series: int array, series of each window.
        batch_size: windows per batch (int >= 1). The last batch may be
            smaller; no window is dropped.

    Example:

    >>> from base_attentive.data import (ForecastDataset, chicago_ridership_spec,
    ...     load_chicago_ridership)
    >>> dataset = ForecastDataset(chicago_ridership_spec()).fit(
    ...     load_chicago_ridership(start="2016-01-01"))
    >>> frame = load_chicago_ridership(start="2016-01-01",
    ...     include_future_covariates=True)
    >>> windows = dataset.prediction_batches(frame, batch_size=8)
    >>> windows.num_windows, len(windows)
    (20, 3)
    >>> static, dynamic, future = windows[0]
    >>> tuple(dynamic.shape), tuple(future.shape)
    ((8, 28, 19), (8, 14, 19))
    """

    # Predictions are matched to windows by order (see `forecast_frame`).
    shuffle = False

    def __init__(self, arrays, starts, window_series, *, batch_size=256):
        check_batch_size(batch_size)
        self.arrays = arrays
        self.starts = np.asarray(starts, dtype=np.int64)
        self.window_series = np.asarray(window_series, dtype=np.int64)
        self.batch_size = batch_size

    @property
    def num_windows(self):
        return len(self.starts)

    def __len__(self):
        return math.ceil(self.num_windows / self.batch_size)

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(
                f"Batch index {index} out of range for {len(self)} batches."
            )
        chosen = slice(
            (index % len(self)) * self.batch_size,
            (index % len(self) + 1) * self.batch_size,
        )
        return self.arrays.gather(
            self.starts[chosen], self.window_series[chosen], with_targets=False
        )

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]

    def materialize(self):
        """Every window at once: `(static, dynamic, future)`, window order."""
        return self.arrays.gather(self.starts, self.window_series, with_targets=False)

    def window_index(self):
        """Series id and forecast origin of every window, in window order.

        Returns:
            `pandas.DataFrame` with columns `series_id` and `forecast_origin`.
        """
        ids, origins = self.arrays.forecast_origins(self.starts, self.window_series)
        return pd.DataFrame({"series_id": ids, "forecast_origin": origins})
