"""Embeddings of the categorical variables of an input."""

import keras
from keras import ops


def validate_per_variable(values, num_variables, name, meaning):
    """Checks a list of one int >= 0 per variable of an input.

    Args:
        values: the list given.
        num_variables: the number of variables the input has, or None.
        name: the argument's name, for errors.
        meaning: what the ints mean, for errors (`"0: real, n >= 2:
            categorical"`).

    Returns:
        list of ints.
    """
    try:
        out = list(values)
    except TypeError:
        raise TypeError(
            f"`{name}` must be a list with one int per variable ({meaning}). "
            f"Received: {name}={values!r}"
        ) from None
    for value in out:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise TypeError(f"`{name}` must hold ints >= 0. Received: {name}={out}")
    if num_variables is not None and len(out) != num_variables:
        raise ValueError(
            f"`{name}` must have one entry per variable ({num_variables}). "
            f"Received: {len(out)} entries, {name}={out}"
        )
    return [int(value) for value in out]


def validate_cardinalities(cardinalities, num_variables=None, name="cardinalities"):
    """Checks a per-variable cardinality list; returns it as a list of ints.

    Args:
        cardinalities: one entry per variable of an input: 0 for a
            real-valued variable, `n >= 2` for a categorical one whose codes
            are `0 .. n - 1` (code 0: unknown).
        num_variables: the number of variables the input has, or None.
        name: the argument's name, for errors.

    Returns:
        list of ints.
    """
    values = validate_per_variable(
        cardinalities, num_variables, name, "0: real, n >= 2: categorical"
    )
    if 1 in values:
        raise ValueError(
            f"`{name}`: a categorical variable has at least 2 codes (the "
            f"unknown code 0 and one value); 0 marks a real variable. "
            f"Received: {name}={values}"
        )
    return values


