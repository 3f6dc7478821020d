"""Static covariate encoder of the TFT: four context vectors."""

import keras

from base_attentive.layers.gated_block import GatedBlock
from base_attentive.layers.gated_residual_network import GatedResidualNetwork


@keras.saving.register_keras_serializable(package="base_attentive")
class StaticCovariateEncoder(GatedBlock):
    """Turns the selected static embedding into four context vectors.

    Following Lim et al. 2021 (section 4.3): ``c_s`` conditions temporal
    variable selection, ``c_e`` enriches the decoder features, and
    ``c_h``, ``c_c`` initialise the encoder state (for the LSTM encoder; the
    transformer encoder adds ``c_h`` to its inputs).

    Args:
        units: int, width of ``c_s`` and ``c_e``.
        state_units: int, width of ``c_h`` and ``c_c``.
        dropout_rate, activation, use_residuals, use_batch_norm: as for
            `GatedResidualNetwork`.

    Call arguments:
        inputs: static embedding `(B, d)`.
        training: bool.

    Returns:
        Tuple ``(c_selection, c_enrichment, c_state_h, c_state_c)`` with
        shapes `(B, units)`, `(B, units)`, `(B, state_units)`,
        `(B, state_units)`.
    """

    def __init__(
        self,
        units,
        state_units,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.state_units = state_units
        widths = {
            "selection": units,
            "enrichment": units,
            "state_h": state_units,
            "state_c": state_units,
        }
        self.context_grns = [
            GatedResidualNetwork(
                units,
                output_units=width,
                name=f"{name}_grn",
                **self.grn_options,
            )
            for name, width in widths.items()
        ]

    def build(self, input_shape):
        for grn in self.context_grns:
            grn.build(input_shape)
        self.built = True

    def call(self, inputs, training=None):
        return tuple(grn(inputs, training=training) for grn in self.context_grns)

    def compute_output_shape(self, input_shape):
        batch = input_shape[0]
        return (
            (batch, self.units),
            (batch, self.units),
            (batch, self.state_units),
            (batch, self.state_units),
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "state_units": self.state_units,
            }
        )
        return config
