"""Keras helpers of `train`: epochs of a fixed number of batches, and a
training time budget.

Imported by `train.run` only (this module imports Keras).
"""

from __future__ import annotations

import time

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


class TimeLimit(keras.callbacks.Callback):
    """Stops training when the next epoch would end past `seconds`.

    At every epoch end it predicts the next epoch's end from the mean epoch
    time so far, and sets `model.stop_training` if that is past the budget.
    Used with `EarlyStopping(restore_best_weights=True)`, the best weights
    are still restored at the end of training.

    Args:
        seconds: the training budget in seconds.

    Attributes:
        stopped: whether the budget ended training.
    """

    def __init__(self, seconds):
        super().__init__()
        self.seconds = float(seconds)
        self.stopped = False
        self._start = None

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        self.stopped = False

    def on_epoch_end(self, epoch, logs=None):
        elapsed = time.perf_counter() - self._start
        if elapsed + elapsed / (epoch + 1) > self.seconds:
            self.stopped = True
            self.model.stop_training = True
