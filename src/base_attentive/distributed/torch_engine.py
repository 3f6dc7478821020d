"""Data-parallel training on the torch backend with PyTorch's own engine,
`torch.nn.parallel.DistributedDataParallel` (DDP).

A Keras model on the torch backend is a `torch.nn.Module`, so DDP can drive
it (Keras shows this with a hand-written torch training loop,
`examples/demo_torch_multi_gpu.py`). Here Keras' own `fit` keeps working:

- One process per device, as DDP wants. The processes form a
  `torch.distributed` process group: Gloo on CPU, NCCL on CUDA GPUs. They are
  started by `torchrun` (which sets `MASTER_ADDR`, `MASTER_PORT`,
  `WORLD_SIZE`, `RANK`, `LOCAL_RANK`), by `base-attentive train --devices N`,
  or joined explicitly with `initialize_multi_host`.
- `TorchEngine.prepare(model)` wraps the model's forward pass in DDP: while
  gradients are recorded (training steps), `model(x)` runs through DDP, whose
  backward pass averages every gradient over the processes before Keras'
  optimizer applies it. Every process therefore takes the step one process
  would take on the whole global batch. Forward passes without gradients
  (`evaluate`, `predict`) run the model directly, with no communication.
- The metrics Keras reports (loss, validation loss, compiled metrics) are
  averaged over the processes, so every process logs, and its callbacks
  (early stopping, learning-rate schedules) act on, the global figures. The
  windows are shared out so that every process has the same number of
  batches of the same size (`base_attentive.data.sharding`): the average of
  the processes' means is then exactly the global mean.
- Leaving the plan's scope (`release`) restores the model's own forward pass
  and metrics: it can be saved, evaluated or used for prediction by one
  process alone.

This module imports torch, inside functions only.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import gc
import os

from base_attentive.backend.multi_host import launched_world_size

__all__ = [
    "TORCHRUN_VARIABLES",
    "TorchEngine",
    "join_process_group",
    "launched_world_size",
]

# The variables `torchrun` sets for every process it starts (and that
# `base-attentive train --devices N` sets for its local processes).
TORCHRUN_VARIABLES = (
    "MASTER_ADDR",
    "MASTER_PORT",
    "WORLD_SIZE",
    "RANK",
    "LOCAL_RANK",
)

ENGINE = "torch.nn.parallel.DistributedDataParallel"


def _communication_backend():
    import torch

    return "nccl" if torch.cuda.is_available() else "gloo"


def join_process_group(address=None, num_processes=None, process_id=None):
    """Joins (or creates) this process's `torch.distributed` process group.

    Args:
        address: `"host:port"` of process 0, or None to read `MASTER_ADDR`
            and `MASTER_PORT` (torchrun's `env://` rendezvous).
        num_processes, process_id: the world size and this process's rank;
            None reads `WORLD_SIZE` / `RANK`.

    Returns:
        `(world_size, rank)` of the group.
    """
    import torch.distributed as dist

    if dist.is_initialized():
        return dist.get_world_size(), dist.get_rank()
    kwargs = {"backend": _communication_backend()}
    if address is not None:
        kwargs.update(
            init_method=f"tcp://{address.split(',')[0]}",
            world_size=num_processes,
            rank=process_id,
        )
    else:
        missing = [name for name in TORCHRUN_VARIABLES[:4] if not os.environ.get(name)]
        if missing:
            raise ValueError(
                "Joining a torch.distributed run needs the torchrun variables "
                f"{', '.join(TORCHRUN_VARIABLES[:4])}; missing: "
                f"{', '.join(missing)}. Start the processes with torchrun, or "
                "call initialize_multi_host(address, num_processes, process_id)."
            )
        kwargs["init_method"] = "env://"
    # Bounded: a process that died before joining is reported, not awaited
    # forever.
    kwargs["timeout"] = datetime.timedelta(minutes=10)
    dist.init_process_group(**kwargs)
    # Left at exit, Gloo's threads can be torn down while running and the
    # process aborts ("terminate called without an active exception", code
    # -6) instead of ending with its own code: seen on a worker of a run
    # refused right after the devices were set up (a batch size the devices
    # do not split).
    atexit.register(_leave_process_group)
    return dist.get_world_size(), dist.get_rank()


def _leave_process_group():
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()


def _local_device():
    """This process's device: `cuda:LOCAL_RANK` when CUDA is present, else CPU."""
    import torch

    if not torch.cuda.is_available():
        return "cpu"
    local_rank = int(os.environ.get("LOCAL_RANK", "0") or 0)
    count = torch.cuda.device_count()
    if local_rank >= count:
        raise ValueError(
            f"LOCAL_RANK={local_rank}, but this machine has {count} CUDA "
            "device(s): start at most one process per GPU."
        )
    torch.cuda.set_device(local_rank)
    return f"cuda:{local_rank}"


class TorchEngine:
    """The torch side of a `DataParallelPlan`: one process per device.

    Built by `base_attentive.distributed.data_parallel`, not directly.

    Args:
        multi_process: whether the processes form a process group (False:
            one process, one device, nothing to synchronise).

    Attributes:
        device: this process's device (`"cpu"` or `"cuda:N"`).
        devices: the devices of every process, `"DEVICE/process:RANK"`.
        num_processes, process_index: the group's size and this rank.
    """

    name = ENGINE

    def __init__(self, multi_process):
        self.device = _local_device()
        self.num_processes, self.process_index = 1, 0
        if multi_process:
            import torch.distributed as dist

            self.num_processes = dist.get_world_size()
            self.process_index = dist.get_rank()
            names = [None] * self.num_processes
            dist.all_gather_object(names, self.device)
        else:
            names = [self.device]
        self.devices = [f"{device}/process:{rank}" for rank, device in enumerate(names)]
        self.communication = _communication_backend() if multi_process else None
        self._prepared = {}

    @property
    def multi_process(self):
        return self.num_processes > 1

    @property
    def prepared(self):
        """Whether a model has been prepared (and not yet released)."""
        return bool(self._prepared)

    @contextlib.contextmanager
    def scope(self):
        """Variables and inputs on this process's device; the prepared models
        are released on exit."""
        import keras

        device = (
            keras.device(self.device)
            if self.device != "cpu"
            else contextlib.nullcontext()
        )
        try:
            with device:
                yield
        finally:
            self.release()

    def prepare(self, model):
        """Routes `model`'s training passes through DDP (see the module
        docstring). The model must be built (called once on a batch).

        Also draws a different dropout stream on every process: torch's
        global generator (which the model's dropout draws from) is seeded
        with `torch.initial_seed() + rank` on the processes of rank > 0, so
        the replicas do not share their dropout masks; process 0 keeps its
        stream, as in a one-process run.

        Returns:
            the same `model`.
        """
        if not self.multi_process or id(model) in self._prepared:
            return model
        import torch
        import torch.distributed as dist
        from keras.src.ops.operation import Operation

        if not model.built or not model.trainable_weights:
            raise ValueError(
                "`plan.prepare(model)` needs a built model with trainable "
                "weights: call the model once on a batch first, e.g. "
                "`model(list(train[0][0]))`. Received: a model with "
                f"built={model.built} and {len(model.trainable_weights)} "
                "trainable weight(s)."
            )

        class _KerasForward(torch.nn.Module):
            # DDP calls this module; it runs the Keras model's own forward
            # (`TorchLayer.forward`), not the routed one below.
            def __init__(self, keras_model):
                super().__init__()
                self.keras_model = keras_model

            def forward(self, *args, **kwargs):
                return Operation.__call__(self.keras_model, *args, **kwargs)

        device_ids = None if self.device == "cpu" else [torch.device(self.device).index]
        ddp = torch.nn.parallel.DistributedDataParallel(
            _KerasForward(model), device_ids=device_ids
        )

        def forward(*args, **kwargs):
            if torch.is_grad_enabled():
                return ddp(*args, **kwargs)
            return Operation.__call__(model, *args, **kwargs)

        def get_metrics_result():
            return _average_over_processes(type(model).get_metrics_result(model))

        # Instance attributes shadow the class's methods until `release`;
        # torch.nn.Module.__call__ looks `forward` up on the instance.
        object.__setattr__(model, "forward", forward)
        object.__setattr__(model, "get_metrics_result", get_metrics_result)
        self._prepared[id(model)] = model
        if self.process_index:
            torch.manual_seed((torch.initial_seed() + self.process_index) % 2**63)
        dist.barrier()
        return model

    def release(self):
        """Gives every prepared model back its own forward pass and metrics.

        The DDP wrappers are dropped with them, and collected at once: their
        gradient hooks must not fire when the model trains on alone.
        """
        if not self._prepared:
            return
        for model in self._prepared.values():
            for name in ("forward", "get_metrics_result"):
                model.__dict__.pop(name, None)
        self._prepared.clear()
        gc.collect()


def _average_over_processes(results):
    """The mean over processes of every scalar in Keras' metrics dict."""
    import torch
    import torch.distributed as dist

    names = [
        name
        for name, value in results.items()
        if (isinstance(value, torch.Tensor) and value.numel() == 1)
        or isinstance(value, float | int)
    ]
    if not names:
        return results
    values = torch.tensor([float(results[name]) for name in names], dtype=torch.float64)
    if dist.get_backend() == "nccl":
        values = values.cuda()
    dist.all_reduce(values)
    values = (values / dist.get_world_size()).cpu()
    averaged = dict(results)
    for name, value in zip(names, values.tolist(), strict=True):
        averaged[name] = value
    return averaged
