"""Data-parallel training on several devices and hosts, through Keras' own
distribution machinery (see docs/distributed.md).

- :func:`data_parallel`: plan training over N devices (JAX:
  `keras.distribution.DataParallel`; TensorFlow:
  `tf.distribute.MirroredStrategy`; torch:
  `torch.nn.parallel.DistributedDataParallel`, one process per device).
- :class:`DataParallelPlan`: its `scope()`, `prepare(model)` and
  `shard(windows, training=)`.
- :func:`split_cpu_devices`: show the CPU as N devices (no accelerator;
  JAX and TensorFlow).
- :func:`make_local_devices`: N devices for a run on this machine, on any
  backend (split CPU, or N torch processes); :func:`launched_processes`:
  the size of the torchrun launch this process belongs to.
- :func:`initialize_multi_host`: join a multi-process JAX or torch run;
  :func:`resolve_multi_host`: its settings (arguments, else Keras'
  environment variables).

This package imports Keras.
"""

from base_attentive.backend.capabilities import DistributionNotSupportedError
from base_attentive.distributed.cpu_devices import split_cpu_devices
from base_attentive.distributed.data_parallel import DataParallelPlan, data_parallel
from base_attentive.distributed.local_devices import (
    launched_processes,
    make_local_devices,
)
from base_attentive.distributed.multi_host import (
    initialize_multi_host,
    resolve_multi_host,
)

__all__ = [
    "DataParallelPlan",
    "DistributionNotSupportedError",
    "data_parallel",
    "initialize_multi_host",
    "launched_processes",
    "make_local_devices",
    "resolve_multi_host",
    "split_cpu_devices",
]
