"""Data-parallel training through each backend's own engine.

- JAX: `keras.distribution.DataParallel` over a one-axis device mesh; the
  variables are replicated, every batch is split along its first axis, and
  XLA sums the gradients across devices (and across processes after
  `initialize_multi_host`).
- TensorFlow: `tf.distribute.MirroredStrategy` over the chosen devices
  (Keras 3's `keras.distribution` is a prototype on TensorFlow). One host.
- PyTorch: `torch.nn.parallel.DistributedDataParallel`, one process per
  device (Keras 3's `keras.distribution` has no torch implementation); see
  `base_attentive.distributed.torch_engine`. The processes come from
  `torchrun`, from `base-attentive train --devices N`, or join with
  `initialize_multi_host`.

Usage, the same on every backend (the model is created, compiled and
fitted inside the scope)::

    plan = data_parallel(devices=2)          # torch: one device per process
    with plan.scope():
        model = BaseAttentive(...)
        model.compile(loss="auto")
        model(list(train[0][0]))             # build
        plan.prepare(model)                  # torch: DDP; JAX, TF: nothing
        model.fit(plan.shard(train, training=True),
                  validation_data=plan.shard(validation, training=False))
    model.predict(test)  # after training: outside the scope, every window
"""

from __future__ import annotations

import keras

from base_attentive.data.sharding import WindowSharding
from base_attentive.distributed import torch_engine

__all__ = ["DataParallelPlan", "data_parallel"]

ENGINES = {
    "jax": "keras.distribution.DataParallel",
    "tensorflow": "tf.distribute.MirroredStrategy",
    "torch": torch_engine.ENGINE,
}

TORCH_DEVICES_PER_PROCESS = (
    "On the torch backend every device trains in its own process "
    "(torch.nn.parallel.DistributedDataParallel), so `devices` counts the "
    "devices of this process: None or 1. Received: devices={devices}. Start "
    "one process per device instead: `torchrun --nproc-per-node {devices} "
    "script.py` (each process calls data_parallel()), or `base-attentive "
    "train --devices {devices}`, which starts them."
)


class DataParallelPlan:
    """Which devices train, with which engine, and this process's share.

    Built by :func:`data_parallel`, not directly.

    Attributes:
        backend: `"jax"`, `"tensorflow"` or `"torch"`.
        engine: the Keras / TensorFlow / PyTorch object doing the work (its
            name).
        devices: names of every device in the mesh (all processes).
        local_devices: how many of them this process drives (1 on torch).
        num_processes, process_index: the multi-process layout (1 and 0 on
            one machine with JAX or TensorFlow).
    """

    def __init__(
        self, backend, devices, local_devices, num_processes, process_index, engine
    ):
        self.backend = backend
        self.engine = ENGINES[backend]
        self.devices = list(devices)
        self.local_devices = local_devices
        self.num_processes = num_processes
        self.process_index = process_index
        # keras.distribution.DataParallel, tf.distribute.MirroredStrategy or
        # a TorchEngine: each has `scope()`; the TorchEngine also `prepare`.
        self._engine = engine

    @property
    def num_replicas(self):
        """Devices that each take a slice of every global batch."""
        return len(self.devices)

    def scope(self):
        """Context manager: create, compile and fit the model inside it."""
        return self._engine.scope()

    def prepare(self, model):
        """Readies a built `model` for data-parallel `fit`; returns it.

        Call it inside the scope, after the model's first call and before
        `fit`. On torch the model's training passes then run through
        `DistributedDataParallel` (gradients averaged over the processes)
        and its reported metrics are averaged over the processes, until the
        scope ends (see `base_attentive.distributed.torch_engine`). On JAX
        and TensorFlow the scope already does everything: the model is
        returned unchanged. Calling it on every backend keeps one recipe.

        Raises:
            ValueError: on torch, if the model is not built yet.
        """
        if isinstance(self._engine, torch_engine.TorchEngine):
            return self._engine.prepare(model)
        return model

    def shard(self, windows, *, training):
        """This process's share of `windows`, in evenly splittable batches.

        Args:
            windows: a `WindowDataset` with targets; its `batch_size` is the
                global batch size (all devices of all processes) and must
                be a multiple of `num_replicas`.
            training: True for the training windows (the final batch is
                completed with windows from the start of the epoch), False
                for evaluation windows (zero-weight padding; the loss stays
                the exact mean). See `base_attentive.data.sharding`.

        Returns:
            a `WindowDataset` over the same arrays (nothing copied).

        Raises:
            ValueError: on torch with several processes, if no model was
                prepared (`prepare(model)`) in this scope: each process would
                otherwise train its own model on its share, silently.
        """
        engine = self._engine
        if (
            isinstance(engine, torch_engine.TorchEngine)
            and engine.multi_process
            and not engine.prepared
        ):
            raise ValueError(
                "On the torch backend, call `plan.prepare(model)` on the built "
                "model, inside `plan.scope()`, before sharding its training "
                "data: without it every process would train its own copy of "
                "the model on its share of the windows."
            )
        return windows.sharded(self._sharding("wrap" if training else "weight"))

    def check_batch_size(self, batch_size):
        """Checks that a global `batch_size` splits evenly over the devices.

        `shard` checks it too; this lets a caller fail before it prepares
        data or builds a model.

        Raises:
            ValueError: if `batch_size` is not a multiple of `num_replicas`
                (the message gives the nearest valid sizes).
        """
        self._sharding("wrap").local_batch_size(batch_size)

    def _sharding(self, fill):
        return WindowSharding(
            num_shards=self.num_processes,
            shard_index=self.process_index,
            batch_multiple=self.local_devices,
            fill=fill,
        )

    def describe(self):
        """JSON-ready summary (used by run reports and `info`)."""
        return {
            "distribution": "data_parallel",
            "backend": self.backend,
            "engine": self.engine,
            "devices": self.devices,
            "local_devices": self.local_devices,
            "num_processes": self.num_processes,
            "process_index": self.process_index,
        }

    def __repr__(self):
        return (
            f"DataParallelPlan(backend={self.backend!r}, engine={self.engine!r}, "
            f"devices={self.devices}, num_processes={self.num_processes})"
        )


