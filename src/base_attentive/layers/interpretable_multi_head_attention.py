"""Interpretable multi-head attention of the TFT."""

import math

import keras
from keras import ops

from base_attentive.layers.sublayer_call import call_sublayer


@keras.saving.register_keras_serializable(package="base_attentive")
class InterpretableMultiHeadAttention(keras.layers.Layer):
    """Multi-head attention whose heads share one value projection.

    Each head has its own query and key projections; the values are
    projected once and shared, so the head-averaged attention matrix fully
    explains the output (Lim et al. 2021, section 4.4):
    ``out = W_o (mean_h softmax(Q_h K_h^T / sqrt(d_k))) V W_v``.

    Args:
        num_heads: int, number of attention heads.
        key_dim: int, width of each head's queries and keys, and of the
            shared values.
        dropout_rate: float in [0, 1), dropout on the attention weights.

    Call arguments:
        query: tensor `(B, Tq, d)`.
        value: tensor `(B, Tk, dv)`, used as keys and values; or
            `(1, Tk, dv)`, shared by every sample: projected once, and
            read by every sample from that one projection.
        attention_mask: optional boolean tensor broadcastable to `(B, Tq, Tk)`; False
            marks positions a query may not attend to.
        training: bool.

    Returns:
        Tuple ``(outputs, weights)``: outputs `(B, Tq, d)` (same width as
        ``query``), weights `(B, Tq, Tk)` averaged over heads.

    Example:
    >>> mha = InterpretableMultiHeadAttention(num_heads=2, key_dim=4)
    >>> out, w = mha(np.zeros((2, 3, 8)), np.zeros((2, 5, 8)))
    >>> tuple(out.shape), tuple(w.shape)
    ((2, 3, 8), (2, 3, 5))
    """

    def __init__(self, num_heads, key_dim, dropout_rate=0.0, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.dropout_rate = dropout_rate
        policy = self.dtype_policy
        heads = (None, num_heads, key_dim)
        self.query_dense = keras.layers.EinsumDense(
            "btd,dhk->bthk",
            output_shape=heads,
            bias_axes="hk",
            dtype=policy,
            name="query",
        )
        self.key_dense = keras.layers.EinsumDense(
            "btd,dhk->bthk",
            output_shape=heads,
            bias_axes="hk",
            dtype=policy,
            name="key",
        )
        self.value_dense = keras.layers.Dense(key_dim, dtype=policy, name="value")
        self.attention_dropout = keras.layers.Dropout(dropout_rate, dtype=policy)
        self.output_dense = None

    def build(self, query_shape, value_shape=None, attention_mask_shape=None):
        value_shape = value_shape or query_shape
        self.query_dense.build(query_shape)
        self.key_dense.build(value_shape)
        self.value_dense.build(value_shape)
        self.output_dense = keras.layers.Dense(
            query_shape[-1], dtype=self.dtype_policy, name="output"
        )
        self.output_dense.build(tuple(query_shape[:-1]) + (self.key_dim,))
        self.built = True

    def call(self, query, value, attention_mask=None, training=None):
        queries = call_sublayer(self.query_dense, query)
        keys = call_sublayer(self.key_dense, value)
        values = call_sublayer(self.value_dense, value)
        # A value shared by the batch (batch axis 1) is contracted without a
        # batch axis: every sample reads the same projected keys and values.
        shared = value.shape[0] == 1
        if shared:
            scores = ops.einsum("bqhd,khd->bhqk", queries, keys[0])
        else:
            scores = ops.einsum("bqhd,bkhd->bhqk", queries, keys)
        scores = scores / ops.cast(math.sqrt(self.key_dim), scores.dtype)
        if attention_mask is not None:
            allowed = ops.expand_dims(attention_mask, -3)
            scores = ops.where(allowed, scores, ops.cast(-1e9, scores.dtype))
        weights = ops.mean(ops.softmax(scores, axis=-1), axis=1)
        dropped = call_sublayer(self.attention_dropout, weights, training=training)
        if shared:
            attended = ops.einsum("bqk,kd->bqd", dropped, values[0])
        else:
            attended = ops.matmul(dropped, values)
        outputs = call_sublayer(self.output_dense, attended)
        return outputs, weights

    def compute_output_shape(
        self, query_shape, value_shape=None, attention_mask_shape=None
    ):
        value_shape = value_shape or query_shape
        weights = (query_shape[0], query_shape[1], value_shape[1])
        return tuple(query_shape), weights

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_heads": self.num_heads,
                "key_dim": self.key_dim,
                "dropout_rate": self.dropout_rate,
            }
        )
        return config
