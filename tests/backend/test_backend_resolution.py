"""The resolution order, set_backend, and the truth once Keras runs.

Every test starts from ``clean_backend``: no backend environment variable,
fresh state, Keras taken as not imported (see conftest).
"""

import os

import pytest

from base_attentive import get_backend, set_backend
from base_attentive.backend import (
    BackendConflictError,
    check_keras_backend,
    resolution,
    resolve_backend,
)
from base_attentive.backend.resolution import (
    active_backend,
    configure_keras_backend_env,
)


@pytest.fixture(autouse=True)
def _clean(clean_backend):
    return clean_backend


@pytest.fixture
def detected(monkeypatch):
    """Make detection (step 4) find the given backend, or nothing for None."""

    def set_detected(name):
        monkeypatch.setattr(resolution, "select_best_backend", lambda **_: name)

    set_detected("torch")
    return set_detected


# -- the resolution order ---------------------------------------------------


def test_base_attentive_backend_env_comes_first(monkeypatch, detected):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    monkeypatch.setenv("BASE_ATTENTIVE_BACKEND", "JAX ")
    assert resolve_backend() == ("jax", "BASE_ATTENTIVE_BACKEND")
    assert get_backend() == "jax"


def test_keras_backend_env_comes_second(monkeypatch, detected):
    monkeypatch.setenv("KERAS_BACKEND", "tf")
    assert resolve_backend() == ("tensorflow", "KERAS_BACKEND")


def test_set_backend_comes_third_and_writes_keras_backend(detected):
    assert set_backend("pytorch") == "torch"
    assert resolve_backend() == ("torch", "set_backend")
    assert os.environ["KERAS_BACKEND"] == "torch"


def test_detected_backend_comes_fourth(detected):
    detected("jax")
    assert resolve_backend() == ("jax", "detected")


def test_tensorflow_is_the_fallback(detected):
    detected(None)
    assert resolve_backend() == ("tensorflow", "fallback")


def test_empty_environment_variables_count_as_unset(monkeypatch, detected):
    monkeypatch.setenv("BASE_ATTENTIVE_BACKEND", "")
    monkeypatch.setenv("KERAS_BACKEND", "  ")
    assert resolve_backend() == ("torch", "detected")


@pytest.mark.parametrize("var", ["BASE_ATTENTIVE_BACKEND", "KERAS_BACKEND"])
@pytest.mark.parametrize("value", ["theano", "tensorflw", "numpy"])
def test_garbage_environment_value_raises_naming_the_variable(monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(ValueError) as info:
        resolve_backend()
    message = str(info.value)
    assert f"Received: {var}={value!r}" in message
    assert "'tensorflow', 'torch', 'jax'" in message
    assert f"Fix: set {var}" in message


# -- our own KERAS_BACKEND write never poses as the user's choice ------------


def test_value_written_by_configure_is_not_a_user_choice(detected):
    assert configure_keras_backend_env() == "torch"
    assert os.environ["KERAS_BACKEND"] == "torch"
    assert resolve_backend() == ("torch", "detected")
    detected("jax")  # e.g. jax installed meanwhile: the write did not pin torch
    assert resolve_backend() == ("jax", "detected")


def test_keras_backend_set_by_user_after_import_is_honoured(detected):
    configure_keras_backend_env()
    os.environ["KERAS_BACKEND"] = "jax"  # monkeypatch restores it afterwards
    assert resolve_backend() == ("jax", "KERAS_BACKEND")


def test_users_keras_backend_is_remembered_after_our_write(monkeypatch, detected):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    configure_keras_backend_env()
    set_backend("jax")
    assert resolve_backend() == ("jax", "KERAS_BACKEND")


def test_set_backend_after_configure_overrides_detection(detected):
    configure_keras_backend_env()
    set_backend("jax")
    assert resolve_backend() == ("jax", "set_backend")
    assert os.environ["KERAS_BACKEND"] == "jax"


# -- set_backend never silently loses to an environment variable -------------


@pytest.mark.parametrize("var", ["BASE_ATTENTIVE_BACKEND", "KERAS_BACKEND"])
def test_set_backend_raises_when_a_higher_priority_variable_disagrees(monkeypatch, var):
    monkeypatch.setenv(var, "jax")
    with pytest.raises(ValueError) as info:
        set_backend("torch")
    message = str(info.value)
    assert f"the {var} environment variable ('jax') has priority" in message
    assert f"Fix: unset {var} or set it to 'torch'" in message
    assert resolve_backend() == ("jax", var)


def test_set_backend_agreeing_with_the_environment_is_accepted(monkeypatch):
    monkeypatch.setenv("BASE_ATTENTIVE_BACKEND", "tf")
    assert set_backend("tensorflow") == "tensorflow"


def test_set_backend_rejects_bad_names():
    with pytest.raises(ValueError, match="Keras 2 backend"):
        set_backend("theano")
    with pytest.raises(TypeError):
        set_backend(None)
    assert "KERAS_BACKEND" not in os.environ


# -- once Keras runs, the truth wins, and a mismatch is an error --------------


def test_get_backend_reports_what_keras_runs(detected):
    resolution._reset_for_tests(keras_backend="jax")
    assert resolve_backend() == ("torch", "detected")
    assert get_backend() == "jax"


@pytest.mark.parametrize(
    "var, source",
    [
        ("BASE_ATTENTIVE_BACKEND", "BASE_ATTENTIVE_BACKEND='torch'"),
        ("KERAS_BACKEND", "KERAS_BACKEND='torch'"),
    ],
)
def test_explicit_request_differing_from_keras_is_a_conflict(monkeypatch, var, source):
    resolution._reset_for_tests(keras_backend="jax")
    monkeypatch.setenv(var, "torch")
    with pytest.raises(BackendConflictError) as info:
        get_backend()
    message = str(info.value)
    assert "running the 'jax' backend" in message
    assert f"{source} requests 'torch'" in message
    assert "not supported" in message
    assert "BASE_ATTENTIVE_BACKEND=torch" in message and "restart" in message
    with pytest.raises(BackendConflictError, match="'jax'.*'torch'"):
        check_keras_backend()


def test_set_backend_after_keras_runs_another_backend_is_a_conflict():
    resolution._reset_for_tests(keras_backend="jax")
    with pytest.raises(BackendConflictError, match="set_backend\\('torch'\\)"):
        set_backend("pt")
    assert isinstance(BackendConflictError("x"), RuntimeError)


def test_set_backend_naming_the_running_backend_is_accepted():
    resolution._reset_for_tests(keras_backend="jax")
    assert set_backend("jax") == "jax"
    assert check_keras_backend() == "jax"


def test_check_keras_backend_requires_keras_imported():
    with pytest.raises(RuntimeError, match="after `import keras`"):
        check_keras_backend()


def test_configure_does_not_write_once_keras_runs(monkeypatch):
    resolution._reset_for_tests(keras_backend="torch")
    monkeypatch.setenv("BASE_ATTENTIVE_BACKEND", "jax")
    assert configure_keras_backend_env() == "jax"
    assert "KERAS_BACKEND" not in os.environ


def test_active_backend_names_the_deciding_rule(monkeypatch, detected):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert active_backend() == ("jax", "KERAS_BACKEND")
    resolution._reset_for_tests(keras_backend="jax")
    assert active_backend() == ("jax", "KERAS_BACKEND")


def test_active_backend_credits_keras_when_it_chose_alone(detected):
    resolution._reset_for_tests(keras_backend="jax")
    configure_keras_backend_env()  # Keras was imported first
    assert active_backend() == ("jax", "keras")