def data_parallel(devices=None):
    """Plans data-parallel training over `devices` of the active backend.

    Args:
        devices: int, the number of devices per process to use (the first
            ones of the default platform: GPUs or TPUs when present, else
            CPU); or None, every device. After `initialize_multi_host` the
            mesh spans that many devices on every process. On torch a
            process drives one device (`cuda:LOCAL_RANK` when CUDA is
            present, else the CPU), so `devices` is None or 1, and the
            plan spans the processes of the `torch.distributed` group: the
            one this process has joined (`initialize_multi_host`), or the
            one `torchrun` describes in the environment, joined here.

    Returns:
        a :class:`DataParallelPlan`.

    Raises:
        ValueError: if `devices` is not a positive int, or more devices are
            asked for than the backend sees (the message shows how to split
            the CPU with `split_cpu_devices`, or, on torch, how to start
            one process per device).
    """
    if devices is not None and (
        isinstance(devices, bool) or not isinstance(devices, int) or devices < 1
    ):
        raise ValueError(
            f"`devices` must be None (all devices) or an int >= 1. Received: "
            f"{devices!r}"
        )
    backend = keras.backend.backend()
    if backend == "jax":
        return _jax_plan(devices)
    if backend == "tensorflow":
        return _tensorflow_plan(devices)
    return _torch_plan(devices)


def _take(available, devices, platform):
    """The first `devices` of `available`, or a clear error."""
    if devices is None:
        return available
    if devices > len(available):
        raise ValueError(
            f"`devices={devices}` asked for, but {keras.backend.backend()} sees "
            f"{len(available)} {platform} device(s) in this process. On a "
            "machine without accelerators, split the CPU first: "
            f"base_attentive.distributed.split_cpu_devices({devices}) before "
            f"the first operation (CLI: --devices {devices} does this)."
        )
    return available[:devices]


def _jax_plan(devices):
    import jax

    count = len(_take(jax.local_devices(), devices, jax.default_backend()))
    # The first `count` devices of every process, in process order.
    mesh_devices = [
        device
        for process in range(jax.process_count())
        for device in [d for d in jax.devices() if d.process_index == process][:count]
    ]
    names = [f"{device.platform}:{device.id}" for device in mesh_devices]
    return DataParallelPlan(
        "jax",
        names,
        count,
        jax.process_count(),
        jax.process_index(),
        keras.distribution.DataParallel(devices=names, auto_shard_dataset=False),
    )


def _tensorflow_plan(devices):
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    available = gpus or tf.config.list_logical_devices("CPU")
    chosen = _take(available, devices, "GPU" if gpus else "CPU")
    names = [d.name for d in chosen]
    return DataParallelPlan(
        "tensorflow",
        names,
        len(chosen),
        1,
        0,
        tf.distribute.MirroredStrategy(devices=names),
    )


def _torch_plan(devices):
    """One device per process; the processes of a torchrun (or CLI) launch
    join their process group here."""
    import torch.distributed as dist

    launched = torch_engine.launched_world_size()
    if devices not in (None, 1):
        raise ValueError(TORCH_DEVICES_PER_PROCESS.format(devices=devices))
    multi_process = dist.is_initialized() or (launched or 1) > 1
    if multi_process:
        torch_engine.join_process_group()
    engine = torch_engine.TorchEngine(multi_process)
    return DataParallelPlan(
        "torch",
        engine.devices,
        1,
        engine.num_processes,
        engine.process_index,
        engine,
    )
