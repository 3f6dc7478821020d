"""`ParquetWindowDataset`: batches of windows from a `ParquetForecastDataset`,
one group of series in memory at a time.

Imports Keras (a `keras.utils.PyDataset`); `ParquetForecastDataset.windows()`
imports this module on first use, as `ForecastDataset.windows()` does
`base_attentive.data.windows`.
"""

from __future__ import annotations

import keras
import numpy as np


class ParquetWindowDataset(keras.utils.PyDataset):
    """Windows of one period of a `ParquetForecastDataset`, group by group.

    Built by `ParquetForecastDataset.windows()`, not directly. An epoch goes
    through the groups of series in turn (in a new random order every epoch
    when `shuffle`), and through the windows of each group (shuffled within
    the group when `shuffle`), so at most one group's `WindowArrays` are in
    memory. Batches never mix groups: each group ends with a batch that may
    be smaller than `batch_size`. Batches are gathered as in
    `WindowDataset` (one vectorised fancy-indexing call per input).

    `fit` reads the batches in order; reading them out of order is correct
    but reads a group again whenever the group changes. Read with one
    worker (the default): the group in memory is shared state.

    Args:
        source: the fitted `ParquetForecastDataset`.
        part: `"train"`, `"validation"` or `"test"`.
        batch_size: windows per batch.
        shuffle: reshuffle every epoch (groups, and windows within a group).
        seed: seed of the shuffling.

    Yields (via `__getitem__`):
        `((static, dynamic, future), y)`, as `WindowDataset`.
    """

    def __init__(self, source, part, *, batch_size=32, shuffle=False, seed=None):
        super().__init__()
        if isinstance(batch_size, bool) or not isinstance(batch_size, int):
            raise TypeError(f"`batch_size` must be an int. Received: {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"`batch_size` must be >= 1. Received: {batch_size}")
        self.source = source
        self.part = part
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.counts = source.window_counts[part]
        self._epoch = 0
        self._loaded = None  # (group, starts, window_series, arrays)
        self._new_order()

    def _new_order(self):
        groups = np.flatnonzero(self.counts)
        if self.shuffle:
            rng = np.random.default_rng([self._seed(), self._epoch])
            groups = rng.permutation(groups)
        self._groups = groups
        batches = np.ceil(self.counts[groups] / self.batch_size).astype(np.int64)
        self._first_batch = np.concatenate([[0], np.cumsum(batches)])

    def _seed(self):
        if self.seed is None:
            # Unseeded: one draw per dataset, kept for its lifetime.
            self.seed = int(np.random.default_rng().integers(2**31))
        return self.seed

    @property
    def num_windows(self):
        return int(self.counts.sum())

    def __len__(self):
        return int(self._first_batch[-1])

    def _load(self, group):
        """Reads group `group` and its windows of this part (in order)."""
        if self._loaded is not None and self._loaded[0] == group:
            return self._loaded
        self._loaded = None  # release the previous group before reading
        arrays = self.source.group_arrays(group)
        starts, window_series = arrays.window_starts()
        mask = self.source.dataset.boundaries.window_mask(
            self.part, *arrays.target_times(starts)
        )
        starts, window_series = starts[mask], window_series[mask]
        if len(starts) != self.counts[group]:
            raise RuntimeError(
                f"Group {group} of the Parquet dataset now yields {len(starts)} "
                f"{self.part} windows; {self.counts[group]} were counted at fit "
                "time. Were the files changed since `fit`?"
            )
        if self.shuffle:
            rng = np.random.default_rng([self._seed(), self._epoch, group])
            order = rng.permutation(len(starts))
            starts, window_series = starts[order], window_series[order]
        self._loaded = (group, starts, window_series, arrays)
        return self._loaded

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(
                f"Batch index {index} out of range for {len(self)} batches."
            )
        index %= len(self)
        position = int(np.searchsorted(self._first_batch, index, side="right")) - 1
        _, starts, window_series, arrays = self._load(int(self._groups[position]))
        first = (index - self._first_batch[position]) * self.batch_size
        chosen = slice(first, first + self.batch_size)
        return arrays.gather(starts[chosen], window_series[chosen])

    def on_epoch_end(self):
        """Next epoch: a new group order and window order when shuffling."""
        self._epoch += 1
        if self.shuffle:
            self._loaded = None
            self._new_order()

    def __repr__(self):
        return (
            f"ParquetWindowDataset(part={self.part!r}, groups={len(self._groups)}, "
            f"windows={self.num_windows}, batches={len(self)})"
        )
