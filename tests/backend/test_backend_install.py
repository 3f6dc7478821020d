import shlex
import subprocess
import sys

import pytest

from base_attentive import ensure_default_backend
from base_attentive.backend import install


@pytest.fixture(autouse=True)
def _jax_selected(clean_backend):
    clean_backend.setenv("BASE_ATTENTIVE_BACKEND", "jax")


@pytest.fixture
def pip_calls(monkeypatch):
    """Record subprocess.run calls instead of running pip."""
    calls = []

    def fake_run(command, check):
        calls.append((command, check))
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(install.subprocess, "run", fake_run)
    return calls


def _jax(supported):
    return {
        "available": supported,
        "version": "0.10.2" if supported else None,
        "supported": supported,
        "min_version": "0.4.30",
        "distribution": "jax" if supported else None,
        "reason": None if supported else "not installed (pip install 'jax>=0.4.30')",
    }


def test_supported_backend_is_returned_without_installing(monkeypatch, pip_calls):
    monkeypatch.setattr(install, "detect_backend", lambda name: _jax(True))
    assert ensure_default_backend() == "jax"
    assert ensure_default_backend(auto_install=True) == "jax"
    assert pip_calls == []


def test_missing_backend_raises_with_the_pip_command(monkeypatch, pip_calls):
    monkeypatch.setattr(install, "detect_backend", lambda name: _jax(False))
    monkeypatch.setattr(install, "install_requirement", lambda name: "jax>=0.4.30")
    with pytest.raises(RuntimeError) as info:
        ensure_default_backend()
    expected = shlex.join(
        [sys.executable, "-m", "pip", "install", "--upgrade", "jax>=0.4.30"]
    )
    assert expected in str(info.value)
    assert "auto_install=True" in str(info.value)
    assert pip_calls == []


def test_auto_install_prints_then_runs_pip(monkeypatch, pip_calls, capsys):
    states = iter([_jax(False), _jax(True)])
    monkeypatch.setattr(install, "detect_backend", lambda name: next(states))
    monkeypatch.setattr(install, "install_requirement", lambda name: "jax>=0.4.30")
    assert ensure_default_backend(auto_install=True) == "jax"
    command = [sys.executable, "-m", "pip", "install", "--upgrade", "jax>=0.4.30"]
    assert pip_calls == [(command, True)]
    assert shlex.join(command) in capsys.readouterr().out


def test_auto_install_that_does_not_help_raises(monkeypatch, pip_calls):
    monkeypatch.setattr(install, "detect_backend", lambda name: _jax(False))
    with pytest.raises(RuntimeError, match="still not usable"):
        ensure_default_backend(auto_install=True)
    assert len(pip_calls) == 1


def test_pip_failure_propagates(monkeypatch):
    monkeypatch.setattr(install, "detect_backend", lambda name: _jax(False))

    def failing(command, check):
        raise subprocess.CalledProcessError(1, command)

    monkeypatch.setattr(install.subprocess, "run", failing)
    with pytest.raises(subprocess.CalledProcessError):
        ensure_default_backend(auto_install=True)
