"""Cross attention: the horizon attends to the encoded history."""

import keras

from base_attentive.layers.attention_level import AttentionLevel


@keras.saving.register_keras_serializable(package="base_attentive")
class CrossAttention(AttentionLevel):
    """Each horizon step attends to every encoder position.

    Attention level ``"cross"``: keys and values are the encoder memory
    `(B, L, units)`, so the weights `(B, H, L)` show which past steps each
    forecast step used. Arguments and call signature as `AttentionLevel`.

    Example:
    >>> layer = CrossAttention(num_heads=2, units=8)
    >>> out, w = layer(np.zeros((2, 3, 8)), np.zeros((2, 5, 8)))
    >>> tuple(w.shape)
    (2, 3, 5)
    """

    def attention_keys(self, decoder, encoded):
        return encoded, None
