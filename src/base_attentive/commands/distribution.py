"""The distribution settings of `train`: join a multi-process run, make
the devices exist, and plan data-parallel training.

`start` runs before the framework's first operation (a framework's devices
are fixed when it starts). See docs/distributed.md.

- `--distribution auto` (default): data-parallel when `--devices` or
  `--num-processes` is above 1, or the process was started by `torchrun`,
  else one device.
- `--devices N`: on a machine without N accelerators, JAX and TensorFlow
  split the CPU into N virtual devices; on torch (one device per process),
  this command starts N - 1 more processes of itself and is process 0
  (correct data-parallel training, no speed-up beyond the CPU's cores; the
  run log says so).
- `--num-processes N` (or `KERAS_DISTRIBUTION_NUM_PROCESSES`) above 1: this
  process joins a multi-process JAX or torch run and reads its share of the
  windows; process 0 writes the run folder, the others stop after training.

This module imports no framework and does not branch on the backend:
`base_attentive.distributed` does the per-backend work.
"""

from __future__ import annotations

import sys
from pathlib import Path


def processes(settings):
    """The number of processes asked for (setting, then Keras' variable)."""
    # Keras-free: a single-device run starts no framework here.
    from base_attentive.backend.multi_host import resolve_multi_host

    _, count, _ = resolve_multi_host(
        num_processes=settings["num_processes"], check=False
    )
    return 1 if count is None else count


def _several(devices, count, launched):
    """Whether `--devices`, `--num-processes` or the launched processes
    (torchrun's) ask for more than one."""
    return (devices or 1) > 1 or count > 1 or (launched or 1) > 1


def _one_device(kind, devices, count):
    """Whether the settings plainly ask for one device in one process: no
    `--devices` or `--num-processes` above 1 and no torchrun launch on any
    backend. Reads the environment only (no framework starts)."""
    from base_attentive.backend.multi_host import launched_world_size

    return kind in ("auto", "none") and not _several(
        devices, count, launched_world_size()
    )


def _command():
    """The arguments that re-run this program after the interpreter.

    Raises:
        ValueError: if this process is not the `base-attentive` program
            (e.g. `cli.main` called from Python), so there is no command
            line to start more processes of.
    """
    program = Path(sys.argv[0])
    if program.name == "base-attentive" or (
        program.name == "__main__.py" and program.parent.name == "base_attentive"
    ):
        return ["-m", "base_attentive", *sys.argv[1:]]
    raise ValueError(
        "--devices above 1 on the torch backend starts more processes of this "
        "command, so it must run as a program (`base-attentive train ...` or "
        "`python -m base_attentive train ...`). From Python, start the "
        "processes with torchrun."
    )


def start(settings):
    """Sets up the run's devices and processes.

    Returns:
        `(plan, note)`: a `DataParallelPlan` (None for one device) and a line
        for the log (None for one device).

    Raises:
        ValueError: for contradictory settings (such as a `batch_size` that
            does not split evenly over the devices).
        DistributionNotSupportedError: on a backend that cannot do it.
    """
    devices, count = settings["devices"], processes(settings)
    if _one_device(settings["distribution"], devices, count):
        # Keras-free: a bad table is reported before a framework starts.
        return None, None
    from base_attentive.distributed import (
        data_parallel,
        initialize_multi_host,
        launched_processes,
        make_local_devices,
    )

    launched = launched_processes() or 1
    several = _several(devices, count, launched)
    kind = settings["distribution"]
    if kind == "auto":
        kind = "data_parallel" if several else "none"
    if kind == "none":
        if several:
            raise ValueError(
                "--devices and --num-processes above 1 (or a torchrun launch) "
                "need --distribution data_parallel (or auto). Received: "
                f"--distribution none, --devices {devices}, --num-processes "
                f"{count}, launched processes {launched}"
            )
        return None, None
    local_note = None
    if devices and devices > 1:
        devices, local_note = make_local_devices(devices, _command, num_processes=count)
    if count > 1:
        initialize_multi_host(
            settings["coordinator_address"],
            settings["num_processes"],
            settings["process_id"],
        )
    plan = data_parallel(devices=devices)
    # Before the data and the model: `_fit` would only find out when sharding.
    plan.check_batch_size(settings["batch_size"])
    note = (
        f"data-parallel on {plan.num_replicas} device(s) "
        f"({', '.join(plan.devices)}) with {plan.engine}"
    )
    if plan.num_processes > 1:
        note += (
            f"; process {plan.process_index} of {plan.num_processes}, "
            f"{plan.local_devices} local device(s)"
        )
    if local_note:
        note += f"; {local_note}"
    return plan, note
