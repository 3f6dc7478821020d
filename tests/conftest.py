"""Shared fixtures. The suite runs once per backend (KERAS_BACKEND), each in
its own process; nothing here switches backends."""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _fixed_seed():
    """Every test starts from the same NumPy and Keras random state."""
    np.random.seed(0)
    import sys

    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(0)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(0)
