"""The cosine learning-rate schedule of the training recipe."""

import math

import keras
import numpy as np
import pytest

from base_attentive import callbacks
from base_attentive.callbacks import CosineSchedule
from base_attentive.training import TrainingSettings


def _tiny_model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


def test_cosine_schedule_sets_each_epochs_rate():
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    schedule = CosineSchedule(0.01, epochs=4, floor=0.001)
    history = _tiny_model().fit(x, y, epochs=4, callbacks=[schedule], verbose=0)
    expected = [0.001 + 0.009 * 0.5 * (1 + math.cos(math.pi * e / 4)) for e in range(4)]
    np.testing.assert_allclose(schedule.rates, expected, rtol=1e-6)
    np.testing.assert_allclose(history.history["learning_rate"], expected, rtol=1e-5)
    assert schedule.rates[0] == pytest.approx(0.01)


def test_a_time_limit_compresses_the_schedule(monkeypatch):
    clock = iter([0.0, 20.0])  # start, then 20 s after two epochs
    monkeypatch.setattr(callbacks.time, "perf_counter", lambda: next(clock))
    schedule = CosineSchedule(0.01, epochs=10, seconds=40.0)
    schedule.on_train_begin()
    # 10 s per epoch: 4 epochs fit in 40 s, so epoch 2 is half-way.
    assert schedule.progress(2) == pytest.approx(0.5)
    assert schedule.progress(0) == 0.0


def test_unknown_schedule_is_refused():
    with pytest.raises(ValueError, match="schedule"):
        TrainingSettings(schedule="linear")
    assert TrainingSettings(schedule="cosine").to_dict()["schedule"] == "cosine"
