"""Data-parallel training on several devices and hosts, through Keras' own
distribution machinery (see docs/distributed.md).

- :func:`data_parallel`: plan training over N devices (JAX:
  `keras.distribution.DataParallel`; TensorFlow:
  `tf.distribute.MirroredStrategy`; torch: not supported by Keras 3).
- :class:`DataParallelPlan`: its `scope()` and `shard(windows, training=)`.
- :func:`split_cpu_devices`: show the CPU as N devices (no accelerator).
- :func:`initialize_multi_host`: join a multi-process JAX run;
  :func:`resolve_multi_host`: its settings (arguments, else Keras'
  environment variables).

This package imports Keras.
"""

from base_attentive.backend.capabilities import DistributionNotSupportedError
from base_attentive.distributed.cpu_devices import split_cpu_devices
from base_attentive.distributed.data_parallel import DataParallelPlan, data_parallel
from base_attentive.distributed.multi_host import (
    initialize_multi_host,
    resolve_multi_host,
)

__all__ = [
    "DataParallelPlan",
    "DistributionNotSupportedError",
    "data_parallel",
    "initialize_multi_host",
    "resolve_multi_host",
    "split_cpu_devices",
]
