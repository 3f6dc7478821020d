"""Monotone quantile head: quantiles that cannot cross."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="base_attentive")
class QuantileHead(keras.layers.Layer):
    """Predicts ordered quantiles for each horizon step and target.

    The level nearest 0.5 is an anchor ``m(x)``; each other level is the
    anchor plus (above) or minus (below) a cumulative sum of positive gaps
    ``softplus(g_k(x))``. Every gap is a function of the inputs, so interval
    widths vary with the inputs (they are not fixed offsets from the median),
    and ``q_1 < q_2 < ... < q_Q`` holds by construction for any weights.

    Args:
        quantiles: list of floats, strictly increasing in (0, 1).
        output_dim: int, number of targets ``O``.

    Call arguments:
        inputs: tensor `(B, H, d)`.

    Returns:
        Tensor `(B, H, Q, O)` (float32 under mixed precision: the model builds
        its head with a float32 policy).

    Example:
    >>> head = QuantileHead([0.1, 0.5, 0.9], output_dim=2)
    >>> tuple(head(np.zeros((4, 6, 8))).shape)
    (4, 6, 3, 2)
    """

    def __init__(self, quantiles, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.quantiles = [float(q) for q in quantiles]
        self.output_dim = output_dim
        levels = self.quantiles
        self._anchor = min(range(len(levels)), key=lambda i: abs(levels[i] - 0.5))
        self.anchor = keras.layers.Dense(
            output_dim, dtype=self.dtype_policy, name="anchor"
        )
        self.gaps = None
        if len(levels) > 1:
            self.gaps = keras.layers.EinsumDense(
                "bhd,dqo->bhqo",
                output_shape=(None, len(levels) - 1, output_dim),
                bias_axes="qo",
                dtype=self.dtype_policy,
                name="gaps",
            )

    def build(self, input_shape):
        self.anchor.build(input_shape)
        if self.gaps is not None:
            self.gaps.build(input_shape)
        self.built = True

    def call(self, inputs):
        inputs = ops.cast(inputs, self.compute_dtype)
        anchor = ops.expand_dims(self.anchor(inputs), 2)
        if self.gaps is None:
            return anchor
        gaps = ops.softplus(self.gaps(inputs))
        below, above = gaps[:, :, : self._anchor], gaps[:, :, self._anchor :]
        parts = []
        if self._anchor > 0:
            parts.append(anchor - ops.flip(ops.cumsum(ops.flip(below, 2), axis=2), 2))
        parts.append(anchor)
        if self._anchor < len(self.quantiles) - 1:
            parts.append(anchor + ops.cumsum(above, axis=2))
        return ops.concatenate(parts, axis=2)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (len(self.quantiles), self.output_dim)

    def get_config(self):
        config = super().get_config()
        config.update({"quantiles": self.quantiles, "output_dim": self.output_dim})
        return config
