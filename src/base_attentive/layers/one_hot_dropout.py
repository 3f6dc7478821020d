"""Category dropout for one-hot encoded variables of an input."""

import keras
import numpy as np
from keras import ops

from base_attentive.layers.categorical_embedding import (
    validate_per_variable,
    validate_unknown_rate,
)


def validate_one_hot_groups(groups, num_variables=None, name="one_hot_groups"):
    """Checks a per-variable one-hot group list; returns it as a list of ints.

    Args:
        groups: one entry per variable of an input: 0 for a variable outside
            any one-hot block, `g >= 1` for a column of the `g`-th one-hot
            encoded category (its columns share `g`).
        num_variables: the number of variables the input has, or None.
        name: the argument's name, for errors.

    Returns:
        list of ints.
    """
    values = validate_per_variable(
        groups, num_variables, name, "0: no group, g >= 1: a column of group g"
    )
    present = sorted(set(values) - {0})
    if present != list(range(1, len(present) + 1)):
        raise ValueError(
            f"`{name}` must number its groups 1, 2, ... without gaps. "
            f"Received: {name}={values}"
        )
    return values


@keras.saving.register_keras_serializable(package="base_attentive")
class OneHotDropout(keras.layers.Layer):
    """Zeroes whole one-hot blocks at random during training.

    A category given to the model as one-hot columns (one 0/1 column per
    value of its vocabulary; a value not seen in training is all zeros, see
    `base_attentive.data.Vocabulary.one_hot`) never shows its "unknown"
    encoding in training, just as an embedded category never shows its
    unknown code. With ``rate > 0`` this layer sets all the columns of a
    block to zero with that probability (independently per block and
    sample, never at inference), so the network learns to forecast without
    the category: what `CategoricalEmbedding`'s ``unknown_rate`` does for an
    embedded one. Variables outside the blocks pass unchanged.

    Args:
        groups: one int per variable: 0 outside any block, `g >= 1` for the
            columns of the `g`-th block (`validate_one_hot_groups`).
        rate: float in ``[0, 1)``, the probability of zeroing a block.
        seed: int or None, the seed of those draws.

    Call arguments:
        inputs: tensor `(B, N)`.
        training: bool; the draws happen only when True.

    Returns:
        A tensor like ``inputs``.

    Example:

    >>> layer = OneHotDropout([0, 1, 1], rate=0.5, seed=0)
    >>> x = np.array([[0.5, 1.0, 0.0]], "float32")
    >>> keras.ops.convert_to_numpy(layer(x)).tolist()  # inference: unchanged
    [[0.5, 1.0, 0.0]]
    """

    def __init__(self, groups, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.groups = validate_one_hot_groups(groups)
        self.rate = validate_unknown_rate(rate, "rate")
        self.seed = seed
        self.num_groups = max(self.groups, default=0)
        self.seed_generator = keras.random.SeedGenerator(seed)
        # (G, N): row g - 1 marks the columns of block g; (N,): the others.
        groups = np.asarray(self.groups)
        self._member = (
            groups[None, :] == np.arange(1, self.num_groups + 1)[:, None]
        ).astype("float32")
        self._outside = (groups == 0).astype("float32")

    def call(self, inputs, training=None):
        if not training or not self.rate or not self.num_groups:
            return inputs
        draws = keras.random.uniform(
            (ops.shape(inputs)[0], self.num_groups), seed=self.seed_generator
        )
        kept = ops.cast(draws >= self.rate, inputs.dtype)  # (B, G)
        member = ops.convert_to_tensor(self._member, inputs.dtype)
        outside = ops.convert_to_tensor(self._outside, inputs.dtype)
        mask = outside + ops.matmul(kept, member)
        return inputs * mask

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"groups": self.groups, "rate": self.rate, "seed": self.seed})
        return config
