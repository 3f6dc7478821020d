"""The distribution settings of `train` (`commands/distribution.py`), in
process; the runs themselves are tested through the CLI in
`tests/test_cli.py` and in `tests/distributed/`."""

import sys

import keras
import pytest

from base_attentive.commands import distribution

BACKEND = keras.backend.backend()


def _settings(**given):
    settings = {
        "devices": None,
        "distribution": "auto",
        "num_processes": None,
        "coordinator_address": None,
        "process_id": None,
        "batch_size": 64,
    }
    settings.update(given)
    return settings


@pytest.fixture
def no_launch_variables(monkeypatch):
    for name in (
        "WORLD_SIZE",
        "KERAS_DISTRIBUTION_NUM_PROCESSES",
        "KERAS_DISTRIBUTION_JOB_ADDRESSES",
        "KERAS_DISTRIBUTION_PROCESS_ID",
    ):
        monkeypatch.delenv(name, raising=False)


def test_one_device_plans_nothing(no_launch_variables):
    assert distribution.start(_settings()) == (None, None)


def test_a_torchrun_launch_needs_data_parallel(no_launch_variables, monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    settings = _settings(distribution="none")
    if BACKEND != "torch":  # torchrun's variables mean nothing there
        assert distribution.start(settings) == (None, None)
        return
    with pytest.raises(ValueError, match="launched processes 2"):
        distribution.start(settings)


@pytest.mark.parametrize(
    "program, expected",
    [
        ("/venv/bin/base-attentive", True),
        ("/src/base_attentive/__main__.py", True),
        ("/venv/bin/pytest", False),
        ("/src/other_package/__main__.py", False),
    ],
)
def test_more_processes_only_for_the_program_itself(monkeypatch, program, expected):
    monkeypatch.setattr(sys, "argv", [program, "train", "--devices", "2"])
    if expected:
        assert distribution._command() == [
            "-m",
            "base_attentive",
            "train",
            "--devices",
            "2",
        ]
    else:
        with pytest.raises(ValueError, match="must run as a program"):
            distribution._command()
