"""`make_local_devices` and the local worker processes of a torch run
(`base-attentive train --devices N` on torch starts N - 1 of them)."""

import os
import subprocess
import sys

import keras
import pytest

from base_attentive.distributed import launched_processes, make_local_devices
from base_attentive.distributed.local_devices import LocalWorkers

BACKEND = keras.backend.backend()
TORCHRUN = ("MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE", "LOCAL_WORLD_SIZE")


@pytest.fixture
def clean_torchrun_env(monkeypatch):
    """Leaves the torchrun variables as they were after the test."""
    for name in (*TORCHRUN, "RANK", "LOCAL_RANK"):
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)


def test_workers_get_the_torchrun_variables_and_failures_are_reported(
    clean_torchrun_env, capsys
):
    # Each worker checks its variables, then exits with its rank - 1: rank 1
    # succeeds, rank 2 fails with code 1.
    script = (
        "import os, sys; e = os.environ; "
        "assert e['WORLD_SIZE'] == e['LOCAL_WORLD_SIZE'] == '3'; "
        "assert e['RANK'] == e['LOCAL_RANK']; "
        "assert e['MASTER_ADDR'] == '127.0.0.1' and int(e['MASTER_PORT']) > 0; "
        "print('boom', file=sys.stderr); sys.exit(int(e['RANK']) - 1)"
    )
    workers = LocalWorkers.start(3, ["-c", script])
    assert len(workers.processes) == 2
    # This process becomes rank 0 of the same run.
    assert os.environ["RANK"] == os.environ["LOCAL_RANK"] == "0"
    assert os.environ["WORLD_SIZE"] == "3"
    assert workers.finish(timeout=60) == [0, 1]
    err = capsys.readouterr().err
    assert "worker process 2 exited with code 1:\nboom" in err
    assert "worker process 1" not in err


def test_a_worker_still_running_is_stopped(clean_torchrun_env, capsys):
    workers = LocalWorkers.start(2, ["-c", "import time; time.sleep(60)"])
    assert workers.finish(timeout=0.5) == [None]
    assert "was stopped (still running when process 0 ended)" in capsys.readouterr().err


@pytest.mark.parametrize("count", [1, 0, 2.0, True])
def test_count_must_be_at_least_two(count):
    with pytest.raises(ValueError, match="`count` must be an int >= 2"):
        make_local_devices(count, list)


@pytest.mark.skipif(BACKEND != "torch", reason="torchrun variables: torch only")
def test_torch_process_of_a_launched_run_starts_nothing(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "4")
    assert launched_processes() == 4

    def command():
        raise AssertionError("a launched process must not start workers")

    assert make_local_devices(4, command) == (1, None)


@pytest.mark.skipif(BACKEND != "torch", reason="torch: one process per device")
def test_torch_local_processes_do_not_mix_with_several_machines(clean_torchrun_env):
    with pytest.raises(ValueError, match="cannot be combined with a multi-process"):
        make_local_devices(2, list, num_processes=2)


def test_launched_processes_reads_world_size_on_torch_only(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "3")
    assert launched_processes() == (3 if BACKEND == "torch" else None)
    if BACKEND == "torch":
        monkeypatch.setenv("WORLD_SIZE", "three")
        with pytest.raises(ValueError, match="WORLD_SIZE must be an integer"):
            launched_processes()


def test_worker_command_runs_the_same_interpreter(clean_torchrun_env):
    script = f"import sys; sys.exit(0 if sys.executable == {sys.executable!r} else 3)"
    assert LocalWorkers.start(2, ["-c", script]).finish(timeout=60) == [0]


# A process of a one-process torch run; the handler registered first runs
# last at exit, after the library's own.
LEAVES_THE_GROUP = """
import atexit, os, socket
import torch.distributed as dist
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WORLD_SIZE="1", RANK="0")
atexit.register(lambda: print("initialized at exit:", dist.is_initialized()))
from base_attentive.distributed.torch_engine import join_process_group
print("joined:", join_process_group())
"""


@pytest.mark.skipif(BACKEND != "torch", reason="torch.distributed: torch only")
def test_a_torch_process_leaves_its_process_group_at_exit():
    """Gloo's threads are not left running at exit: a worker refused right
    after joining (a batch size the devices do not split) could abort with
    "terminate called without an active exception" instead of its code."""
    result = subprocess.run(
        [sys.executable, "-c", LEAVES_THE_GROUP],
        env={**os.environ, "KERAS_BACKEND": "torch"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "joined: (1, 0)",
        "initialized at exit: False",
    ]
