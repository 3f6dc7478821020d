"""Variable selection network (VSN) of the TFT, vectorised over variables."""

import keras
from keras import ops

from base_attentive.layers.categorical_embedding import (
    CategoricalEmbedding,
    validate_cardinalities,
    validate_unknown_rate,
)
from base_attentive.layers.gated_block import GatedBlock
from base_attentive.layers.gated_residual_network import GatedResidualNetwork
from base_attentive.layers.sublayer_call import call_sublayer


@keras.saving.register_keras_serializable(package="base_attentive")
class VariableSelectionNetwork(GatedBlock):
    """Learns which input variables matter, per sample and time step.

    Each of the ``N`` scalar variables gets its own linear embedding
    ``e_j = x_j w_j + b_j`` (width ``units``). A GRN conditioned on the
    optional static context maps the raw inputs to ``N`` softmax selection
    weights ``v``; the selected embedding ``sum_j v_j e_j`` then goes through
    a GRN: ``outputs = GRN(sum_j v_j e_j)`` (Lim et al. 2021, section 4.2).

    Design choice: the paper transforms every variable by its own GRN before
    the weighted sum, which costs ``N`` GRNs per time step. Here the GRN is
    applied once, after the selection, and the weighted sum of the linear
    embeddings is computed as two matrix products, ``(v * x) W + v B``, with
    no `(..., N, units)` tensor. Training is faster than with the
    per-variable form (docs/benchmarks.md, "Kernels"), with the same weights
    layout, the same selection weights and the same interpretation (``v`` is
    what ``explain`` reports). The selection GRN reads the raw
    inputs; since the embeddings are linear in the inputs, this spans the
    same function class as reading the flattened embeddings.

    Categorical variables (``cardinalities``) hold integer codes; each has
    its own embedding table (`CategoricalEmbedding`), whose row
    ``E_j[code_j]`` is its embedding ``e_j`` in the weighted sum, so a
    categorical variable gets one selection weight like any real one. The
    selection GRN reads the real inputs and the categorical embeddings.

    Args:
        units: int, width of each variable embedding and of the output.
        hidden_units: int or None, hidden width of the GRNs (default
            ``units``).
        cardinalities: None (every variable real), or one int per variable:
            0 for a real variable, the number of codes ``n >= 2`` of a
            categorical one (code 0: unknown).
        unknown_rate: float in [0, 1), the probability with which a
            categorical code is replaced by the unknown code in training
            (`CategoricalEmbedding`). Default 0.
        dropout_rate: float in [0, 1).
        activation: str, GRN hidden activation.
        use_residuals: bool, GRN skip connections.
        use_batch_norm: bool, GRN normalisation by `BatchNormalization`.

    Call arguments:
        inputs: tensor `(B, N)` or `(B, T, N)`.
        context: optional static context `(B, c)`.
        training: bool.

    Returns:
        Tuple ``(outputs, weights)``: outputs `(B, units)` or
        `(B, T, units)`; weights `(B, N)` or `(B, T, N)`, non-negative and
        summing to one over the variables.

    Example:
    >>> vsn = VariableSelectionNetwork(8)
    >>> out, w = vsn(np.zeros((2, 5, 3)))
    >>> tuple(out.shape), tuple(w.shape)
    ((2, 5, 8), (2, 5, 3))
    """

    def __init__(
        self,
        units,
        hidden_units=None,
        cardinalities=None,
        unknown_rate=0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.hidden_units = hidden_units
        if cardinalities is not None:
            cardinalities = validate_cardinalities(cardinalities)
        self.cardinalities = cardinalities
        self.unknown_rate = validate_unknown_rate(unknown_rate)
        self.categorical_embedding = None
        if cardinalities is not None and any(cardinalities):
            self.categorical_embedding = CategoricalEmbedding(
                cardinalities,
                units,
                unknown_rate=self.unknown_rate,
                name="categorical_embedding",
                dtype=self.dtype_policy,
            )
        self.selected_grn = GatedResidualNetwork(
            hidden_units or units,
            output_units=units,
            name="selected_grn",
            **self.grn_options,
        )
        self.selection_grn = None

    def build(self, inputs_shape, context_shape=None):
        num_variables = inputs_shape[-1]
        num_real, selection_width = num_variables, num_variables
        if self.cardinalities is not None:
            validate_cardinalities(self.cardinalities, num_variables)
        if self.categorical_embedding is not None:
            self.categorical_embedding.build(inputs_shape)
            num_categorical = len(self.categorical_embedding.categorical_positions)
            num_real = num_variables - num_categorical
            selection_width = num_real + num_categorical * self.units
        if num_real:  # a VSN over categorical variables only has no kernel
            self.variable_kernel = self.add_weight(
                name="variable_kernel",
                shape=(num_real, self.units),
                initializer="glorot_uniform",
            )
            self.variable_bias = self.add_weight(
                name="variable_bias",
                shape=(num_real, self.units),
                initializer="zeros",
            )
        self.selection_grn = GatedResidualNetwork(
            self.hidden_units or self.units,
            output_units=num_variables,
            name="selection_grn",
            **self.grn_options,
        )
        selection_shape = tuple(inputs_shape[:-1]) + (selection_width,)
        self.selection_grn.build(selection_shape, context_shape)
        self.selected_grn.build(tuple(inputs_shape[:-1]) + (self.units,))
        self.built = True

    def call(self, inputs, context=None, training=None):
        if self.categorical_embedding is not None:
            return self._call_with_categories(inputs, context, training)
        logits = call_sublayer(
            self.selection_grn, inputs, context=context, training=training
        )
        weights = _selection_weights(logits)
        # sum_j v_j (x_j w_j + b_j), as two matmuls: no (..., N, units) tensor.
        selected = ops.matmul(weights * inputs, self.variable_kernel)
        selected = selected + ops.matmul(weights, self.variable_bias)
        outputs = call_sublayer(self.selected_grn, selected, training=training)
        return outputs, weights

    def _call_with_categories(self, inputs, context, training):
        embedding = self.categorical_embedding
        real, embedded = call_sublayer(embedding, inputs, training=training)
        parts = embedded if real is None else [real, *embedded]
        logits = call_sublayer(
            self.selection_grn,
            ops.concatenate(parts, axis=-1),
            context=context,
            training=training,
        )
        weights = _selection_weights(logits)
        selected = None
        if real is not None:
            real_weights = embedding.select_real(weights)
            selected = ops.matmul(real_weights * real, self.variable_kernel)
            selected = selected + ops.matmul(real_weights, self.variable_bias)
        for position, vector in zip(
            embedding.categorical_positions, embedded, strict=True
        ):
            term = weights[..., position : position + 1] * vector
            selected = term if selected is None else selected + term
        outputs = call_sublayer(self.selected_grn, selected, training=training)
        return outputs, weights

    def compute_output_shape(self, inputs_shape, context_shape=None):
        return tuple(inputs_shape[:-1]) + (self.units,), tuple(inputs_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "hidden_units": self.hidden_units,
                "cardinalities": self.cardinalities,
                "unknown_rate": self.unknown_rate,
            }
        )
        return config


def _selection_weights(logits):
    """Softmax over the variables; a single variable's weight is 1 (the
    softmax of one value, for which Keras warns at every call). Written as
    `0 * logits + 1` so that the selection GRN keeps its (zero) gradient, as
    under the softmax: optimizers warn about variables without one."""
    if logits.shape[-1] == 1:
        return 0.0 * logits + 1.0
    return ops.softmax(logits, axis=-1)
