"""`WindowDataset`: lazy batches of forecasting windows for `model.fit`.

This is the only module of `base_attentive.data` that imports Keras; the rest
of the package never imports it, and `ForecastDataset.windows()` imports this
module on first use.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pandas as pd


class WindowDataset(keras.utils.PyDataset):
    """Batches of sliding windows, sliced on the fly from per-row arrays.

    Built by `ForecastDataset.windows()` and
    `ForecastDataset.prediction_windows()`, not directly. The dataset holds
    one reference to the frame's arrays (memory ~ rows) and an index of
    window start rows; `__getitem__` gathers a batch with vectorised NumPy
    indexing. The last batch may be smaller than `batch_size`; no window is
    dropped.

    Args:
        arrays: the `WindowArrays` of a frame.
        starts: int array, first lookback row of each window.
        window_series: int array, series of each window.
        batch_size: windows per batch. Default 32.
        shuffle: reshuffle the window order at every epoch end. Default
            `False`.
        seed: seed of the shuffling generator (reproducible order).
        with_targets: yield `(x, y)`; if `False`, yield `(x,)` (prediction).
        workers, use_multiprocessing, max_queue_size: see
            `keras.utils.PyDataset`.

    Yields (via `__getitem__`):
        `(x, y)` with `x = (static, dynamic, future)`: static `(B, S)`,
        dynamic `(B, T, D)`, future `(B, H, F)` (`(B, T + H, F)` in `"tft"`
        mode), `y` `(B, H, O)`; float32; zero-width arrays for absent roles.

    Example:

    >>> train = dataset.windows("train", batch_size=64, shuffle=True, seed=0)
    >>> (static, dynamic, future), y = train[0]
    """

    def __init__(
        self,
        arrays,
        starts,
        window_series,
        *,
        batch_size=32,
        shuffle=False,
        seed=None,
        with_targets=True,
        workers=1,
        use_multiprocessing=False,
        max_queue_size=10,
    ):
        super().__init__(
            workers=workers,
            use_multiprocessing=use_multiprocessing,
            max_queue_size=max_queue_size,
        )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int):
            raise TypeError(f"`batch_size` must be an int. Received: {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"`batch_size` must be >= 1. Received: {batch_size}")
        self.arrays = arrays
        self.starts = np.asarray(starts, dtype=np.int64)
        self.window_series = np.asarray(window_series, dtype=np.int64)
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.with_targets = bool(with_targets)
        self._rng = np.random.default_rng(seed)
        self._order = self._new_order()

    def _new_order(self):
        if self.shuffle:
            return self._rng.permutation(len(self.starts))
        return np.arange(len(self.starts))

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
        index %= len(self)
        chosen = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        batch = self.arrays.gather(
            self.starts[chosen], self.window_series[chosen], self.with_targets
        )
        return batch if self.with_targets else (batch,)

    def on_epoch_end(self):
        """Draws a new window order (only when `shuffle=True`)."""
        self._order = self._new_order()

    def materialize(self):
        """All windows at once, in window order (not shuffled).

        Meant for small sets (prediction, evaluation): this allocates
        `num_windows x lookback` rows, which the lazy batches avoid.

        Returns:
            `(x, y)` as in a batch, or `x` alone without targets.
        """
        return self.arrays.gather(self.starts, self.window_series, self.with_targets)

    def window_index(self):
        """Series id and forecast origin of every window, in window order.

        Returns:
            `pandas.DataFrame` with columns `series_id` and `forecast_origin`
            (the time of the last lookback step), one row per window, in the
            order of `materialize()` and of `model.predict(dataset)` when
            `shuffle=False`.
        """
        ids, origins = self.arrays.forecast_origins(self.starts, self.window_series)
        return pd.DataFrame({"series_id": ids, "forecast_origin": origins})
