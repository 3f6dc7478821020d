"""Sinusoidal positional encoding computed on the fly (no length cap)."""

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="base_attentive")
class PositionalEncoding(keras.layers.Layer):
    """Adds the sinusoidal encoding of Vaswani et al. (2017) to a sequence.

    The encoding is computed from the positions at call time, so sequences
    of any length are accepted (no table with a maximum length). Positions
    start at ``offset``: the model passes ``-T`` for a lookback of ``T`` so
    that the encoder covers ``-T..-1`` and the horizon ``0..H-1``, anchoring
    both at the forecast origin whatever the lookback length.

    Call arguments:
        inputs: tensor `(B, T, d)`; ``d`` must be even.
        offset: int or scalar tensor, position of the first step.

    Returns:
        ``inputs + encoding``, same shape.
    """

    def build(self, input_shape):
        if input_shape[-1] % 2:
            raise ValueError(
                "PositionalEncoding needs an even feature width. Received: "
                f"input_shape={tuple(input_shape)}"
            )
        self.built = True

    def call(self, inputs, offset=0):
        width = inputs.shape[-1]
        length = ops.shape(inputs)[1]
        # Angles in float32 whatever the compute dtype: bfloat16 cannot
        # represent positions beyond 256 exactly.
        positions = ops.cast(ops.arange(0, length), "float32") + ops.cast(
            offset, "float32"
        )
        exponents = ops.arange(0, width, 2, dtype="float32") / float(width)
        frequencies = ops.exp(-math.log(10000.0) * exponents)
        angles = ops.expand_dims(positions, -1) * frequencies
        encoding = ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)
        return inputs + ops.cast(ops.expand_dims(encoding, 0), inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape
