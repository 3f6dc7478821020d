"""Gated linear unit (Dauphin et al. 2017), as used throughout the TFT."""

import keras
from keras import ops

from base_attentive.layers.sublayer_call import call_sublayer


@keras.saving.register_keras_serializable(package="base_attentive")
class GatedLinearUnit(keras.layers.Layer):
    """Gated linear unit: ``sigmoid(W_g x + b_g) * (W_v x + b_v)``.

    The gate and the value projections are fused into one `Dense` of width
    ``2 * units`` (one matrix multiply instead of two).

    Args:
        units: int, width of the output.
        dropout_rate: float in [0, 1), dropout applied to the input.

    Call arguments:
        inputs: tensor `(..., d)`.
        training: bool, whether dropout is active.

    Returns:
        Tensor `(..., units)`.

    Example:
    >>> glu = GatedLinearUnit(8)
    >>> tuple(glu(np.zeros((2, 5, 3))).shape)
    (2, 5, 8)
    """

    def __init__(self, units, dropout_rate=0.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dropout_rate = dropout_rate
        self.dropout = keras.layers.Dropout(dropout_rate, dtype=self.dtype_policy)
        self.projection = keras.layers.Dense(
            2 * units, dtype=self.dtype_policy, name="projection"
        )

    def build(self, input_shape):
        self.projection.build(input_shape)
        self.built = True

    def call(self, inputs, training=None):
        dropped = call_sublayer(self.dropout, inputs, training=training)
        projected = call_sublayer(self.projection, dropped)
        value, gate = ops.split(projected, 2, axis=-1)
        return value * ops.sigmoid(gate)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "dropout_rate": self.dropout_rate})
        return config
