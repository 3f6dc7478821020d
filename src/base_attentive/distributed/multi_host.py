"""Join a multi-process (multi-host) run: JAX through
`keras.distribution.initialize`, torch through `torch.distributed`.

Every process of the run calls `initialize_multi_host` once, before its
first framework operation, with the same coordinator address and process
count and its own process id.

- JAX: Keras calls `jax.distributed.initialize`, and `jax.devices()` lists
  the devices of every process.
- torch: the process joins a `torch.distributed` process group (Gloo on
  CPU, NCCL on CUDA GPUs) at `tcp://coordinator_address`, one device per
  process. Processes started by `torchrun` need not call it:
  `data_parallel()` joins the group torchrun describes.

Each process then reads only its share of the windows
(`DataParallelPlan.shard`).

The arguments may come from Keras' own environment variables instead, so a
launcher can set them: `KERAS_DISTRIBUTION_JOB_ADDRESSES` (the coordinator's
`host:port`, or every process's address, comma-separated, coordinator
first), `KERAS_DISTRIBUTION_NUM_PROCESSES`, `KERAS_DISTRIBUTION_PROCESS_ID`.
`resolve_multi_host` (in the Keras-free `base_attentive.backend.multi_host`)
reads them, arguments first, for both `initialize_multi_host` and the CLI.
"""

from __future__ import annotations

import keras

from base_attentive.backend.capabilities import DistributionNotSupportedError
from base_attentive.backend.multi_host import (
    ENVIRONMENT_VARIABLES,
    resolve_multi_host,
)
from base_attentive.distributed.torch_engine import join_process_group

__all__ = ["ENVIRONMENT_VARIABLES", "initialize_multi_host", "resolve_multi_host"]


def initialize_multi_host(
    coordinator_address=None, num_processes=None, process_id=None
):
    """Joins this process to a multi-process run (JAX or torch).

    Args:
        coordinator_address: `"host:port"` of process 0 (or a comma-separated
            list of every process's address, process 0 first); default from
            `KERAS_DISTRIBUTION_JOB_ADDRESSES`.
        num_processes: int >= 1; default from
            `KERAS_DISTRIBUTION_NUM_PROCESSES`.
        process_id: int in `[0, num_processes)`; default from
            `KERAS_DISTRIBUTION_PROCESS_ID`.

    Returns:
        dict `{"num_processes", "process_id", "devices", "local_devices"}`
        as JAX reports them after joining.

    Raises:
        DistributionNotSupportedError: on TensorFlow (its MirroredStrategy
            drives the devices of one machine).
        ValueError: if a value is missing or out of range.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        raise DistributionNotSupportedError(
            "Multi-process training is implemented on the JAX and torch "
            "backends only (keras.distribution.initialize, torch.distributed). "
            f"Active backend: {backend!r}."
        )
    address, count, index = resolve_multi_host(
        coordinator_address, num_processes, process_id
    )
    if backend == "torch":
        world_size, rank = join_process_group(address, count, index)
        return {
            "num_processes": world_size,
            "process_id": rank,
            "devices": world_size,
            "local_devices": 1,
        }
    import jax

    # CPU processes exchange gradients through Gloo; GPUs and TPUs use their
    # own collectives and ignore this setting.
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    keras.distribution.initialize(
        job_addresses=address, num_processes=count, process_id=index
    )
    return {
        "num_processes": jax.process_count(),
        "process_id": jax.process_index(),
        "devices": len(jax.devices()),
        "local_devices": len(jax.local_devices()),
    }
