"""`benchmarks/gpu.sh` outside a GPU machine: its options, and the clear
stop when Keras is missing and no wheels were carried. (Its whole run is
checked with `--dry-run`, minutes on CPU: see docs/benchmarks.md.)"""

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gpu.sh"


def _run(*args, env=None):
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_help_lists_the_steps():
    result = _run("--help")
    assert result.returncode == 0
    assert "base-attentive info" in result.stdout and "--dry-run" in result.stdout


def test_unknown_option_is_an_error():
    result = _run("--fast")
    assert result.returncode == 2 and "unknown option --fast" in result.stderr


def test_missing_keras_without_wheels_stops_with_the_fix(tmp_path):
    # An interpreter without Keras: a bare virtual environment.
    subprocess.run(
        ["python3", "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHON": str(tmp_path / "venv" / "bin" / "python"),
        "WHEELS": str(tmp_path / "no-wheels"),
        "OUT_DIR": str(tmp_path / "out"),
    }
    result = _run(env=env)
    assert result.returncode == 2
    assert "Keras is not installed" in result.stderr
    assert "--fetch-wheels" in result.stderr
