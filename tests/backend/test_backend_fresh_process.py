"""Behaviour that needs a fresh interpreter: import side effects and conflicts.

Each test here starts ``python -c``. Only the backend of this run is ever
imported, so over the three per-backend runs every backend is covered.
"""

import json

import pytest

HEAVY = ("keras", "tensorflow", "torch", "jax", "jaxlib")

NO_IMPORT_SCRIPT = f"""
import json, os, sys
import base_attentive
import base_attentive.backend as backend
import base_attentive.cli
backend.get_backend()
backend.resolve_backend()
backend.detect_available_backends()
backend.get_available_backends()
backend.select_best_backend()
backend.check_tensorflow_compatibility()
backend.check_torch_compatibility()
backend.check_jax_compatibility()
backend.get_backend_capabilities(include_devices=False)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
print(json.dumps({{"heavy": heavy, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND")}}))
"""


def _last_json_line(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def test_importing_base_attentive_loads_neither_keras_nor_a_framework(
    run_python, other_backend
):
    result = run_python(NO_IMPORT_SCRIPT, BASE_ATTENTIVE_BACKEND=other_backend)
    assert result.returncode == 0, result.stderr
    out = _last_json_line(result.stdout)
    assert out["heavy"] == []
    # ... but the resolved name is already in KERAS_BACKEND for Keras to read.
    assert out["KERAS_BACKEND"] == other_backend


AGREE_SCRIPT = """
import json
import base_attentive
from base_attentive.backend import check_keras_backend
from base_attentive.backend.resolution import active_backend
import keras
print(json.dumps({
    "keras": keras.backend.backend(),
    "get_backend": base_attentive.get_backend(),
    "check": check_keras_backend(),
    "active": list(active_backend()),
}))
"""


def test_base_attentive_then_keras_agree_and_our_variable_beats_keras_backend(
    run_python, current_backend, other_backend
):
    result = run_python(
        AGREE_SCRIPT,
        BASE_ATTENTIVE_BACKEND=current_backend,
        KERAS_BACKEND=other_backend,
    )
    assert result.returncode == 0, result.stderr
    assert _last_json_line(result.stdout) == {
        "keras": current_backend,
        "get_backend": current_backend,
        "check": current_backend,
        "active": [current_backend, "BASE_ATTENTIVE_BACKEND"],
    }


KERAS_FIRST_SCRIPT = """
import json, os
import keras
import base_attentive
from base_attentive.backend import BackendConflictError, check_keras_backend

out = {{"keras": keras.backend.backend(), "get_backend": base_attentive.get_backend()}}
os.environ["BASE_ATTENTIVE_BACKEND"] = {other!r}
for name, check in [("get_backend", base_attentive.get_backend),
                    ("check_keras_backend", check_keras_backend)]:
    try:
        check()
    except BackendConflictError as err:
        out[name + "_error"] = str(err)
del os.environ["BASE_ATTENTIVE_BACKEND"]
print(json.dumps(out), flush=True)
base_attentive.set_backend({other!r})  # must fail: Keras already runs another
"""


@pytest.fixture(scope="module")
def keras_first(run_python, current_backend, other_backend):
    """``import keras; import base_attentive`` under KERAS_BACKEND=current."""
    return run_python(KERAS_FIRST_SCRIPT.format(other=other_backend))


def test_set_backend_after_keras_started_fails_naming_both(
    keras_first, current_backend, other_backend
):
    assert keras_first.returncode != 0
    last = keras_first.stderr.strip().splitlines()[-1]
    assert last.startswith("base_attentive.backend.resolution.BackendConflictError")
    assert f"running the {current_backend!r} backend" in last
    assert f"set_backend({other_backend!r}) requests {other_backend!r}" in last
    assert "Switching backends inside a running process is not supported" in last


def test_importing_base_attentive_after_keras_reports_keras_backend(
    keras_first, current_backend
):
    out = _last_json_line(keras_first.stdout)
    assert out["keras"] == current_backend
    assert out["get_backend"] == current_backend


@pytest.mark.parametrize("api", ["get_backend", "check_keras_backend"])
def test_request_differing_from_running_keras_raises(
    keras_first, current_backend, other_backend, api
):
    message = _last_json_line(keras_first.stdout)[api + "_error"]
    assert f"running the {current_backend!r} backend" in message
    assert f"BASE_ATTENTIVE_BACKEND={other_backend!r} requests" in message
    assert f"set BASE_ATTENTIVE_BACKEND={other_backend}" in message


INVALID_VARIABLE_SCRIPT = f"""
import json, sys
import base_attentive
out = {{"heavy": sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})}}
uses = [("get_backend", base_attentive.get_backend),
        ("BaseAttentive", lambda: base_attentive.BaseAttentive),
        ("layers", lambda: __import__("base_attentive.layers"))]
for name, use in uses:
    try:
        use()
    except ValueError as err:
        out[name] = str(err)
out["heavy_after"] = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
print(json.dumps(out))
"""


@pytest.mark.parametrize(
    "variable, value, expected",
    [
        ("BASE_ATTENTIVE_BACKEND", "nonsense", "unknown backend name"),
        ("KERAS_BACKEND", "theano", "'theano' is a Keras 2 backend"),
    ],
)
def test_invalid_backend_variable_is_reported_at_first_use_not_at_import(
    run_python, variable, value, expected
):
    """`import base_attentive` succeeds; get_backend, the model and the layers
    raise the same ValueError naming the variable, before Keras is imported
    (so Keras never fails on the variable with its own message)."""
    overrides = {"BASE_ATTENTIVE_BACKEND": None, "KERAS_BACKEND": None}
    overrides[variable] = value
    result = run_python(INVALID_VARIABLE_SCRIPT, **overrides)
    assert result.returncode == 0, result.stderr
    out = _last_json_line(result.stdout)
    assert out["heavy"] == [] and out["heavy_after"] == []
    messages = {out[use] for use in ("get_backend", "BaseAttentive", "layers")}
    assert len(messages) == 1
    message = messages.pop()
    assert message.startswith("Invalid backend:") and expected in message
    assert f"Received: {variable}={value!r}" in message
