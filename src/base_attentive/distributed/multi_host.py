"""Join a multi-process (multi-host) JAX run: `keras.distribution.initialize`.

Every process of the run calls `initialize_multi_host` once, before its
first JAX operation, with the same coordinator address and process count and
its own process id. Keras then calls `jax.distributed.initialize`, and
`jax.devices()` lists the devices of every process. Each process then reads
only its share of the windows (`DataParallelPlan.shard`).

The arguments may come from Keras' own environment variables instead, so a
launcher can set them: `KERAS_DISTRIBUTION_JOB_ADDRESSES` (the coordinator's
`host:port`, or every process's address, comma-separated, coordinator
first), `KERAS_DISTRIBUTION_NUM_PROCESSES`, `KERAS_DISTRIBUTION_PROCESS_ID`.
`resolve_multi_host` reads them (arguments first) for both
`initialize_multi_host` and the CLI.
"""

from __future__ import annotations

import os

import keras

from base_attentive.backend.capabilities import DistributionNotSupportedError

__all__ = ["ENVIRONMENT_VARIABLES", "initialize_multi_host", "resolve_multi_host"]

ENVIRONMENT_VARIABLES = {
    "coordinator_address": "KERAS_DISTRIBUTION_JOB_ADDRESSES",
    "num_processes": "KERAS_DISTRIBUTION_NUM_PROCESSES",
    "process_id": "KERAS_DISTRIBUTION_PROCESS_ID",
}


def initialize_multi_host(
    coordinator_address=None, num_processes=None, process_id=None
):
    """Joins this process to a multi-process JAX run.

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
        DistributionNotSupportedError: on a backend other than JAX.
        ValueError: if a value is missing or out of range.
    """
    backend = keras.backend.backend()
    if backend != "jax":
        raise DistributionNotSupportedError(
            "Multi-process training is implemented on the JAX backend only "
            f"(keras.distribution.initialize). Active backend: {backend!r}."
        )
    address, count, index = resolve_multi_host(
        coordinator_address, num_processes, process_id
    )
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


def resolve_multi_host(
    coordinator_address=None, num_processes=None, process_id=None, *, check=True
):
    """The settings of a multi-process run: each argument, else its variable.

    An argument left None is read from its environment variable
    (`ENVIRONMENT_VARIABLES`; an empty variable counts as unset), and
    `num_processes` and `process_id` are parsed as integers.

    Args:
        coordinator_address, num_processes, process_id: as in
            `initialize_multi_host`.
        check: if True (the default), every value is required and must be
            in range, as `initialize_multi_host` needs them. If False, a
            value given nowhere stays None and nothing else is checked (to
            learn whether a run has several processes at all).

    Returns:
        `(coordinator_address, num_processes, process_id)`.

    Raises:
        ValueError: if a count is not an integer, or, with `check`, a value
            is missing or out of range.
    """
    values = {
        "coordinator_address": coordinator_address,
        "num_processes": num_processes,
        "process_id": process_id,
    }
    sources = {name: f"`{name}`" for name in values}
    for name, variable in ENVIRONMENT_VARIABLES.items():
        if values[name] is None and os.environ.get(variable):
            values[name], sources[name] = os.environ[variable], variable
    if check:
        for name, variable in ENVIRONMENT_VARIABLES.items():
            if values[name] is None:
                raise ValueError(
                    f"`{name}` is required for a multi-process run: pass it, "
                    f"or set {variable}."
                )
    for name in ("num_processes", "process_id"):
        if values[name] is None:
            continue
        try:
            values[name] = int(values[name])
        except (TypeError, ValueError):
            raise ValueError(
                f"{sources[name]} must be an integer. Received: {values[name]!r}"
            ) from None
    if check:
        _check_ranges(values)
    return (
        values["coordinator_address"],
        values["num_processes"],
        values["process_id"],
    )


def _check_ranges(values):
    if values["num_processes"] < 1:
        raise ValueError(
            f"`num_processes` must be >= 1. Received: {values['num_processes']}"
        )
    if not 0 <= values["process_id"] < values["num_processes"]:
        raise ValueError(
            f"`process_id` must be in [0, {values['num_processes']}). "
            f"Received: {values['process_id']}"
        )
    address = str(values["coordinator_address"]).split(",")[0]
    if ":" not in address:
        raise ValueError(
            "`coordinator_address` must be 'host:port'. "
            f"Received: {values['coordinator_address']!r}"
        )
