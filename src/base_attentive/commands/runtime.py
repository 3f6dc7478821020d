"""Process set-up of the forecasting commands, done before Keras starts.

The per-backend parts (thread settings, seeding) are kernels:
`base_attentive.kernels.configure_process` and
`base_attentive.kernels.seed_global_generator`.
"""

from __future__ import annotations

from base_attentive import kernels


def prepare_process():
    """Sets the backend's environment defaults; call before importing Keras.

    TensorFlow's C++ start-up logs are kept out of the output, and PyTorch
    runs one intra-op thread unless ``OMP_NUM_THREADS`` is set (see
    `base_attentive.kernels.configure_process`).
    """
    kernels.configure_process()


def seed_backend(seed):
    """Seeds the backend's global random generator where Keras leaves it unseeded.

    Keras draws its default seeds from Python's `random`, which the commands
    seed, with NumPy's; on PyTorch, dropout draws from torch's own global
    generator, which this seeds (`base_attentive.kernels.seed_global_generator`).

    Args:
        seed: int >= 0, the seed.

    Raises:
        ValueError: if ``seed`` is not a non-negative integer.

    Example:

    >>> seed_backend(0)
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"`seed` must be an integer >= 0. Received: seed={seed!r}")
    kernels.seed_global_generator(seed)
