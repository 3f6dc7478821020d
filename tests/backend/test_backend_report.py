"""The info report, built in-process without listing devices.

Building the report imports Keras; the ``keras_running`` fixture makes sure
that happens with this run's backend before anything else changes the
environment.
"""

import json

import pytest

from base_attentive.backend import resolution
from base_attentive.backend.report import build_report, format_report


@pytest.fixture
def keras_running(monkeypatch, current_backend):
    monkeypatch.delenv("BASE_ATTENTIVE_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_BACKEND", current_backend)
    resolution._reset_for_tests()
    import keras

    assert keras.backend.backend() == current_backend
    yield monkeypatch
    resolution._reset_for_tests()


def test_report_states_the_running_backend_and_the_rule(keras_running, current_backend):
    import keras

    report = build_report(include_devices=False)
    assert report["active_backend"] == {
        "name": current_backend,
        "rule": "KERAS_BACKEND",
        "decided_by": "KERAS_BACKEND environment variable",
    }
    assert report["conflict"] is None
    assert report["keras"] == {
        "version": keras.__version__,
        "floatx": keras.config.floatx(),
        "backend": current_backend,
        "error": None,
    }
    assert report["environment"] == {
        "BASE_ATTENTIVE_BACKEND": None,
        "KERAS_BACKEND": current_backend,
        "KERAS_BACKEND_written_by_base_attentive": False,
    }
    assert list(report["frameworks"]) == ["tensorflow", "torch", "jax"]
    entry = report["frameworks"][current_backend]
    assert entry["installed"] and entry["compatible"]
    assert entry["devices"] is None  # not listed
    json.dumps(report)  # JSON-ready


def test_report_shows_a_conflict_instead_of_raising(
    keras_running, current_backend, other_backend
):
    keras_running.setenv("BASE_ATTENTIVE_BACKEND", other_backend)
    report = build_report(include_devices=False)
    assert report["active_backend"]["name"] == current_backend
    assert f"running the {current_backend!r} backend" in report["conflict"]
    assert f"requests {other_backend!r}" in report["conflict"]
    text = format_report(report)
    assert "CONFLICT" in text and "Switching backends" in text


def _report(**changes):
    report = {
        "base_attentive": "0.1.0",
        "active_backend": {
            "name": "torch",
            "rule": "set_backend",
            "decided_by": resolution.RULE_DESCRIPTIONS["set_backend"],
        },
        "conflict": None,
        "keras": {
            "version": "3.15.1",
            "floatx": "float32",
            "backend": "torch",
            "error": None,
        },
        "python": {"version": "3.11.7", "executable": "/py", "platform": "Linux"},
        "environment": {
            "BASE_ATTENTIVE_BACKEND": None,
            "KERAS_BACKEND": "torch",
            "KERAS_BACKEND_written_by_base_attentive": True,
        },
        "frameworks": {
            "tensorflow": {
                "installed": False,
                "version": None,
                "distribution": None,
                "min_version": "2.16.0",
                "compatible": False,
                "reason": "not installed (pip install 'tensorflow-cpu>=2.16.0')",
                "devices": [],
                "devices_error": None,
            },
            "torch": {
                "installed": True,
                "version": "2.13.0+cpu",
                "distribution": "torch",
                "min_version": "2.1.0",
                "compatible": True,
                "reason": None,
                "devices": [
                    {"type": "CPU", "name": "cpu"},
                    {"type": "MPS", "name": "mps"},
                ],
                "devices_error": None,
            },
        },
    }
    report.update(changes)
    return report


def test_text_report_reads_like_a_diagnosis():
    text = format_report(_report())
    lines = text.splitlines()
    assert lines[0] == "base-attentive 0.1.0"
    assert lines[1] == (
        "Active backend : torch (decided by: set_backend() in this process)"
    )
    assert "Keras          : 3.15.1 (floatx: float32)" in lines
    assert (
        "Environment    : BASE_ATTENTIVE_BACKEND=(unset)  "
        "KERAS_BACKEND=torch (written by base-attentive)"
    ) in lines
    assert "CONFLICT" not in text
    torch_row = next(line for line in lines if line.startswith("torch "))
    assert torch_row.split()[:5] == ["torch", "yes", "2.13.0+cpu", "2.1.0", "yes"]
    assert torch_row.endswith("CPU cpu, MPS mps")
    tf_row = next(line for line in lines if line.startswith("tensorflow "))
    assert tf_row.split() == ["tensorflow", "no", "-", "2.16.0", "no", "-"]
    assert "  tensorflow: not installed (pip install 'tensorflow-cpu>=2.16.0')" in lines


def test_text_report_shows_keras_import_failure():
    keras_error = {
        "version": None,
        "floatx": None,
        "backend": None,
        "error": "ModuleNotFoundError: No module named 'torch'",
    }
    text = format_report(_report(keras=keras_error))
    assert "Keras          : not importable (ModuleNotFoundError" in text


def test_text_report_marks_devices_that_were_not_listed():
    report = _report()
    report["frameworks"]["torch"]["devices"] = None
    torch_row = next(
        line for line in format_report(report).splitlines() if line.startswith("torch ")
    )
    assert torch_row.endswith("(not listed)")
