"""Settings of a multi-process run, from arguments or Keras' variables.

Keras-free, so the CLI can learn how many processes a run has before any
framework starts; `base_attentive.distributed.initialize_multi_host` uses
the same function to join the run.
"""

from __future__ import annotations

import os

__all__ = ["ENVIRONMENT_VARIABLES", "launched_world_size", "resolve_multi_host"]

ENVIRONMENT_VARIABLES = {
    "coordinator_address": "KERAS_DISTRIBUTION_JOB_ADDRESSES",
    "num_processes": "KERAS_DISTRIBUTION_NUM_PROCESSES",
    "process_id": "KERAS_DISTRIBUTION_PROCESS_ID",
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


def launched_world_size():
    """`WORLD_SIZE` when this process was started by `torchrun` (or the CLI),
    else None. Reads the environment only."""
    value = os.environ.get("WORLD_SIZE")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(
            f"WORLD_SIZE must be an integer (the number of processes). "
            f"Received: {value!r}"
        ) from None
