"""Point forecast head."""

import keras


@keras.saving.register_keras_serializable(package="base_attentive")
class PointHead(keras.layers.Layer):
    """Projects each horizon step to ``output_dim`` point forecasts.

    Args:
        output_dim: int, number of targets ``O``.

    Call arguments:
        inputs: tensor `(B, H, d)`.

    Returns:
        Tensor `(B, H, O)`. The model builds its head with a float32 policy
        under mixed precision, so forecasts and losses stay in float32.
    """

    def __init__(self, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.output_dim = output_dim
        self.projection = keras.layers.Dense(
            output_dim, dtype=self.dtype_policy, name="projection"
        )

    def build(self, input_shape):
        self.projection.build(input_shape)
        self.built = True

    def call(self, inputs):
        return self.projection(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config["output_dim"] = self.output_dim
        return config
