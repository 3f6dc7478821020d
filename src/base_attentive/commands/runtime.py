"""Process set-up of the forecasting commands, done before Keras starts.

- TensorFlow's C++ start-up logs are kept out of the output
  (`TF_CPP_MIN_LOG_LEVEL=2` unless set). On the PyTorch and JAX backends,
  Keras still imports TensorFlow when it is installed (saving a model checks
  for TensorFlow types), which prints two oneDNN notices even with that
  level; `TF_ENABLE_ONEDNN_OPTS=0` (unless set) silences them, and changes
  nothing there since TensorFlow computes nothing.
- PyTorch on CPU runs one intra-op thread (`OMP_NUM_THREADS=1` unless set):
  this model's operations are small (batches of 128 windows, widths of 16
  to 64), and splitting each over threads costs more than it gains. Measured
  on a 2-core machine, a training step takes 0.11 s with one thread against
  0.35 s (idle) to 1.7 s (other processes running) with PyTorch's default
  threads. Set `OMP_NUM_THREADS` yourself to override. TensorFlow and JAX
  keep their own thread pools.
"""

from __future__ import annotations

import os

from base_attentive.backend import get_backend


def prepare_process():
    """Sets the environment defaults above; call before importing Keras."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    backend = get_backend()
    if backend != "tensorflow":
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    if backend == "torch":
        os.environ.setdefault("OMP_NUM_THREADS", "1")
