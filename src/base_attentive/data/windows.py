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

from base_attentive.data.window_arrays import index_dtype
from base_attentive.data.window_batches import check_batch_size


class WindowDataset(keras.utils.PyDataset):
    """Batches of sliding windows, sliced on the fly from per-row arrays.

    Built by `ForecastDataset.windows()` and
    `ForecastDataset.prediction_windows()`, not directly. The dataset holds
    one reference to the frame's arrays (memory ~ rows) and an index of
    window start rows; `__getitem__` gathers a batch with vectorised NumPy
    indexing. The last batch may be smaller than `batch_size`; no window is
    dropped.

    For data-parallel training, `sharding` (a `WindowSharding`, usually set
    by `DataParallelPlan.shard`) gives each process its share of every
    epoch's order and makes every batch split evenly over the devices; see
    `base_attentive.data.sharding` for how the final batch is filled. A
    sharded dataset still indexes the same arrays: nothing is copied.

    Args:
        arrays: the `WindowArrays` of a frame.
        starts: int array, first lookback row of each window.
        window_series: int array, series of each window, or None: found
            from `starts` (the series whose rows hold each start) when a
            batch is gathered, so a large window index stores only the
            starts.
        batch_size: windows per batch. Default 32.
        shuffle: reshuffle the window order at every epoch end. Default
            `False`.
        seed: seed of the shuffling generator (reproducible order).
        with_targets: yield `(x, y)`; if `False`, yield `(x,)` (prediction).
        sharding: a `WindowSharding`, or None (every window, one process).
            `batch_size` stays the global batch size.
        workers, use_multiprocessing, max_queue_size: see
            `keras.utils.PyDataset`.

    Yields (via `__getitem__`):
        `(x, y)` (`(x, y, sample_weight)` with a `fill="weight"` sharding) with `x = (static, dynamic, future)`: static `(B, S)`,
        dynamic `(B, T, D)`, future `(B, H, F)` (`(B, T + H, F)` in `"tft"`
        mode), `y` `(B, H, O)`; float32; zero-width arrays for absent roles.

    Example:

    >>> from base_attentive.data import (ForecastDataset, chicago_ridership_spec,
    ...     load_chicago_ridership)
    >>> dataset = ForecastDataset(chicago_ridership_spec()).fit(
    ...     load_chicago_ridership(start="2016-01-01"))
    >>> train = dataset.windows("train", batch_size=64, shuffle=True, seed=0)
    >>> (static, dynamic, future), y = train[0]
    >>> tuple(y.shape)
    (64, 14, 1)
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
        sharding=None,
        workers=1,
        use_multiprocessing=False,
        max_queue_size=10,
    ):
        super().__init__(
            workers=workers,
            use_multiprocessing=use_multiprocessing,
            max_queue_size=max_queue_size,
        )
        check_batch_size(batch_size)
        self.arrays = arrays
        # The window index in the narrowest integer type that addresses the
        # arrays (int32 below 2**31 rows): 12 bytes a window with the order.
        self.starts = np.asarray(starts, dtype=index_dtype(len(arrays.times)))
        self._window_series = None
        if window_series is not None:
            self._window_series = np.asarray(
                window_series, dtype=index_dtype(len(arrays.offsets))
            )
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.with_targets = bool(with_targets)
        self.sharding = sharding
        # `sharding.plan` of this set, computed once: (steps, local batch,
        # padded window count), or None without sharding.
        self._plan = None if sharding is None else self._check_sharding(sharding)
        self._pydataset_kwargs = {
            "workers": workers,
            "use_multiprocessing": use_multiprocessing,
            "max_queue_size": max_queue_size,
        }
        self._rng = np.random.default_rng(seed)
        self._order = self._new_order()
        # Windows of the period left out because their whole horizon is
        # missing (set by `ForecastDataset.windows` with missing="mask").
        self.unobserved_windows = 0

    @property
    def window_series(self):
        """Series of each window, int array (window order)."""
        return self._series_of(slice(None))

    def _series_of(self, chosen):
        """Series of the windows `chosen` (an index into the windows)."""
        if self._window_series is not None:
            return self._window_series[chosen]
        starts = self.starts[chosen]
        series = np.searchsorted(self.arrays.offsets, starts, side="right") - 1
        return series.astype(index_dtype(len(self.arrays.offsets)))

    def _check_sharding(self, sharding):
        """`sharding.plan` for these windows; raises if they can't be shared."""
        if not self.with_targets:
            raise ValueError(
                "Prediction windows are not sharded: predict after training, "
                "outside the distribution scope, on every window."
            )
        if self.shuffle and sharding.num_shards > 1 and self.seed is None:
            raise ValueError(
                "Shuffled windows shared by several processes need a `seed` "
                "(the same on every process, so they deal out the same "
                "order). Received: seed=None."
            )
        return sharding.plan(self.num_windows, self.batch_size)

    def _new_order(self):
        count = len(self.starts)
        order = np.arange(count, dtype=index_dtype(count))
        if self.shuffle:  # in place: `permutation(count)`'s order
            self._rng.shuffle(order)
        if self.sharding is None:
            self._weights = None
            return order
        order, self._weights = self.sharding.select(
            order, self.batch_size, plan=self._plan
        )
        return order

    def sharded(self, sharding):
        """The same windows, shared out by `sharding` (a `WindowSharding`).

        Returns:
            a new `WindowDataset` over the same arrays (nothing is copied),
            with the same batch size, shuffling and seed.
        """
        shared = WindowDataset(
            self.arrays,
            self.starts,
            self._window_series,
            batch_size=self.batch_size,
            shuffle=self.shuffle,
            seed=self.seed,
            with_targets=self.with_targets,
            sharding=sharding,
            **self._pydataset_kwargs,
        )
        shared.unobserved_windows = self.unobserved_windows
        return shared

    @property
    def local_batch_size(self):
        """Windows per batch yielded by this process."""
        if self._plan is None:
            return self.batch_size
        return self._plan[1]

    @property
    def num_windows(self):
        return len(self.starts)

    def __len__(self):
        return math.ceil(len(self._order) / self.local_batch_size)

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(
                f"Batch index {index} out of range for {len(self)} batches."
            )
        index %= len(self)
        size = self.local_batch_size
        chosen = self._order[index * size : (index + 1) * size]
        batch = self.arrays.gather(
            self.starts[chosen], self._series_of(chosen), self.with_targets
        )
        if self._weights is not None:
            return (*batch, self._weights[index * size : (index + 1) * size])
        return batch if self.with_targets else (batch,)

    def on_epoch_end(self):
        """Draws a new window order (only when `shuffle=True`)."""
        self._order = self._new_order()

    def materialize(self):
        """All windows at once, in window order (not shuffled).

        Meant for small sets (prediction, evaluation): this allocates
        `num_windows x lookback` rows, which the lazy batches avoid. Every
        window, whatever the `sharding`.

        Returns:
            `(x, y)` as in a batch, or `x` alone without targets.
        """
        return self.arrays.gather(self.starts, self.window_series, self.with_targets)

    def targets(self):
        """Targets of every window, `(N, H, O)`, original units, window order."""
        return self.arrays.targets(self.starts)

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
