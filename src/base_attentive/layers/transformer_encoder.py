"""Self-attention encoder stack (``objective="transformer"``)."""

import keras

from base_attentive.layers.gate_add_norm import GateAddNorm
from base_attentive.layers.gated_block import GatedBlock
from base_attentive.layers.gated_residual_network import GatedResidualNetwork
from base_attentive.layers.interpretable_multi_head_attention import (
    InterpretableMultiHeadAttention,
)
from base_attentive.layers.sublayer_call import call_sublayer


@keras.saving.register_keras_serializable(package="base_attentive")
class TransformerEncoder(GatedBlock):
    """``num_layers`` blocks of self-attention and a position-wise GRN.

    Each block: ``x = GateAddNorm(SelfAttention(x), skip=x)`` then
    ``x = GRN(x)`` (the GRN carries its own gated residual). Attention uses
    `InterpretableMultiHeadAttention`; add positional information before
    calling (the model uses `PositionalEncoding`).

    Cost: self-attention scores every pair of positions, so time and memory
    grow with the square of the sequence length ``T`` (figures in
    docs/benchmarks.md, "Scaling"). The hybrid LSTM encoder is linear in
    ``T``.

    Args:
        num_layers: int >= 1, number of blocks.
        num_heads: int, must divide the input width.
        hidden_units: int, hidden width of the position-wise GRN.
        dropout_rate, activation, use_residuals, use_batch_norm: as for
            `GatedResidualNetwork`.

    Call arguments:
        inputs: tensor `(B, T, d)`.
        training: bool.

    Returns:
        Tensor `(B, T, d)`.

    Example:
    >>> enc = TransformerEncoder(num_layers=2, num_heads=2, hidden_units=16)
    >>> tuple(enc(np.zeros((2, 7, 8))).shape)
    (2, 7, 8)
    """

    def __init__(
        self,
        num_layers,
        num_heads,
        hidden_units,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.hidden_units = hidden_units
        self.attentions = []
        self.gates = []
        self.feed_forwards = []

    def build(self, input_shape):
        width = input_shape[-1]
        if width % self.num_heads:
            raise ValueError(
                "`num_heads` must divide the encoder width (`embed_dim`). "
                f"Received: num_heads={self.num_heads}, embed_dim={width}"
            )
        norm_args = dict(self.grn_options)
        norm_args.pop("activation")
        for depth in range(self.num_layers):
            attention = InterpretableMultiHeadAttention(
                self.num_heads,
                width // self.num_heads,
                dropout_rate=self.dropout_rate,
                dtype=self.dtype_policy,
                name=f"self_attention_{depth}",
            )
            gate = GateAddNorm(width, name=f"gate_add_norm_{depth}", **norm_args)
            feed_forward = GatedResidualNetwork(
                self.hidden_units,
                output_units=width,
                name=f"feed_forward_{depth}",
                **self.grn_options,
            )
            attention.build(input_shape, input_shape)
            gate.build(input_shape)
            feed_forward.build(input_shape)
            self.attentions.append(attention)
            self.gates.append(gate)
            self.feed_forwards.append(feed_forward)
        self.built = True

    def call(self, inputs, training=None):
        x = inputs
        blocks = zip(self.attentions, self.gates, self.feed_forwards, strict=True)
        for attention, gate, feed_forward in blocks:
            attended, _ = call_sublayer(attention, x, x, training=training)
            x = call_sublayer(gate, attended, x, training=training)
            x = call_sublayer(feed_forward, x, training=training)
        return x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_layers": self.num_layers,
                "num_heads": self.num_heads,
                "hidden_units": self.hidden_units,
            }
        )
        return config
