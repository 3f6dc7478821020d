"""Fixtures for the backend-layer tests.

The suite runs once per backend with ``KERAS_BACKEND`` set; ``CURRENT`` is
that backend. In-process tests never switch the backend Keras runs: they
reset the resolution state with ``resolution._reset_for_tests`` and, when
they need "Keras runs X", simulate it through that helper. Behaviour that
needs a fresh interpreter runs in a subprocess (``run_python``).
"""

import os
import subprocess
import sys

import pytest

import base_attentive  # noqa: F401  (resolves and writes KERAS_BACKEND)
from base_attentive.backend import resolution

CURRENT = os.environ["KERAS_BACKEND"]
OTHER = "jax" if CURRENT != "jax" else "torch"


@pytest.fixture(scope="session")
def current_backend():
    """The backend this test run uses (KERAS_BACKEND of the run)."""
    return CURRENT


@pytest.fixture(scope="session")
def other_backend():
    """A valid backend different from the one this run uses."""
    return OTHER


@pytest.fixture
def clean_backend(monkeypatch):
    """No backend environment variable, fresh state, Keras taken as not imported."""
    monkeypatch.delenv("BASE_ATTENTIVE_BACKEND", raising=False)
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    resolution._reset_for_tests(keras_backend=None)
    yield monkeypatch
    resolution._reset_for_tests()


def subprocess_env(**overrides):
    """The test environment for a child: KERAS_BACKEND=CURRENT, no override."""
    env = {k: v for k, v in os.environ.items() if k != "BASE_ATTENTIVE_BACKEND"}
    env["KERAS_BACKEND"] = CURRENT
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@pytest.fixture(scope="session")
def run_python():
    """Run ``python -c code`` in a fresh interpreter; returns CompletedProcess."""

    def run(code, **env_overrides):
        return subprocess.run(
            [sys.executable, "-c", code],
            env=subprocess_env(**env_overrides),
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run
