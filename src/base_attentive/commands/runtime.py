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

`seed_backend` seeds PyTorch's global generator for reproducible runs (see
there); it imports PyTorch only when it is the backend.
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


def seed_backend(seed):
    """Seeds the backend's global random generator where Keras leaves it unseeded.

    Keras draws its default seeds (weight initialisers, dropout on
    TensorFlow and JAX) from Python's `random`, and the commands shuffle
    windows with their own NumPy generator, so seeding `random` and NumPy
    makes TensorFlow and JAX runs repeat. On PyTorch it does not: dropout
    without an explicit seed (every Keras `Dropout(seed=None)`, so in this
    model) calls `torch.nn.functional.dropout`, which draws from PyTorch's
    global generator. This calls `torch.manual_seed(seed)` when the backend
    is PyTorch (importing torch then, as Keras does anyway), and does
    nothing on the other backends.

    Args:
        seed: int >= 0, the seed.

    Raises:
        ValueError: if ``seed`` is not a non-negative integer.

    Example:

    >>> seed_backend(0)  # doctest: +SKIP
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"`seed` must be an integer >= 0. Received: seed={seed!r}")
    if get_backend() == "torch":
        import torch

        torch.manual_seed(seed)
