"""JAX fast paths: dropout masks, compiled eager calls, prediction.

Keras and JAX are imported inside the functions, so that the environment
defaults below can be read and applied before Keras starts.
"""

import math

from base_attentive.kernels import as_input_arrays

# On JAX, Keras may import TensorFlow when it is installed (saving checks for
# TensorFlow types); with oneDNN off its start-up notices stay quiet, and
# nothing changes, since TensorFlow computes nothing here.
ENVIRONMENT_DEFAULTS = {"TF_ENABLE_ONEDNN_OPTS": "0"}

# Threefry-2x32 (Salmon et al. 2011, "Parallel random numbers: as easy as
# 1, 2, 3"): rotation constants of its 20 rounds, in two alternating groups
# of four, and the parity constant of its key schedule.
_THREEFRY_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_THREEFRY_PARITY = 0x1BD11BDA
_BITS_LEVELS = 2**32


def dropout(inputs, rate, noise_shape, seed):
    """Dropout whose random bits are `jax.random.bits`, computed element-wise.

    Keras' JAX dropout calls `jax.random.bernoulli`, whose threefry hash JAX
    lowers on CPU to an XLA while loop: every mask is computed and stored by
    a loop of its own, which costs more than the rest of the dropout in a
    training step. Here the same bits (those of ``jax.random.bits(key,
    shape, "uint32")`` for the same Keras seed) are written out as plain
    element-wise operations, which XLA fuses into the masking.

    An element is kept when its 32-bit integer is at least
    ``round(rate * 2**32)``, and kept values are divided by the exact keep
    probability of that threshold (it differs from ``1 - rate`` by under
    1e-9), so the layer stays unbiased.

    Raises:
        NotImplementedError: for a ``noise_shape``, a rate whose threshold
            rounds to 0 or 2**32, or 2**32 elements or more (the counter is
            32-bit): Keras' dropout runs then.
    """
    threshold = round(rate * _BITS_LEVELS)
    if (
        noise_shape is not None
        or not 0 < threshold < _BITS_LEVELS
        or math.prod(inputs.shape) >= _BITS_LEVELS
    ):
        raise NotImplementedError
    import jax.numpy as jnp

    keep = threefry_bits(seed.next(), inputs.shape) >= jnp.uint32(threshold)
    keep_probability = 1.0 - threshold / _BITS_LEVELS
    return jnp.where(keep, inputs / keep_probability, jnp.zeros_like(inputs))


def threefry_bits(key, shape):
    """``jax.random.bits(key, shape, "uint32")``, without XLA loops.

    Under JAX's default ``jax_threefry_partitionable`` layout, element ``i``
    (row-major) of the bits is ``x0 ^ x1`` of the Threefry-2x32 hash of the
    counter pair ``(0, i)`` under ``key``. JAX's CPU lowering runs the 20
    rounds in a `fori_loop`; here they are unrolled into element-wise integer
    operations.

    Args:
        key: uint32 array of shape `(2,)` (a Keras / raw JAX seed).
        shape: tuple of ints, fewer than 2**32 elements.

    Returns:
        uint32 array of ``shape``.
    """
    import jax
    import jax.numpy as jnp

    keys = [key[0], key[1]]
    keys.append(keys[0] ^ keys[1] ^ jnp.uint32(_THREEFRY_PARITY))
    counter = jax.lax.iota(jnp.uint32, math.prod(shape)).reshape(shape)
    x0 = jnp.zeros_like(counter) + keys[0]
    x1 = counter + keys[1]
    for group in range(5):
        for rotation in _THREEFRY_ROTATIONS[group % 2]:
            x0 = x0 + x1
            x1 = (x1 << rotation) | (x1 >> (32 - rotation))
            x1 = x0 ^ x1
        x0 = x0 + keys[(group + 1) % 3]
        x1 = x1 + keys[(group + 2) % 3] + jnp.uint32(group + 1)
    return x0 ^ x1


class CompiledForward:
    """Runs eager JAX calls of ``model`` through `jax.jit` of its stateless call.

    On JAX, Keras runs an eager ``model(x)`` (concrete arrays, outside
    ``fit`` / ``predict``) operation by operation, and JAX compiles and keeps
    one XLA kernel per operation and input shape: for a model of a few
    thousand operations the first call is slow and the kernels hold memory.
    Through this class the whole forward pass is compiled once per input
    shape and ``training`` value, and later calls with those shapes reuse it.

    It computes what the eager call computes: the outputs of
    ``model.stateless_call`` with the current weights, after which the
    non-trainable variables (dropout seeds in training, batch-norm
    statistics) are assigned their new values, as an eager call would update
    them. Inside a Keras `StatelessScope` the reads and assignments go
    through the scope, as Keras' own do. Calls with traced inputs (inside
    ``fit``, ``predict``, `jax.jit` or `jax.grad` of the inputs) do not use
    it. Under `jax.disable_jit()` the model runs operation by operation.
    """

    def __init__(self, model):
        import jax

        self._model = model
        self._run = jax.jit(self._stateless_call, static_argnames="training")
        # True while the forward pass runs through `_run`: the model's own
        # call inside must take its operation-by-operation path (its inputs
        # are concrete under `jax.disable_jit()`).
        self._running = False

    def _stateless_call(self, trainable, non_trainable, inputs, training):
        return self._model.stateless_call(
            trainable, non_trainable, inputs, training=training
        )

    def applies_to(self, inputs):
        """Whether ``inputs`` are concrete arrays outside this class's own run."""
        import jax
        import keras

        return not self._running and not any(
            isinstance(part, jax.core.Tracer) for part in keras.tree.flatten(inputs)
        )

    def forward(self, inputs, training):
        """The compiled forward pass with the current weights.

        Returns ``(outputs, non_trainable_values)`` and changes no variable
        (`predict_function` uses it, so a model called eagerly and through
        its prediction function is compiled once per input shape, not
        twice).
        """
        model = self._model
        self._running = True
        try:
            return self._run(
                [variable.value for variable in model.trainable_variables],
                [variable.value for variable in model.non_trainable_variables],
                inputs,
                training=bool(training),
            )
        finally:
            self._running = False

    def __call__(self, inputs, training):
        outputs, non_trainable = self.forward(inputs, training)
        for variable, value in zip(
            self._model.non_trainable_variables, non_trainable, strict=True
        ):
            variable.assign(value)
        return outputs


def predict_function(model, jit_compile):
    """`jax.jit` over ``model.stateless_call``, reading the current weights.

    The compiled function is the model's `CompiledForward` when it has one
    (a `BaseAttentive`), so eager calls and predictions share it. JAX
    always compiles: ``jit_compile`` has no effect.
    """
    from keras import ops

    forward = getattr(model, "_compiled_forward", None) or CompiledForward(model)

    def predict(inputs):
        inputs = as_input_arrays(inputs, model.compute_dtype)
        outputs, _ = forward.forward(inputs, training=False)
        return ops.convert_to_numpy(outputs)

    return predict