def validate_unknown_rate(rate, name="unknown_rate"):
    """Checks a probability in [0, 1); returns it as a float."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        raise TypeError(
            f"`{name}` must be a float in [0, 1). Received: {name}={rate!r}"
        )
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"`{name}` must be in [0, 1). Received: {name}={rate!r}")
    return float(rate)


def _unknown_is_zero(initializer):
    """An initializer whose first row (the unknown code) is zero."""

    def initialize(shape, dtype=None):
        values = initializer(shape, dtype=dtype)
        rows = ops.reshape(ops.arange(shape[0]), (-1, 1))
        return ops.where(rows > 0, values, ops.zeros_like(values))

    return initialize


def _runs(positions):
    """`[(start, stop), ...]`: the runs of consecutive integers in the sorted
    `positions` (`[0, 1, 3]` -> `[(0, 2), (3, 4)]`)."""
    runs = []
    for position in positions:
        if runs and runs[-1][1] == position:
            runs[-1] = (runs[-1][0], position + 1)
        else:
            runs.append((position, position + 1))
    return runs


@keras.saving.register_keras_serializable(package="base_attentive")
class CategoricalEmbedding(keras.layers.Layer):
    """One embedding table per categorical variable of an input.

    An input of ``N`` variables holds, for each categorical variable, its
    integer code as a float (``0`` = unknown, ``1 .. n - 1`` = the values of
    its vocabulary, `base_attentive.data.Vocabulary`). Each categorical
    variable ``j`` has its own table ``E_j`` of shape ``(n_j, units)``;
    the layer splits the input into the real-valued variables, unchanged,
    and one embedding ``E_j[code_j]`` per categorical variable. A code
    outside ``0 .. n_j - 1`` counts as unknown. The unknown row starts at
    zero, so a value never seen in training adds nothing until training
    gives it a meaning.

    Training never shows the unknown code on its own: every training value
    is in the vocabulary. With ``unknown_rate > 0`` each code is replaced
    by the unknown code with that probability during training (independently
    per variable, sample and time step), so the unknown row learns what a
    value not seen in training should mean (a new store, say: the average
    store) and the network learns to forecast without the category.

    Args:
        cardinalities: one int per variable: 0 for a real variable, the
            number of codes ``n >= 2`` for a categorical one.
        units: int, width of each embedding.
        embeddings_initializer: initializer of the tables (the unknown row
            is then set to zero). Default ``"uniform"``.
        unknown_rate: float in ``[0, 1)``, the probability with which a code
            is replaced by the unknown code during training. Default 0.
        seed: int or None, the seed of those draws.

    Call arguments:
        inputs: tensor `(B, N)` or `(B, T, N)`.
        training: bool; the unknown-code draws happen only when True.

    Returns:
        Tuple ``(real, embeddings)``: ``real`` `(..., R)` the real-valued
        variables in their order (None when there is none), and a list
        of one `(..., units)` tensor per categorical variable, in order.

    Example:

    >>> layer = CategoricalEmbedding([0, 3], units=4)
    >>> real, embeddings = layer(np.array([[0.5, 2.0]], "float32"))
    >>> tuple(real.shape), [tuple(e.shape) for e in embeddings]
    ((1, 1), [(1, 4)])
    """

    def __init__(
        self,
        cardinalities,
        units,
        embeddings_initializer="uniform",
        unknown_rate=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.cardinalities = validate_cardinalities(cardinalities)
        self.units = units
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)
        self.unknown_rate = validate_unknown_rate(unknown_rate)
        self.seed = seed
        # Only a layer that draws has a seed state (old saved models have none).
        self.seed_generator = (
            keras.random.SeedGenerator(seed) if self.unknown_rate else None
        )
        self.real_positions = [i for i, n in enumerate(self.cardinalities) if n == 0]
        self.categorical_positions = [
            i for i, n in enumerate(self.cardinalities) if n > 0
        ]
        self._real_runs = _runs(self.real_positions)
        self.tables = []

    def build(self, input_shape):
        if input_shape[-1] is not None and input_shape[-1] != len(self.cardinalities):
            raise ValueError(
                f"The input has {input_shape[-1]} variables but `cardinalities` "
                f"names {len(self.cardinalities)}: {self.cardinalities}"
            )
        initializer = _unknown_is_zero(self.embeddings_initializer)
        self.tables = [
            self.add_weight(
                name=f"embeddings_{position}",
                shape=(self.cardinalities[position], self.units),
                initializer=initializer,
            )
            for position in self.categorical_positions
        ]
        self.built = True

    def call(self, inputs, training=None):
        real = self.select_real(inputs) if self.real_positions else None
        embeddings = []
        for position, table in zip(
            self.categorical_positions, self.tables, strict=True
        ):
            size = self.cardinalities[position]
            codes = ops.cast(ops.round(inputs[..., position]), "int32")
            unknown = (codes < 0) | (codes >= size)
            if training and self.unknown_rate:
                draws = keras.random.uniform(ops.shape(codes), seed=self.seed_generator)
                unknown = unknown | (draws < self.unknown_rate)
            codes = ops.where(unknown, 0, codes)
            embedded = ops.take(table, codes, axis=0)
            embeddings.append(ops.cast(embedded, self.compute_dtype))
        return real, embeddings

    def select_real(self, values):
        """The entries of the real-valued variables along the last axis of
        `values` (the inputs, or per-variable weights), in order.

        Slices of the runs of real variables, not `ops.take` with a list:
        PyTorch's ONNX exporter writes that as a Squeeze that ONNX Runtime
        refuses (for two or more indices).
        """
        parts = [values[..., start:stop] for start, stop in self._real_runs]
        return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-1)

    def compute_output_shape(self, input_shape):
        batch = tuple(input_shape[:-1])
        real = batch + (len(self.real_positions),) if self.real_positions else None
        return real, [batch + (self.units,) for _ in self.categorical_positions]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "cardinalities": list(self.cardinalities),
                "units": self.units,
                "embeddings_initializer": keras.initializers.serialize(
                    self.embeddings_initializer
                ),
                "unknown_rate": self.unknown_rate,
                "seed": self.seed,
            }
        )
        return config
