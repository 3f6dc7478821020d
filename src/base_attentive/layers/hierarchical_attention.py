"""Hierarchical attention: causal attention over history and horizon."""

import keras
from keras import ops

from base_attentive.layers.attention_level import AttentionLevel


@keras.saving.register_keras_serializable(package="base_attentive")
class HierarchicalAttention(AttentionLevel):
    """Each horizon step attends to the history and to earlier horizon steps.

    Attention level ``"hierarchical"``: the TFT's temporal self-attention
    (Lim et al. 2021, section 4.5) over the two levels of the sequence, the
    encoded history `(B, L, units)` followed by the decoder stream
    `(B, H, units)`. A causal mask lets horizon step ``h`` see all ``L``
    history positions and horizon steps ``0..h``, never a later step, so
    forecast steps can share information without looking ahead. Weights are
    `(B, H, L + H)`. Arguments and call signature as `AttentionLevel`.

    Example:
    >>> layer = HierarchicalAttention(num_heads=2, units=8)
    >>> out, w = layer(np.zeros((2, 3, 8)), np.zeros((2, 5, 8)))
    >>> tuple(w.shape)
    (2, 3, 8)
    """

    def attention_keys(self, decoder, encoded):
        keys = ops.concatenate([encoded, decoder], axis=1)
        history = ops.shape(encoded)[1]
        horizon = ops.shape(decoder)[1]
        # Key positions relative to the forecast origin: history < 0 <= horizon.
        key_positions = ops.arange(0, history + horizon) - history
        query_positions = ops.arange(0, horizon)
        mask = ops.expand_dims(key_positions, 0) <= ops.expand_dims(query_positions, 1)
        return keys, mask
