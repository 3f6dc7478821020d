"""Gated skip connection of the TFT: GLU, add, normalise."""

import keras

from base_attentive.layers.gated_linear_unit import GatedLinearUnit
from base_attentive.layers.sublayer_call import call_sublayer


@keras.saving.register_keras_serializable(package="base_attentive")
class GateAddNorm(keras.layers.Layer):
    """``Norm(skip + GLU(inputs))``, the TFT's gated residual connection.

    Args:
        units: int, width of the output (and of ``skip``).
        dropout_rate: float in [0, 1), dropout before the gate.
        use_residuals: bool (default True). When False the skip connection is
            dropped and the layer returns ``Norm(GLU(inputs))``.
        use_batch_norm: bool (default False). Normalise with
            `BatchNormalization` instead of `LayerNormalization`.

    Call arguments:
        inputs: tensor `(..., d)`, the branch to gate.
        skip: tensor `(..., units)`, the residual path.
        training: bool.

    Returns:
        Tensor `(..., units)`.
    """

    def __init__(
        self,
        units,
        dropout_rate=0.0,
        use_residuals=True,
        use_batch_norm=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.dropout_rate = dropout_rate
        self.use_residuals = use_residuals
        self.use_batch_norm = use_batch_norm
        self.gate = GatedLinearUnit(
            units, dropout_rate=dropout_rate, dtype=self.dtype_policy, name="gate"
        )
        if use_batch_norm:
            self.norm = keras.layers.BatchNormalization(
                dtype=self.dtype_policy, name="norm"
            )
        else:
            self.norm = keras.layers.LayerNormalization(
                dtype=self.dtype_policy, name="norm"
            )

    def build(self, inputs_shape, skip_shape=None):
        self.gate.build(inputs_shape)
        self.norm.build(tuple(inputs_shape[:-1]) + (self.units,))
        self.built = True

    def call(self, inputs, skip, training=None):
        gated = call_sublayer(self.gate, inputs, training=training)
        if self.use_residuals:
            gated = gated + skip
        return call_sublayer(self.norm, gated, training=training)

    def compute_output_shape(self, inputs_shape, skip_shape=None):
        return tuple(inputs_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "dropout_rate": self.dropout_rate,
                "use_residuals": self.use_residuals,
                "use_batch_norm": self.use_batch_norm,
            }
        )
        return config
