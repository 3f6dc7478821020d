"""Shared fixtures. The suite runs once per backend (KERAS_BACKEND), each in
its own process; nothing here switches backends."""

import os
import random

import numpy as np
import pytest

# Tests marked `backend_independent` check logic that no backend changes
# (an Optuna study's resumption, pruning and workers; signal handling around
# a run folder; the CLI shell over `Forecaster.tune`; the CLI's table options,
# `--scaling window`, `--categorical` and `--missing mask`, passed on to the
# `Forecaster`), yet train small models and cost minutes on the tracing
# backends. They run in the torch run (the fastest to train here) and, like
# every test, when no backend is named; the Forecaster and model code they
# drive is tested on every backend elsewhere (tests/test_forecaster*.py).
BACKEND_INDEPENDENT_RUN = "torch"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "backend_independent: logic no backend changes; runs in the "
        f"{BACKEND_INDEPENDENT_RUN} run only",
    )


def pytest_collection_modifyitems(config, items):
    backend = os.environ.get("KERAS_BACKEND")
    if backend in (None, BACKEND_INDEPENDENT_RUN):
        return
    skip = pytest.mark.skip(
        reason=f"backend-independent: checked in the {BACKEND_INDEPENDENT_RUN} run"
    )
    for item in items:
        if "backend_independent" in item.keywords:
            item.add_marker(skip)


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
