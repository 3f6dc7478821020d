"""The ``base-attentive`` command line: global options, dispatch, ``info``.

CLI tests for other commands go below in their own clearly named sections.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import base_attentive
from base_attentive import cli
from base_attentive.backend import resolution

# The backend this test run uses (the suite runs once per KERAS_BACKEND).
CURRENT_BACKEND = os.environ["KERAS_BACKEND"]
OTHER_BACKEND = "jax" if CURRENT_BACKEND != "jax" else "torch"


def _child_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k != "BASE_ATTENTIVE_BACKEND"}
    env.update(KERAS_BACKEND=CURRENT_BACKEND, TF_CPP_MIN_LOG_LEVEL="2")
    env.update(overrides)
    return env


def _console_script():
    script = Path(sys.executable).with_name("base-attentive")
    assert script.exists(), f"console script not installed next to {sys.executable}"
    return str(script)


@pytest.fixture
def fresh_backend_state(monkeypatch):
    """No backend variables; Keras taken as not imported (see _reset_for_tests)."""
    monkeypatch.delenv("BASE_ATTENTIVE_BACKEND", raising=False)
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    resolution._reset_for_tests(keras_backend=None)
    yield monkeypatch
    resolution._reset_for_tests()


@pytest.fixture
def probe_command(monkeypatch):
    """Register a throw-away ``probe`` command; returns what it saw."""
    seen = {}

    def run(args):
        seen["backend"] = base_attentive.get_backend()
        seen["KERAS_BACKEND"] = os.environ.get("KERAS_BACKEND")
        if args.fail_with:
            raise ValueError(args.fail_with)
        return 0

    def configure(parser):
        parser.add_argument("--fail-with", default=None)

    monkeypatch.setitem(
        cli.COMMANDS, "probe", cli.Command("test command", configure, run)
    )
    return seen


# -- global options and dispatch ---------------------------------------------


def test_cli_backend_option_is_applied_before_the_command(
    fresh_backend_state, probe_command
):
    assert cli.main(["--backend", "PyTorch", "probe"]) == 0
    assert probe_command == {"backend": "torch", "KERAS_BACKEND": "torch"}


def test_cli_bad_backend_option_is_one_error_line(
    fresh_backend_state, probe_command, capsys
):
    assert cli.main(["--backend", "theano", "probe"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --backend theano: Invalid backend: 'theano' is a")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert probe_command == {}


def test_cli_backend_option_losing_to_environment_is_an_error(
    fresh_backend_state, probe_command, capsys
):
    fresh_backend_state.setenv("KERAS_BACKEND", "jax")
    assert cli.main(["--backend", "torch", "probe"]) == 2
    err = capsys.readouterr().err
    assert "KERAS_BACKEND environment variable ('jax') has priority" in err


def test_cli_user_error_in_a_command_exits_2_without_traceback(
    fresh_backend_state, probe_command, capsys
):
    assert cli.main(["probe", "--fail-with", "window too long"]) == 2
    assert capsys.readouterr().err == "error: window too long\n"


def test_cli_debug_shows_the_traceback(fresh_backend_state, probe_command):
    with pytest.raises(ValueError, match="window too long"):
        cli.main(["--debug", "probe", "--fail-with", "window too long"])


def test_cli_without_a_command_prints_usage_and_exits_2(capsys):
    assert cli.main([]) == 2
    assert "info" in capsys.readouterr().err


def test_cli_unknown_command_exits_2(capsys):
    assert cli.main(["fly"]) == 2
    assert "invalid choice: 'fly'" in capsys.readouterr().err


def test_cli_version_option(capsys):
    assert cli.main(["--version"]) == 0
    assert (
        capsys.readouterr().out.strip()
        == f"base-attentive {base_attentive.__version__}"
    )


# -- info ---------------------------------------------------------------------


def test_console_script_is_installed_and_runs():
    result = subprocess.run(
        [_console_script(), "--version"],
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"base-attentive {base_attentive.__version__}"


def test_python_m_info_json_reports_the_running_backend():
    # A fresh process, as a user runs it. Devices are skipped here: listing
    # them imports every installed framework (tens of seconds); the device
    # path is tested in tests/backend for the backend of this run.
    result = subprocess.run(
        [sys.executable, "-m", "base_attentive", "info", "--json", "--no-devices"],
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["active_backend"] == {
        "name": CURRENT_BACKEND,
        "rule": "KERAS_BACKEND",
        "decided_by": "KERAS_BACKEND environment variable",
    }
    assert report["conflict"] is None
    assert report["keras"]["backend"] == CURRENT_BACKEND
    assert report["keras"]["floatx"] == "float32"
    assert report["keras"]["version"].startswith("3.")
    assert Path(report["python"]["executable"]).parent == Path(sys.executable).parent
    assert report["environment"]["KERAS_BACKEND"] == CURRENT_BACKEND
    assert set(report["frameworks"]) == {"tensorflow", "torch", "jax"}
    current = report["frameworks"][CURRENT_BACKEND]
    assert current["installed"] and current["compatible"]
    assert current["min_version"] and current["version"]


@pytest.fixture
def keras_imported(monkeypatch):
    """Keras imported in this process with this run's backend."""
    monkeypatch.delenv("BASE_ATTENTIVE_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_BACKEND", CURRENT_BACKEND)
    resolution._reset_for_tests()
    import keras

    assert keras.backend.backend() == CURRENT_BACKEND
    yield monkeypatch
    resolution._reset_for_tests()


def test_info_shows_a_backend_conflict_and_exits_1(keras_imported, capsys):
    keras_imported.setenv("BASE_ATTENTIVE_BACKEND", OTHER_BACKEND)
    assert cli.main(["info", "--json", "--no-devices"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["active_backend"]["name"] == CURRENT_BACKEND
    assert f"running the {CURRENT_BACKEND!r} backend" in report["conflict"]
    assert f"requests {OTHER_BACKEND!r}" in report["conflict"]
    assert "Traceback" not in captured.err


def test_info_text_names_the_backend_and_the_deciding_rule(keras_imported, capsys):
    assert cli.main(["info", "--no-devices"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"base-attentive {base_attentive.__version__}"
    assert lines[1] == (
        f"Active backend : {CURRENT_BACKEND} "
        "(decided by: KERAS_BACKEND environment variable)"
    )
    assert any(line.startswith("Keras          : 3.") for line in lines)
    assert any("(floatx: float32)" in line for line in lines)
    assert any(line.startswith("Python         : 3.") for line in lines)
    for backend in ("tensorflow", "torch", "jax"):
        assert any(line.startswith(f"{backend} ") for line in lines)
