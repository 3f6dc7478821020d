"""Split the host CPU into several devices, to run data parallelism without
accelerators (tests, benchmarks, trying a multi-device set-up on a laptop).

Virtual CPU devices share the machine's cores: they show that training is
correct on N devices, not that it is N times faster.
"""

from __future__ import annotations

import keras

from base_attentive.backend.capabilities import DistributionNotSupportedError

__all__ = ["TORCH_CPU_NOT_SPLIT", "split_cpu_devices"]

TORCH_CPU_NOT_SPLIT = (
    "The CPU is not split into devices on the torch backend: "
    "DistributedDataParallel trains one device per process, so N devices on "
    "a CPU are N processes (Gloo). Start them with `torchrun "
    "--nproc-per-node N script.py`, or `base-attentive train --devices N`, "
    "which starts them."
)


def split_cpu_devices(count):
    """Shows the host CPU to the framework as `count` devices.

    Call it before the framework runs its first operation (right after
    importing base_attentive and Keras; building a model is an operation).

    - JAX: sets `jax_num_cpu_devices` (the same as
      `XLA_FLAGS=--xla_force_host_platform_device_count=N`).
    - TensorFlow: gives the first physical CPU `count` logical devices.

    Args:
        count: int >= 1, the number of CPU devices wanted.

    Raises:
        DistributionNotSupportedError: on the torch backend (one process per
            device there; the message says how to start them).
        RuntimeError: if the framework has already started (too late to
            change its devices); the message says what to do instead.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"`count` must be an int >= 1. Received: {count!r}")
    backend = keras.backend.backend()
    if backend == "jax":
        _split_jax(count)
    elif backend == "tensorflow":
        _split_tensorflow(count)
    else:
        raise DistributionNotSupportedError(TORCH_CPU_NOT_SPLIT)


def _split_jax(count):
    import jax

    try:
        jax.config.update("jax_num_cpu_devices", count)
    except RuntimeError as err:
        if len(jax.devices("cpu")) == count:
            return
        raise RuntimeError(
            f"JAX has already started with {len(jax.devices('cpu'))} CPU "
            f"device(s); it cannot be split into {count} now. Call "
            "split_cpu_devices before the first JAX operation, or start the "
            f"process with XLA_FLAGS=--xla_force_host_platform_device_count={count}."
        ) from err


def _split_tensorflow(count):
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * count
        )
    except RuntimeError as err:
        if len(tf.config.list_logical_devices("CPU")) == count:
            return
        raise RuntimeError(
            "TensorFlow has already started with "
            f"{len(tf.config.list_logical_devices('CPU'))} CPU device(s); it "
            f"cannot be split into {count} now. Call split_cpu_devices before "
            "the first TensorFlow operation."
        ) from err
