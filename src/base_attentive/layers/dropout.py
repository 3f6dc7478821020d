"""Dropout (Srivastava et al. 2014), its mask drawn by the backend's kernel."""

import keras

from base_attentive import kernels


@keras.saving.register_keras_serializable(package="base_attentive")
class Dropout(keras.layers.Dropout):
    """`keras.layers.Dropout` whose random mask comes from `kernels.dropout`.

    In training, each element is kept with probability ``1 - rate`` and
    scaled by ``1 / (1 - rate)``, as in `keras.layers.Dropout`; at inference
    the layer is the identity. Only the way the mask is drawn can differ:
    on JAX, `base_attentive.kernels.dropout` computes the bits of
    `jax.random.bits` for the layer's seed as fused element-wise operations,
    which JAX's own sampler runs as a loop on CPU. Elsewhere, and for a
    ``noise_shape``, it is Keras' dropout.

    Args:
        As `keras.layers.Dropout` (``rate``, ``noise_shape``, ``seed``).

    Example:

    >>> layer = Dropout(0.5, seed=0)
    >>> out = layer(np.ones((2, 4), "float32"), training=True)
    >>> sorted(set(keras.ops.convert_to_numpy(out).ravel()) - {0.0, 2.0})
    []
    """

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return kernels.dropout(
                inputs,
                self.rate,
                noise_shape=self.noise_shape,
                seed=self.seed_generator,
            )
        return inputs
