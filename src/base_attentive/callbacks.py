"""Keras callbacks of the training recipe (`base_attentive.training`).

- `TimeLimit`: stops training before an epoch would end past a budget.
- `TrialPruning`: reports a score after every epoch to an Optuna trial and
  stops training when the trial's pruner says so (`base_attentive.tuning`).
- `CosineSchedule`: the learning rate on a half cosine over the training
  budget (epochs or time, whichever ends first).
- `PlateauSchedule`: Keras' reduce-on-plateau, watching the validation
  loss only from a given epoch on.
- `StopOnSignal`: stops training on a Ctrl-C or SIGTERM that code within
  Keras swallowed.

Importing this module imports Keras.
"""

from __future__ import annotations

import math
import time

import keras

from base_attentive import interrupts


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


class StopOnSignal(keras.callbacks.Callback):
    """Raises, before every batch, a signal that stopped nothing yet.

    Within `interrupts.signals_as_exceptions` (the CLI) a SIGINT or SIGTERM
    raises in the main thread wherever it is; when that is inside code that
    catches every exception (Keras' torch backend does while it traces the
    model's shapes on the first step), training would go on to the end.
    This callback raises the signal's exception again
    (`interrupts.raise_if_received`), so the run stops within a batch.
    Elsewhere it does nothing. It uses the batch-begin hooks: a batch-end
    hook would make Keras turn every batch's logs into Python numbers.
    """

    def on_train_batch_begin(self, batch, logs=None):
        interrupts.raise_if_received()

    def on_test_batch_begin(self, batch, logs=None):
        interrupts.raise_if_received()


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


class CosineSchedule(keras.callbacks.Callback):
    """Sets the learning rate on a half cosine from `initial` to `floor`
    over the training budget, at the start of every epoch.

    The fraction of the budget used is the larger of `epoch / epochs` and
    the share of `seconds` that the epochs so far took: when the time limit
    allows fewer epochs than `epochs`, the schedule is compressed onto the
    epochs that will fit (predicted from the mean epoch time), so a
    time-limited run still ends at a low learning rate. Unlike a
    reduce-on-plateau schedule it does not react to the validation loss, so
    validation noise does not change the run.

    Args:
        initial: the learning rate of the first epoch.
        epochs: the number of epochs of the budget.
        seconds: the time budget in seconds (`math.inf`: epochs only).
        floor: the learning rate at the end of the budget.

    Attributes:
        rates: the learning rate of each epoch run.
    """

    def __init__(self, initial, epochs, seconds=math.inf, floor=0.0):
        super().__init__()
        self.initial = float(initial)
        self.epochs = int(epochs)
        self.seconds = float(seconds)
        self.floor = float(floor)
        self.rates = []
        self._start = None

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        self.rates = []

    def progress(self, epoch):
        """Fraction of the budget used before epoch `epoch` (0-based)."""
        done = epoch / self.epochs
        if epoch and math.isfinite(self.seconds):
            per_epoch = (time.perf_counter() - self._start) / epoch
            fitting = max(self.seconds / per_epoch, epoch + 1.0)
            done = max(done, epoch / min(fitting, self.epochs))
        return min(done, 1.0)

    def rate(self, progress):
        """The learning rate at a fraction `progress` of the budget."""
        cosine = 0.5 * (1.0 + math.cos(math.pi * progress))
        return self.floor + (self.initial - self.floor) * cosine

    def on_epoch_begin(self, epoch, logs=None):
        rate = self.rate(self.progress(epoch))
        self.model.optimizer.learning_rate.assign(rate)
        self.rates.append(rate)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self.rates[-1]


class PlateauSchedule(keras.callbacks.ReduceLROnPlateau):
    """`keras.callbacks.ReduceLROnPlateau` that ignores the first epochs.

    The learning rate is reduced after `patience` epochs without a better
    validation loss, counted from epoch `start_from_epoch` on (as
    `keras.callbacks.EarlyStopping`'s argument of that name). The
    validation loss of the first epochs moves by chance: an early dip
    followed by a few worse epochs would otherwise halve the rate again and
    again before the model has learnt much, and the rest of the run would
    train at the floor.

    Args:
        start_from_epoch: epochs (from 0) whose validation loss is not
            watched. Default 0 (Keras' behaviour).
        **kwargs: arguments of `keras.callbacks.ReduceLROnPlateau`.
    """

    def __init__(self, start_from_epoch=0, **kwargs):
        super().__init__(**kwargs)
        self.start_from_epoch = int(start_from_epoch)

    def on_epoch_end(self, epoch, logs=None):
        if epoch >= self.start_from_epoch:
            super().on_epoch_end(epoch, logs)
        elif logs is not None:  # the history records the rate every epoch
            logs["learning_rate"] = float(
                keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)
            )
