"""Dropout (Srivastava et al. 2014) with a cheaper random mask on JAX and PyTorch."""

import math

import keras

# Threefry-2x32 (Salmon et al. 2011, "Parallel random numbers: as easy as
# 1, 2, 3"): rotation constants of its 20 rounds, in two alternating groups
# of four, and the parity constant of its key schedule.
_THREEFRY_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_THREEFRY_PARITY = 0x1BD11BDA
_BITS_LEVELS = 2**32


@keras.saving.register_keras_serializable(package="base_attentive")
class Dropout(keras.layers.Dropout):
    """`keras.layers.Dropout` that draws its random mask for less on JAX and torch.

    In training, each element is kept with probability ``1 - rate`` and
    scaled by ``1 / (1 - rate)``, as in `keras.layers.Dropout`; at
    inference the layer is the identity. Only the way the random mask is
    drawn differs, per backend:

    - **JAX**: `keras.layers.Dropout` calls `jax.random.bernoulli`. On CPU,
      JAX lowers its threefry hash to an XLA while loop, so every mask is
      computed and stored as a separate array, and in a training step the
      loops and their buffers cost more than the rest of the dropout: on the
      reference workload's transformer, 34 ms forward + backward against
      17 ms with ``dropout_rate=0``. This layer draws the same random bits
      as ``jax.random.bits(seed, shape, "uint32")`` on the same Keras seed
      (Threefry-2x32, 20 rounds, JAX's default counter layout) but writes
      the hash out as plain element-wise operations, which XLA fuses into
      the masking: 21.5 ms for the same step. An element is kept when its
      32-bit integer is at least ``round(rate * 2**32)``; the scale is the
      exact ``1 / keep`` of that threshold (it differs from
      ``1 / (1 - rate)`` by under 1e-9), so the layer stays unbiased. A rate
      that rounds to 0 or 2**32, or a tensor of 2**32 elements or more (the
      counter is 32-bit), runs Keras' own dropout.
    - **torch**, unseeded (``seed=None``, as in every BaseAttentive layer):
      `keras.layers.Dropout` calls `torch.nn.functional.dropout`, whose
      Bernoulli sampler is slower on CPU than a uniform draw; this layer
      compares ``torch.rand`` with the rate and multiplies (about a quarter
      less time forward + backward). Both draw from PyTorch's global
      generator (see `base_attentive.commands.runtime.seed_backend`).
      A seeded layer runs Keras' own seeded path.
    - **TensorFlow**, and any ``noise_shape``: `keras.layers.Dropout`
      unchanged.

    Args:
        As `keras.layers.Dropout` (``rate``, ``noise_shape``, ``seed``).

    Example:

    >>> layer = Dropout(0.5, seed=0)
    >>> out = layer(np.ones((2, 4)), training=True)  # zeros or 2.0
    """

    def call(self, inputs, training=False):
        if training and 0 < self.rate < 1 and self.noise_shape is None:
            backend = keras.backend.backend()
            if backend == "jax":
                threshold = _uint32_threshold(self.rate, inputs.shape)
                if threshold is not None:
                    return _jax_dropout(inputs, threshold, self.seed_generator.next())
            if backend == "torch" and self.seed is None:
                return _torch_dropout(inputs, self.rate)
        return super().call(inputs, training=training)


def _uint32_threshold(rate, shape):
    """The 32-bit drop threshold ``round(rate * 2**32)``, or None.

    None when the threshold rounds to 0 or 2**32, or when the element
    counter does not fit in 32 bits (Keras' dropout is used then).
    """
    threshold = round(rate * _BITS_LEVELS)
    if 0 < threshold < _BITS_LEVELS and math.prod(shape) < _BITS_LEVELS:
        return threshold
    return None


def _jax_dropout(inputs, threshold, seed):
    """Dropout whose mask is `jax.random.bits` computed element-wise (JAX).

    An element is kept when its bits are at least ``threshold``.
    """
    import jax.numpy as jnp

    keep = threefry_bits(seed, inputs.shape) >= jnp.uint32(threshold)
    keep_probability = 1.0 - threshold / _BITS_LEVELS
    return jnp.where(keep, inputs / keep_probability, jnp.zeros_like(inputs))


def threefry_bits(seed, shape):
    """``jax.random.bits(seed, shape, "uint32")``, without XLA loops.

    Under JAX's default ``jax_threefry_partitionable`` layout, element ``i``
    (row-major) of the bits is ``x0 ^ x1`` of the Threefry-2x32 hash of the
    counter pair ``(0, i)`` under the key ``seed``. JAX's CPU lowering runs
    the 20 rounds in a `fori_loop`; here they are unrolled into element-wise
    integer operations.

    Args:
        seed: uint32 array of shape `(2,)` (a Keras / raw JAX seed).
        shape: tuple of ints, fewer than 2**32 elements.

    Returns:
        uint32 array of ``shape``.
    """
    import jax
    import jax.numpy as jnp

    key = [seed[0], seed[1]]
    key.append(key[0] ^ key[1] ^ jnp.uint32(_THREEFRY_PARITY))
    counter = jax.lax.iota(jnp.uint32, math.prod(shape)).reshape(shape)
    x0 = jnp.zeros_like(counter) + key[0]
    x1 = counter + key[1]
    for group in range(5):
        for rotation in _THREEFRY_ROTATIONS[group % 2]:
            x0 = x0 + x1
            x1 = (x1 << rotation) | (x1 >> (32 - rotation))
            x1 = x0 ^ x1
        x0 = x0 + key[(group + 1) % 3]
        x1 = x1 + key[(group + 2) % 3] + jnp.uint32(group + 1)
    return x0 ^ x1


def _torch_dropout(inputs, rate):
    """Dropout with a uniform draw and a multiply (PyTorch's global generator)."""
    import torch

    keep = torch.rand(inputs.shape, device=inputs.device) >= rate
    return inputs * (keep * (1.0 / (1.0 - rate))).to(inputs.dtype)
