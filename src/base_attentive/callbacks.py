"""Keras callbacks of the training recipe (`base_attentive.training`).

- `TimeLimit`: stops training before an epoch would end past a budget.

Importing this module imports Keras.
"""

from __future__ import annotations

import time

import keras


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
