"""Distribution head: parameters of a predictive distribution."""

import keras
from keras import ops

from base_attentive.distributions import DISTRIBUTION_PARAMETERS

# Smallest scale the head can output, so the likelihood stays finite, and the
# smallest excess of the Student-t degrees of freedom over 2 (finite variance).
MIN_SCALE = 1e-3
MIN_DF_EXCESS = 1e-3
# Negative binomial: the mean is exp(raw) with raw clipped to this range
# (a log link, as for count regression: counts of any size are a few units
# of raw away), and the dispersion is softplus(raw) + MIN_DISPERSION.
LOG_MEAN_RANGE = (-30.0, 30.0)
MIN_DISPERSION = 1e-4


@keras.saving.register_keras_serializable(package="base_attentive")
class DistributionHead(keras.layers.Layer):
    """Predicts a distribution's parameters per horizon step and target.

    ``"normal"``: ``[loc, scale]``; ``"student_t"``: ``[loc, scale, df]``;
    ``"log_normal"``: ``[loc, scale]`` of ``log y``; ``"negative_binomial"``:
    ``[mean, dispersion]`` (counts, ``Var = mean + dispersion mean^2``).
    ``scale = softplus(.) + 1e-3 > 0``; ``df = 2 + softplus(.) + 1e-3 > 2`` so the
    variance is finite; ``mean = exp(.)`` (a log link, the argument clipped
    to [-30, 30]) and ``dispersion = softplus(.) + 1e-4``. Train with the
    distribution's NLL (`base_attentive.losses`, what
    ``compile(loss="auto")`` picks); turn the output into quantiles or
    samples with `base_attentive.distributions`.

    Args:
        distribution: a name of
            `base_attentive.distributions.DISTRIBUTION_PARAMETERS`.
        output_dim: int, number of targets ``O``.

    Call arguments:
        inputs: tensor `(B, H, d)`.

    Returns:
        Tensor `(B, H, P, O)`, ``P`` = 3 for Student-t, else 2; float32
        under mixed precision.
    """

    def __init__(self, distribution, output_dim, **kwargs):
        super().__init__(**kwargs)
        if distribution not in DISTRIBUTION_PARAMETERS:
            raise ValueError(
                f"`distribution` must be one of {sorted(DISTRIBUTION_PARAMETERS)}. "
                f"Received: distribution={distribution!r}"
            )
        self.distribution = distribution
        self.output_dim = output_dim
        self.num_parameters = len(DISTRIBUTION_PARAMETERS[distribution])
        self.projection = keras.layers.EinsumDense(
            "bhd,dpo->bhpo",
            output_shape=(None, self.num_parameters, output_dim),
            bias_axes="po",
            dtype=self.dtype_policy,
            name="projection",
        )

    def build(self, input_shape):
        self.projection.build(input_shape)
        self.built = True

    def call(self, inputs):
        raw = self.projection(ops.cast(inputs, self.compute_dtype))
        if self.distribution == "negative_binomial":
            mean = ops.exp(ops.clip(raw[:, :, :1], *LOG_MEAN_RANGE))
            dispersion = ops.softplus(raw[:, :, 1:2]) + MIN_DISPERSION
            return ops.concatenate([mean, dispersion], axis=2)
        loc = raw[:, :, :1]
        scale = ops.softplus(raw[:, :, 1:2]) + MIN_SCALE
        parts = [loc, scale]
        if self.distribution == "student_t":
            parts.append(2.0 + MIN_DF_EXCESS + ops.softplus(raw[:, :, 2:3]))
        return ops.concatenate(parts, axis=2)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.num_parameters, self.output_dim)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"distribution": self.distribution, "output_dim": self.output_dim}
        )
        return config
