"""The recipe's Keras callbacks (`base_attentive.callbacks`)."""

import keras
import numpy as np

from base_attentive.callbacks import TrialPruning


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
