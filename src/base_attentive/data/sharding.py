"""How a `WindowDataset` is split over processes and devices.

Data-parallel training cuts every batch into equal per-device pieces, and on
several hosts every process feeds only its own piece. Two rules follow, and
`WindowSharding` applies them to the window order without copying a window:

- every batch a process yields has the same size on every process, a
  multiple of its device count (JAX refuses a batch it cannot split evenly;
  TensorFlow splits it unevenly, which changes the mean loss);
- every process yields the same number of batches (a collective step waits
  for all of them).

Windows are dealt round-robin: process `p` of `P` takes positions
`p, p + P, p + 2P, ...` of the epoch's order, so together the processes
cover every window, each exactly once, before the filling below.

The final batch rarely comes out even, and how it is completed depends on
what the windows are for (`fill`):

- `"wrap"` (training): the final batch is filled up to a full batch with
  windows from the start of this process's order, so every step sees
  `batch_size` windows. At most `batch_size - 1` windows per epoch are seen
  twice; none is left out.
- `"weight"` (evaluation, such as the validation data of `fit`): the final
  batch is padded to a multiple of the device count with copies of a window
  that carry sample weight 0, and every real window carries the weight
  `padded total / real total`. With Keras' default loss reduction
  (`"sum_over_batch_size"`) the reported loss is then exactly the mean over
  the real windows.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

FILLS = ("wrap", "weight")


@dataclasses.dataclass(frozen=True)
class WindowSharding:
    """The share of one process, and the batch multiple of its devices.

    Args:
        num_shards: processes that read the windows (1 on one machine).
        shard_index: this process, `0 <= shard_index < num_shards`.
        batch_multiple: every batch size must be a multiple of it (this
            process's device count).
        fill: `"wrap"` (training) or `"weight"` (evaluation); see the module
            docstring.
    """

    num_shards: int = 1
    shard_index: int = 0
    batch_multiple: int = 1
    fill: str = "wrap"

    def __post_init__(self):
        for name in ("num_shards", "batch_multiple"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be an int >= 1. Received: {value!r}")
        index = self.shard_index
        if (
            isinstance(index, bool)
            or not isinstance(index, int)
            or not 0 <= index < self.num_shards
        ):
            raise ValueError(
                f"`shard_index` must be an int in [0, {self.num_shards}) for "
                f"num_shards={self.num_shards}. Received: {index!r}"
            )
        if self.fill not in FILLS:
            raise ValueError(f"`fill` must be one of {FILLS}. Received: {self.fill!r}")

    def local_batch_size(self, batch_size):
        """The batch of one process: `batch_size / num_shards`.

        Raises:
            ValueError: if `batch_size` does not split into equal per-device
                parts.
        """
        devices = self.num_shards * self.batch_multiple
        if batch_size % devices:
            lower = max(devices, batch_size // devices * devices)
            raise ValueError(
                f"`batch_size` must be a multiple of the {devices} devices "
                "training data-parallel, so that every device gets the same "
                f"number of windows. Received: batch_size={batch_size}; use "
                f"{lower} or {lower + devices}."
            )
        return batch_size // self.num_shards

    def plan(self, num_windows, batch_size):
        """Batches per epoch and this process's padded window count.

        Args:
            num_windows: windows of the whole set (all processes).
            batch_size: the global batch size.

        Returns:
            `(steps, local_batch, padded)`: batches per epoch (the same on
            every process), the batch size of this process, and the number
            of window slots this process yields per epoch.

        Raises:
            ValueError: if there are fewer windows than processes.
        """
        if num_windows < self.num_shards:
            raise ValueError(
                f"{num_windows} windows cannot be shared by {self.num_shards} "
                "processes: every process needs at least one window."
            )
        local_batch = self.local_batch_size(batch_size)
        largest_share = math.ceil(num_windows / self.num_shards)
        steps = math.ceil(largest_share / local_batch)
        if self.fill == "wrap":
            return steps, local_batch, steps * local_batch
        last = largest_share - (steps - 1) * local_batch
        last = math.ceil(last / self.batch_multiple) * self.batch_multiple
        return steps, local_batch, (steps - 1) * local_batch + last

    def select(self, order, batch_size, *, plan=None):
        """This process's window positions for one epoch, filled as above.

        Args:
            order: int array, the epoch's order of all windows (identical on
                every process: shuffle with the same seed).
            batch_size: the global batch size.
            plan: `self.plan(len(order), batch_size)` when the caller holds
                it already (a `WindowDataset` computes it once, not every
                epoch); computed here if None.

        Returns:
            `(positions, weights)`: int array of `padded` positions into the
            window arrays; float32 weights of the same length for
            `fill="weight"`, else None.
        """
        if plan is None:
            plan = self.plan(len(order), batch_size)
        _, _, padded = plan
        share = order[self.shard_index :: self.num_shards]
        if self.fill == "wrap":
            return np.resize(share, padded), None
        positions = np.concatenate(
            [share, np.full(padded - len(share), share[-1], dtype=share.dtype)]
        )
        weights = np.zeros(padded, dtype=np.float32)
        weights[: len(share)] = padded * self.num_shards / len(order)
        return positions, weights
