"""`EpochSampler`: epochs of a fixed number of batches from shuffled windows.

Imports Keras (a `keras.utils.PyDataset`), like `base_attentive.data.windows`.
"""

from __future__ import annotations

import keras


class EpochSampler(keras.utils.PyDataset):
    """Epochs of `steps` batches taken in turn from a shuffled `WindowDataset`.

    Epoch `e` serves batches `e * steps .. (e + 1) * steps - 1` of the
    windows' current order, wrapping around; every time the order is used
    up the windows are reshuffled. Every window is seen once per pass, and
    the validation loss (and early stopping) is checked every `steps`
    batches, not only after a full pass over a large training set. (Keras'
    own `steps_per_epoch` would cut the last epoch of each pass short.)

    Args:
        windows: the training `WindowDataset` (`shuffle=True`).
        steps: batches per epoch; at most `len(windows)`.
    """

    def __init__(self, windows, steps):
        super().__init__()
        self.windows = windows
        self.steps = min(int(steps), len(windows))
        self._offset = 0

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        position = self._offset + index
        return self.windows[position % len(self.windows)]

    def on_epoch_end(self):
        self._offset += self.steps
        if self._offset >= len(self.windows):
            self._offset -= len(self.windows)
            self.windows.on_epoch_end()
