"""Make N local devices exist for a data-parallel run, on any backend.

What `base-attentive train --devices N` needs before the framework's first
operation:

- JAX and TensorFlow drive several devices from one process. Without N
  accelerators the CPU is split into N virtual devices
  (`split_cpu_devices`).
- torch (DistributedDataParallel) drives one device per process. Unless
  this process already belongs to a launched run (`torchrun`, or a worker
  started here), it starts N - 1 worker processes running the same command
  line and becomes process 0 of N itself, the way `torchrun
  --nproc-per-node N` would: the torchrun variables (`MASTER_ADDR`,
  `MASTER_PORT`, `WORLD_SIZE`, `RANK`, `LOCAL_RANK`, `LOCAL_WORLD_SIZE`) are
  set for every process, and `data_parallel()` joins them into one process
  group. The workers' output is discarded (process 0 reports); their errors
  are printed by process 0 when it exits, and a worker still running then
  is stopped.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import tempfile

import keras

from base_attentive import interrupts
from base_attentive.distributed.cpu_devices import split_cpu_devices
from base_attentive.distributed.torch_engine import launched_world_size

__all__ = ["LocalWorkers", "launched_processes", "make_local_devices"]

# Seconds process 0 waits, when it exits, for a worker to finish.
WORKER_EXIT_WAIT_S = 60


def _has_accelerators(backend):
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    if backend == "torch":
        import torch

        return torch.cuda.is_available()
    # JAX: splitting only shapes the CPU platform; GPUs, when present, stay
    # the default devices and `data_parallel` uses them.
    return False


def launched_processes():
    """Processes of the run this process was launched into (torch: torchrun's
    `WORLD_SIZE`), or None. JAX and TensorFlow runs are joined explicitly
    (`initialize_multi_host`): None."""
    if keras.backend.backend() != "torch":
        return None
    return launched_world_size()


def make_local_devices(count, command, *, num_processes=1):
    """Makes `count` devices available to this run (see the module docstring).

    Args:
        count: int >= 2, devices wanted on this machine.
        command: a function returning the arguments after the Python
            interpreter that re-run this program (e.g. `["-m",
            "base_attentive", "train", ...]`): how a torch worker process is
            started. Called only when workers are started.
        num_processes: processes of a multi-machine run this process joins
            (JAX); on torch only 1 (several machines: `torchrun`).

    Returns:
        `(devices_per_process, note)`: the `devices` to plan in this process
        (`count`; 1 on torch), and a line for the run log saying what was
        done to the CPU, or None (accelerators present, or this process is
        already a worker).

    Raises:
        ValueError: on torch with CUDA, if fewer than `count` GPUs exist, or
            with `num_processes` above 1.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 2:
        raise ValueError(f"`count` must be an int >= 2. Received: {count!r}")
    backend = keras.backend.backend()
    if backend != "torch":
        if _has_accelerators(backend):
            return count, None
        split_cpu_devices(count)
        return count, (
            f"the CPU is split into {count} virtual devices (training is "
            "correct, not faster than the CPU's cores)"
        )
    if launched_world_size() is not None:
        return 1, None  # started by torchrun or by process 0 of this run
    if num_processes > 1:
        raise ValueError(
            f"On the torch backend, --devices {count} starts {count} local "
            "processes and cannot be combined with a multi-process run "
            f"(--num-processes {num_processes}). For several machines, start "
            f"one process per device on each with `torchrun --nnodes ... "
            f"--nproc-per-node {count} -m base_attentive train ...`."
        )
    accelerated = _has_accelerators(backend)
    if accelerated:
        import torch

        if torch.cuda.device_count() < count:
            raise ValueError(
                f"--devices {count} asked for, but this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    LocalWorkers.start(count, command())
    if accelerated:
        return 1, None
    return 1, (
        f"the CPU runs {count} processes, one per device, over Gloo (training "
        "is correct, not faster than the CPU's cores)"
    )


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalWorkers:
    """Worker processes 1 .. N-1 of a local torch run; this process is 0."""

    def __init__(self, processes, logs):
        self.processes = processes
        self.logs = logs

    @classmethod
    def start(cls, count, command):
        """Starts `count - 1` workers and sets this process's variables."""
        shared = {
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": str(_free_port()),
            "WORLD_SIZE": str(count),
            "LOCAL_WORLD_SIZE": str(count),
        }
        processes, logs = [], []
        for rank in range(1, count):
            env = {**os.environ, **shared, "RANK": str(rank), "LOCAL_RANK": str(rank)}
            # Closed by `finish`, after the worker has ended.
            log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
            processes.append(
                subprocess.Popen(
                    [sys.executable, *command],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            )
            logs.append(log)
        os.environ.update(shared, RANK="0", LOCAL_RANK="0")
        workers = cls(processes, logs)
        atexit.register(workers.finish)
        interrupts.at_stop(workers.stop)  # a stopped command runs no atexit
        return workers

    def stop(self):
        """Stops the workers at once (the command was interrupted)."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process, log in zip(self.processes, self.logs, strict=True):
            process.wait()
            log.close()
        self.processes, self.logs = [], []
        atexit.unregister(self.finish)

    def finish(self, timeout=WORKER_EXIT_WAIT_S):
        """Waits for the workers; stops late ones; prints failed ones' errors.

        Returns:
            the workers' exit codes (None for a stopped one).
        """
        codes = []
        for rank, (process, log) in enumerate(
            zip(self.processes, self.logs, strict=True), start=1
        ):
            try:
                codes.append(process.wait(timeout=timeout))
            except subprocess.TimeoutExpired:
                process.terminate()
                process.wait()
                codes.append(None)
            if codes[-1] != 0:
                log.seek(0)
                tail = log.read()[-2000:]
                state = (
                    "was stopped (still running when process 0 ended)"
                    if codes[-1] is None
                    else f"exited with code {codes[-1]}"
                )
                print(f"worker process {rank} {state}:\n{tail}", file=sys.stderr)
            log.close()
        self.processes, self.logs = [], []
        atexit.unregister(self.finish)
        interrupts.cancel_at_stop(self.stop)
        return codes
