"""The recipe's Keras callbacks (`base_attentive.callbacks`)."""

import contextlib
import signal

import keras
import numpy as np
import pytest

from base_attentive import interrupts
from base_attentive.callbacks import StopOnSignal, TrialPruning


class FakeTrial:
    """An Optuna trial's reporting interface; prunes from `prune_at` on."""

    def __init__(self, prune_at):
        self.prune_at = prune_at
        self.reports = []

    def report(self, value, step):
        self.reports.append((step, value))

    def should_prune(self):
        return len(self.reports) > self.prune_at


def _fit(callback, epochs):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    return model.fit(x, x[:, :1], epochs=epochs, verbose=0, callbacks=[callback])


def test_trial_pruning_reports_every_epoch_and_stops_when_told():
    scores = iter([3.0, 2.0, 1.0, 0.5, 0.2])
    trial = FakeTrial(prune_at=2)
    callback = TrialPruning(trial, lambda: next(scores))
    history = _fit(callback, epochs=5)
    assert trial.reports == [(0, 3.0), (1, 2.0), (2, 1.0)]
    assert callback.pruned and callback.scores == [3.0, 2.0, 1.0]
    assert len(history.history["loss"]) == 3  # stopped after the third epoch


def test_trial_pruning_lets_a_promising_trial_run():
    trial = FakeTrial(prune_at=99)
    callback = TrialPruning(trial, lambda: 1.0)
    history = _fit(callback, epochs=3)
    assert not callback.pruned and len(history.history["loss"]) == 3
    assert [step for step, _ in trial.reports] == [0, 1, 2]


class SwallowSignal(keras.callbacks.Callback):
    """Receives SIGINT on the second batch inside a bare `except:`, as
    Keras' torch backend can while it traces the model's shapes."""

    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_begin(self, batch, logs=None):
        self.batches += 1
        if self.batches == 2:
            with contextlib.suppress(BaseException):  # as a bare `except:`
                signal.raise_signal(signal.SIGINT)


def test_stop_on_signal_stops_training_on_a_swallowed_signal():
    swallow = SwallowSignal()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    with pytest.raises(KeyboardInterrupt), interrupts.signals_as_exceptions():
        model.fit(
            x, x[:, :1], batch_size=8, epochs=3, verbose=0,
            callbacks=[swallow, StopOnSignal()],
        )  # fmt: skip
    assert swallow.batches == 2  # stopped after the batch it came in
