"""Memory-augmented attention: the horizon reads learned memory slots."""

import keras
from keras import ops

from base_attentive.layers.attention_level import AttentionLevel


@keras.saving.register_keras_serializable(package="base_attentive")
class MemoryAugmentedAttention(AttentionLevel):
    """Each horizon step attends to ``memory_size`` learned memory slots.

    Attention level ``"memory"``: a trainable memory `(memory_size, units)`,
    shared by all samples, stores patterns learned across the training set
    (recurring shapes, regimes) that a single lookback window may not show.
    Weights are `(B, H, memory_size)`.

    Args:
        memory_size: int >= 1, number of memory slots.
        Other arguments as `AttentionLevel`.

    Example:
    >>> layer = MemoryAugmentedAttention(memory_size=4, num_heads=2, units=8)
    >>> out, w = layer(np.zeros((2, 3, 8)), np.zeros((2, 5, 8)))
    >>> tuple(w.shape)
    (2, 3, 4)
    """

    def __init__(self, memory_size, num_heads, units, **kwargs):
        super().__init__(num_heads, units, **kwargs)
        self.memory_size = memory_size

    def build(self, decoder_shape, encoded_shape=None):
        self.memory = self.add_weight(
            name="memory",
            shape=(self.memory_size, self.units),
            initializer="glorot_uniform",
        )
        super().build(decoder_shape, encoded_shape)

    def attention_keys(self, decoder, encoded):
        # (1, M, units): one memory for the whole batch. The attention
        # projects it once and contracts that projection with every
        # sample, instead of projecting B identical copies.
        return ops.expand_dims(self.memory, 0), None

    def get_config(self):
        config = super().get_config()
        config["memory_size"] = self.memory_size
        return config
