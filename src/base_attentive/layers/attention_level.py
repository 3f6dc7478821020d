"""Shared skeleton of the decoder attention levels."""

import keras

from base_attentive.layers.gate_add_norm import GateAddNorm
from base_attentive.layers.interpretable_multi_head_attention import (
    InterpretableMultiHeadAttention,
)
from base_attentive.layers.sublayer_call import call_sublayer


class AttentionLevel(keras.layers.Layer):
    """One decoder attention level: attend, then gated residual + norm.

    ``outputs = GateAddNorm(Attention(decoder, keys), skip=decoder)``.
    Subclasses only say what the decoder attends to, by implementing
    ``attention_keys(decoder, encoded)`` which returns ``(keys, mask)``.

    Args:
        num_heads: int, attention heads; must divide ``units``.
        units: int, width of the decoder stream (``attention_units``).
        dropout_rate: float in [0, 1).
        use_residuals: bool, keep the residual connection.
        use_batch_norm: bool, `BatchNormalization` instead of
            `LayerNormalization`.

    Call arguments:
        decoder: tensor `(B, H, units)`, the decoder stream.
        encoded: tensor `(B, L, units)`, the encoder memory.
        training: bool.

    Returns:
        Tuple ``(outputs, weights)``: outputs `(B, H, units)`; weights
        `(B, H, K)` over the ``K`` attended positions, averaged over heads.
    """

    def __init__(
        self,
        num_heads,
        units,
        dropout_rate=0.0,
        use_residuals=True,
        use_batch_norm=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if units % num_heads:
            raise ValueError(
                f"`num_heads` must divide `units` in {type(self).__name__}. "
                f"Received: num_heads={num_heads}, units={units}"
            )
        self.num_heads = num_heads
        self.units = units
        self.dropout_rate = dropout_rate
        self.use_residuals = use_residuals
        self.use_batch_norm = use_batch_norm
        self.attention = InterpretableMultiHeadAttention(
            num_heads,
            units // num_heads,
            dropout_rate=dropout_rate,
            dtype=self.dtype_policy,
            name="attention",
        )
        self.gate_add_norm = GateAddNorm(
            units,
            dropout_rate=dropout_rate,
            use_residuals=use_residuals,
            use_batch_norm=use_batch_norm,
            dtype=self.dtype_policy,
            name="gate_add_norm",
        )

    def attention_keys(self, decoder, encoded):
        """Returns ``(keys, mask)`` the decoder attends to (mask may be None)."""
        raise NotImplementedError

    def build(self, decoder_shape, encoded_shape=None):
        keys_shape = (decoder_shape[0], None, self.units)
        self.attention.build(decoder_shape, keys_shape)
        self.gate_add_norm.build(decoder_shape)
        self.built = True

    def call(self, decoder, encoded, training=None):
        keys, mask = self.attention_keys(decoder, encoded)
        attended, weights = call_sublayer(
            self.attention, decoder, keys, attention_mask=mask, training=training
        )
        gated = call_sublayer(self.gate_add_norm, attended, decoder, training=training)
        return gated, weights

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_heads": self.num_heads,
                "units": self.units,
                "dropout_rate": self.dropout_rate,
                "use_residuals": self.use_residuals,
                "use_batch_norm": self.use_batch_norm,
            }
        )
        return config
