"""Gated residual network (GRN), the basic block of the TFT."""

import keras
from keras import ops

from base_attentive.layers.gate_add_norm import GateAddNorm
from base_attentive.layers.gated_block import GatedBlock
from base_attentive.layers.sublayer_call import call_sublayer


@keras.saving.register_keras_serializable(package="base_attentive")
class GatedResidualNetwork(GatedBlock):
    """Gated residual network of the Temporal Fusion Transformer.

    ``GRN(a, c) = Norm(skip(a) + GLU(W1 act(W2 a + W3 c + b2) + b1))``
    (Lim et al. 2021, eq. 2-4). ``skip`` is the identity when the input width
    equals the output width, otherwise a linear projection.

    Args:
        units: int, hidden width.
        output_units: int or None, output width (default: ``units``).
        dropout_rate: float in [0, 1), dropout before the gate.
        activation: str, hidden activation (any Keras activation name).
        use_residuals: bool, keep the skip connection (default True).
        use_batch_norm: bool, `BatchNormalization` instead of
            `LayerNormalization` (default False).

    Call arguments:
        inputs: tensor `(B, d)` or `(B, T, d)` (any leading axes).
        context: optional tensor `(B, c)`; broadcast over the time axis when
            ``inputs`` has one.
        training: bool.

    Returns:
        Tensor with the leading axes of ``inputs`` and ``output_units`` last.

    Example:
    >>> grn = GatedResidualNetwork(16, output_units=8)
    >>> tuple(grn(np.zeros((2, 5, 3)), context=np.zeros((2, 4))).shape)
    (2, 5, 8)
    """

    def __init__(
        self,
        units,
        output_units=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.output_units = output_units
        out = output_units or units
        policy = self.dtype_policy
        self.hidden = keras.layers.Dense(units, dtype=policy, name="hidden")
        # Created in `build` when a context is given (as the skip
        # projection is when widths differ): an unbuilt sublayer would
        # block `model.quantize`.
        self.context_projection = None
        self.activation_fn = keras.activations.get(self.activation)
        self.intermediate = keras.layers.Dense(units, dtype=policy, name="intermediate")
        self.gate_add_norm = GateAddNorm(
            out,
            dropout_rate=self.dropout_rate,
            use_residuals=self.use_residuals,
            use_batch_norm=self.use_batch_norm,
            dtype=policy,
            name="gate_add_norm",
        )
        self.skip_projection = None

    def build(self, inputs_shape, context_shape=None):
        out = self.output_units or self.units
        self.hidden.build(inputs_shape)
        if context_shape is not None:
            self.context_projection = keras.layers.Dense(
                self.units,
                use_bias=False,
                dtype=self.dtype_policy,
                name="context_projection",
            )
            self.context_projection.build(context_shape)
        hidden_shape = tuple(inputs_shape[:-1]) + (self.units,)
        self.intermediate.build(hidden_shape)
        self.gate_add_norm.build(hidden_shape)
        if self.use_residuals and inputs_shape[-1] != out:
            self.skip_projection = keras.layers.Dense(
                out, dtype=self.dtype_policy, name="skip_projection"
            )
            self.skip_projection.build(inputs_shape)
        self.built = True

    def call(self, inputs, context=None, training=None):
        hidden = call_sublayer(self.hidden, inputs)
        if context is not None:
            if self.context_projection is None:
                raise ValueError(
                    f"{self.name} was built without a context, so it has no "
                    "context weights; pass `context` from its first call on. "
                    f"Received: context of shape {tuple(context.shape)}"
                )
            projected = call_sublayer(self.context_projection, context)
            while len(projected.shape) < len(hidden.shape):
                projected = ops.expand_dims(projected, axis=1)
            hidden = hidden + projected
        hidden = call_sublayer(self.intermediate, self.activation_fn(hidden))
        skip = inputs
        if self.skip_projection is not None:
            skip = call_sublayer(self.skip_projection, inputs)
        return call_sublayer(self.gate_add_norm, hidden, skip, training=training)

    def compute_output_shape(self, inputs_shape, context_shape=None):
        return tuple(inputs_shape[:-1]) + (self.output_units or self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "output_units": self.output_units,
            }
        )
        return config
