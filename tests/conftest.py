"""Shared fixtures. The suite runs once per backend (KERAS_BACKEND), each in
its own process; nothing here switches backends."""

import random

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _fixed_seed():
    """Every test starts from the same Python and NumPy random state.

    (Not `keras.utils.set_random_seed`: it imports TensorFlow whenever it is
    installed, also in torch and jax runs.)
    """
    random.seed(0)
    np.random.seed(0)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(0)
