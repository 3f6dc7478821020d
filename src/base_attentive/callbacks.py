"""Keras callbacks of the training recipe (`base_attentive.training`).

- `TimeLimit`: stops training before an epoch would end past a budget.
- `TrialPruning`: reports a score after every epoch to an Optuna trial and
  stops training when the trial's pruner says so (`base_attentive.tuning`).

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


class TrialPruning(keras.callbacks.Callback):
    """Reports a validation score per epoch to an Optuna trial; stops
    training when the trial should be pruned.

    After every epoch it calls `score()` (the tuning objective of the model
    as it stands), reports it to `trial` at step `epoch` (0-based), and asks
    the study's pruner (`trial.should_prune()`); when the answer is yes it
    sets `model.stop_training` and `pruned`. It does not raise
    `optuna.TrialPruned` itself, so Keras ends `fit` normally (the other
    callbacks see the end of training); the caller raises it after `fit`.

    Args:
        trial: an `optuna.trial.Trial` (anything with `report(value, step)`
            and `should_prune()`).
        score: callable returning the score (float, lower is better) of the
            model now.

    Attributes:
        pruned: whether the pruner stopped training.
        scores: the score reported after each epoch.
    """

    def __init__(self, trial, score):
        super().__init__()
        self.trial = trial
        self.score = score
        self.pruned = False
        self.scores = []

    def on_train_begin(self, logs=None):
        self.pruned = False
        self.scores = []

    def on_epoch_end(self, epoch, logs=None):
        value = float(self.score())
        self.scores.append(value)
        self.trial.report(value, epoch)
        if self.trial.should_prune():
            self.pruned = True
            self.model.stop_training = True
