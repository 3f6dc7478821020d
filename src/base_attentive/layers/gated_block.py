"""Base of the blocks made of gated residual networks."""

import keras


class GatedBlock(keras.layers.Layer):
    """Holds the options shared by every block built from GRNs.

    `GatedResidualNetwork`, `VariableSelectionNetwork`,
    `StaticCovariateEncoder` and `TransformerEncoder` take the same four
    options and hand them to the GRNs they contain; this base class stores
    them once, serialises them, and gives them to sub-blocks as
    ``self.grn_options``.

    Args:
        dropout_rate: float in [0, 1), dropout before each gate.
        activation: str, hidden activation of the GRNs (Keras name).
        use_residuals: bool, keep the GRNs' skip connections.
        use_batch_norm: bool, `BatchNormalization` instead of
            `LayerNormalization` in the gated skip connections.
    """

    def __init__(
        self,
        dropout_rate=0.0,
        activation="elu",
        use_residuals=True,
        use_batch_norm=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.dropout_rate = dropout_rate
        self.activation = activation
        self.use_residuals = use_residuals
        self.use_batch_norm = use_batch_norm

    @property
    def grn_options(self):
        """Keyword arguments that pass these options on to a sub-block."""
        return {
            "dropout_rate": self.dropout_rate,
            "activation": self.activation,
            "use_residuals": self.use_residuals,
            "use_batch_norm": self.use_batch_norm,
            "dtype": self.dtype_policy,
        }

    def get_config(self):
        config = super().get_config()
        options = self.grn_options
        options.pop("dtype")
        config.update(options)
        return config
