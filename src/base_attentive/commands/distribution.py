"""The distribution settings of `train`: join a multi-process JAX run, make
the devices exist, and plan data-parallel training.

`start` runs before the framework's first operation (a framework's devices
are fixed when it starts). See docs/distributed.md.

- `--distribution auto` (default): data-parallel when `--devices` or
  `--num-processes` is above 1, else one device.
- `--devices N`: on a machine without N accelerators, the CPU is split into
  N virtual devices (correct data-parallel training, no speed-up beyond the
  CPU's cores; the run log says so).
- `--num-processes N` (or `KERAS_DISTRIBUTION_NUM_PROCESSES`) above 1: this
  process joins a multi-process JAX run and reads its share of the windows;
  process 0 writes the run folder, the others stop after training.
"""

from __future__ import annotations


def processes(settings):
    """The number of processes asked for (setting, then Keras' variable)."""
    # Keras-free: a single-device run starts no framework here.
    from base_attentive.backend.multi_host import resolve_multi_host

    _, count, _ = resolve_multi_host(
        num_processes=settings["num_processes"], check=False
    )
    return 1 if count is None else count


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
    kind = settings["distribution"]
    if kind == "auto":
        kind = "data_parallel" if (devices or 1) > 1 or count > 1 else "none"
    if kind == "none":
        if (devices or 1) > 1 or count > 1:
            raise ValueError(
                "--devices and --num-processes above 1 need --distribution "
                "data_parallel (or auto). Received: --distribution none, "
                f"--devices {devices}, --num-processes {count}"
            )
        return None, None
    from base_attentive.distributed import (
        data_parallel,
        initialize_multi_host,
    )

    split = _make_devices(devices) if devices and devices > 1 else False
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
    if split and all(name.lower().count("cpu") for name in plan.devices):
        note += (
            f"; the CPU is split into {devices} virtual devices (training is "
            "correct, not faster than the CPU's cores)"
        )
    return plan, note


def _make_devices(count):
    """Splits the CPU into `count` devices unless accelerators are present.

    Returns:
        True if the CPU was split.
    """
    import keras

    from base_attentive.distributed import split_cpu_devices

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        if tf.config.list_physical_devices("GPU"):
            return False
    # JAX: the setting only shapes the CPU platform; GPUs, when present, stay
    # the default devices and `data_parallel` uses them.
    split_cpu_devices(count)
    return True
