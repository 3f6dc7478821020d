"""The kernels dispatcher: process settings, seeding, fallbacks."""

import importlib
import os
import random

import keras
import numpy as np
import pytest
from keras import ops

from base_attentive import kernels

BACKEND = keras.backend.backend()


def _backend_kernels():
    return importlib.import_module(f"base_attentive.kernels.{BACKEND}")


def test_configure_process_sets_defaults_and_keeps_the_users_values(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    defaults = kernels.configure_process()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "2" == defaults["TF_CPP_MIN_LOG_LEVEL"]
    assert os.environ["OMP_NUM_THREADS"] == "3"  # set by the user: kept


def test_pytorch_alone_gets_one_intra_op_thread(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    kernels.configure_process()
    expected = "1" if BACKEND == "torch" else None
    assert os.environ.get("OMP_NUM_THREADS") == expected


def test_seeding_the_global_generator_repeats_unseeded_dropout():
    """Unseeded dropout repeats after the commands' seeding (Python's
    `random` and the backend's global generator) on every backend."""
    layer_masks = []
    for _ in range(2):
        random.seed(7)
        kernels.seed_global_generator(7)
        layer = keras.layers.Dropout(0.5)
        layer_masks.append(
            ops.convert_to_numpy(layer(np.ones((64, 64), "float32"), training=True))
        )
    np.testing.assert_array_equal(*layer_masks)


def test_a_missing_kernel_raises_not_implemented(monkeypatch):
    monkeypatch.delattr(_backend_kernels(), "lstm", raising=False)
    with pytest.raises(NotImplementedError, match=f"no 'lstm' fast path on {BACKEND}"):
        kernels.lstm(None, None, None, None, False)
