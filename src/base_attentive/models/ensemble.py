"""MeanEnsemble: the average forecast of several trained models."""

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="base_attentive")
class MeanEnsemble(keras.Model):
    """The mean of the outputs of several models trained apart.

    Models trained from different seeds make different errors; the mean of
    their quantile forecasts has a lower variance than any of them, which
    lowers the quantile loss (and, usually, the error of the median). The
    mean of ordered quantiles is ordered, so the levels never cross.
    The members are trained one by one (`base_attentive.training`); the
    ensemble itself is only called, never trained. It saves and loads as
    one `.keras` file, on any backend, like a single model.

    Args:
        members: list of built models with the same inputs and output shape
            (e.g. `BaseAttentive` with the same arguments, other seeds).

    Call arguments:
        inputs: as for the members (`[static, dynamic, future]`).
        training: bool.

    Returns:
        the mean of the members' outputs.

    Example:

    >>> import numpy as np
    >>> from base_attentive import BaseAttentive
    >>> dims = dict(static_input_dim=2, dynamic_input_dim=3, future_input_dim=1,
    ...             forecast_horizon=4, quantiles=[0.1, 0.5, 0.9], embed_dim=8,
    ...             hidden_units=8, lstm_units=8, attention_units=8, num_heads=2)
    >>> x = [np.zeros((5, 2)), np.zeros((5, 6, 3)), np.zeros((5, 4, 1))]
    >>> members = [BaseAttentive(**dims) for _ in range(2)]
    >>> outputs = [member(x) for member in members]
    >>> ensemble = MeanEnsemble(members)
    >>> tuple(ensemble(x).shape)
    (5, 4, 3, 1)
    """

    def __init__(self, members, **kwargs):
        super().__init__(**kwargs)
        members = list(members)
        if not members:
            raise ValueError("`members` must hold at least one model.")
        self.members = members
        if all(member.built for member in members):
            self.built = True

    @property
    def quantiles(self):
        return getattr(self.members[0], "quantiles", None)

    def build(self, input_shape):
        for member in self.members:
            if not member.built:
                member.build(input_shape)
        self.built = True

    def call(self, inputs, training=None):
        outputs = [member(inputs, training=training) for member in self.members]
        return ops.mean(ops.stack(outputs, axis=0), axis=0)

    def explain(self, inputs):
        """The members' `explain` averaged (selection weights and attention
        scores are means over the members)."""
        details = [member.explain(inputs) for member in self.members]
        return keras.tree.map_structure(
            lambda *values: np.mean(np.stack(values), axis=0), *details
        )

    def get_config(self):
        config = super().get_config()
        config["members"] = [
            keras.saving.serialize_keras_object(member) for member in self.members
        ]
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        members = [
            keras.saving.deserialize_keras_object(member)
            for member in config.pop("members")
        ]
        return cls(members, **config)
