"""BaseAttentive: the attentive encoder-decoder forecasting model."""

import keras
from keras import ops

import base_attentive.losses  # noqa: F401  (registers the losses compile may save)
from base_attentive import kernels
from base_attentive import layers as blocks
from base_attentive.layers.sublayer_call import call_sublayer
from base_attentive.models import array_checks
from base_attentive.models.architecture import ARGUMENTS, validate_arguments
from base_attentive.models.inputs import split_input_shapes, split_inputs

ATTENTION_LAYERS = {
    "cross": blocks.CrossAttention,
    "hierarchical": blocks.HierarchicalAttention,
    "memory": blocks.MemoryAugmentedAttention,
}


@keras.saving.register_keras_serializable(package="base_attentive")
class BaseAttentive(keras.Model):
    """Attentive encoder-decoder for multi-horizon (probabilistic) forecasting.

    Static, past-observed (dynamic) and known-future inputs go through
    variable selection networks; a static covariate encoder conditions
    selection, the encoder state and the decoder; the encoder is a
    multi-scale LSTM (``objective="hybrid"``) or a self-attention stack
    (``objective="transformer"``); the decoder applies the attention levels
    in the given order, each followed by a gated residual connection and
    normalisation; a head gives point forecasts, ordered quantiles, or the
    parameters of a distribution. Written once in `keras.ops`: the same
    arguments build the same network and weights on TensorFlow, PyTorch and
    JAX. Where a backend runs eager calls (``model(x)`` on arrays) slowly
    operation by operation (JAX), they run one compiled forward pass per
    input shape (`base_attentive.kernels.compiled_forward`).

    Every argument is stored under its name, normalised (``quantiles`` as
    floats, ``attention_levels`` as the list of levels), and returned by
    ``get_config``. There is no ``architecture_config`` alias: a dict of
    architecture choices is passed as keyword arguments,
    ``BaseAttentive(**dims, **architecture)``.

    Args:
        static_input_dim: int >= 0, number of static features ``S`` (0: none).
        dynamic_input_dim: int >= 1, past-observed features ``D`` per step.
        future_input_dim: int >= 0, known-future features ``F`` (0: none).
        output_dim: int, number of targets ``O``. Default 1.
        forecast_horizon: int, number of steps ``H`` forecast. Default 1.
        quantiles: list of increasing floats in (0, 1), or None for a point
            forecast. Default None.
        embed_dim: int, width of the variable embeddings and of the selected
            features (the transformer encoder works at this width). Default 32.
        hidden_units: int, hidden width of the gated residual networks (static
            encoder, enrichment, feed-forward). Default 64.
        lstm_units: int, LSTM width of the hybrid encoder. Default 64.
        attention_units: int, width of the decoder stream and of every
            attention level; must be even and divisible by ``num_heads``.
            Default 32.
        num_heads: int, attention heads. Default 4.
        dropout_rate: float in [0, 1). Default 0.1.
        max_window_size: int or None. When set, the encoder reads only the
            most recent ``max_window_size`` steps of the lookback (the
            dynamic time window); earlier steps have no effect. Default None
            (the whole lookback).
        memory_size: int, slots of the memory-augmented attention. Default 100.
        scales: list of distinct ints, the strides of the multi-scale LSTM
            (hybrid encoder). Default None, meaning ``[1]``.
        multi_scale_agg: how the scales are combined: ``"last"`` (final state
            per scale), ``"average"``, ``"sum"`` (per-step, full length) or
            ``"concat"`` (sequences joined along time). Default ``"last"``.
        final_agg: how the encoder memory is summarised into the vector given
            to every horizon step: ``"last"`` (its last position) or
            ``"average"`` (mean over positions). Default ``"last"``.
        activation: str, hidden activation of the GRNs. Default ``"relu"``.
        use_residuals: bool, residual connections in GRNs and after each
            attention level. Default True.
        use_batch_norm: bool, `BatchNormalization` instead of
            `LayerNormalization` in the gated skip connections. Default False.
        use_vsn: bool, variable selection networks; when False each input
            group is projected by a `Dense` layer and ``explain`` returns no
            selection weights. Default True.
        vsn_units: int or None, hidden width of the VSNs' GRNs (default
            ``embed_dim``).
        num_encoder_layers: int, encoder depth: stacked LSTMs per scale
            (hybrid) or self-attention blocks (transformer). Default 2.
        mode: None (known-future inputs cover the horizon: `(B, H, F)`) or
            ``"tft"`` (they cover lookback + horizon: `(B, T + H, F)`, and
            the past part joins the dynamic inputs in the encoder).
        objective: ``"hybrid"`` or ``"transformer"``. Default ``"hybrid"``.
        attention_levels: ordered list from ``"cross"``, ``"hierarchical"``,
            ``"memory"``, applied in that order. Default None: all three, in
            that order.
        distribution: None, ``"normal"``, ``"student_t"``, ``"log_normal"``
            (positive data) or ``"negative_binomial"`` (counts): a
            distribution head giving `(B, H, P, O)` parameters (``P`` = 2:
            loc, scale; 3 for Student-t: loc, scale, df > 2; mean and
            dispersion for the negative binomial; see
            `base_attentive.distributions`). Exclusive with ``quantiles``.
        static_cardinalities, dynamic_cardinalities, future_cardinalities:
            None (every variable real-valued), or one int per variable of
            that input (``S``, ``D``, ``F`` entries): 0 for a real variable,
            the number of codes ``n >= 2`` for a categorical variable whose
            input holds its integer code (0: unknown; see
            `base_attentive.data.Vocabulary`). Each categorical variable has
            its own embedding table of width ``embed_dim``, feeding the
            variable selection like a real variable (one selection weight
            each in ``explain``). With ``mode="tft"`` the encoder's
            variables are the dynamic then the future ones. Default None.
        category_dropout: float in [0, 1), the probability with which each
            categorical code is replaced by the unknown code during training
            (`CategoricalEmbedding`'s ``unknown_rate``), so the unknown code
            (a new store, a new promotion type) is trained instead of
            staying at its zero start. One-hot static categories (the data
            layer's `DatasetSpec.static_one_hot_max`, marked by
            ``static_one_hot``) are zeroed whole with the same probability,
            their unknown encoding. Default 0.
        static_one_hot: None, or one int per static variable: 0, or `g >= 1`
            for the columns of the `g`-th one-hot encoded category (the data
            layer's `DatasetSpec.static_one_hot_max`; `model_dims()` gives
            it). With ``category_dropout > 0`` all the columns of a block are
            zeroed together with that probability during training
            (`OneHotDropout`): the all-zero encoding a value unseen in
            training gets is then trained too. Default None.

    Call arguments:
        inputs: ``[static, dynamic, future]`` (``None`` for an absent part;
            a zero-width array also means absent) or a dict with keys
            ``"static"``, ``"dynamic"``, ``"future"``. static `(B, S)`,
            dynamic `(B, T, D)`, future `(B, H, F)` or `(B, T + H, F)` with
            ``mode="tft"``. ``T`` may differ between calls.
        training: bool.

    Returns:
        `(B, H, O)` point forecasts; `(B, H, Q, O)` quantiles (ordered,
        never crossing); or `(B, H, P, O)` distribution parameters.

    Example:
    >>> import numpy as np
    >>> model = BaseAttentive(
    ...     static_input_dim=4, dynamic_input_dim=8, future_input_dim=6,
    ...     output_dim=2, forecast_horizon=24, quantiles=[0.1, 0.5, 0.9])
    >>> x = [np.zeros((32, 4)), np.zeros((32, 48, 8)), np.zeros((32, 24, 6))]
    >>> tuple(model(x).shape)
    (32, 24, 3, 2)

    Reference:
        Lim, Arik, Loeff, Pfister (2021). Temporal Fusion Transformers for
        interpretable multi-horizon time series forecasting. IJF 37(4).
    """

    def __init__(
        self,
        static_input_dim,
        dynamic_input_dim,
        future_input_dim,
        output_dim=1,
        forecast_horizon=1,
        quantiles=None,
        embed_dim=32,
        hidden_units=64,
        lstm_units=64,
        attention_units=32,
        num_heads=4,
        dropout_rate=0.1,
        max_window_size=None,
        memory_size=100,
        scales=None,
        multi_scale_agg="last",
        final_agg="last",
        activation="relu",
        use_residuals=True,
        use_batch_norm=False,
        use_vsn=True,
        vsn_units=None,
        num_encoder_layers=2,
        mode=None,
        objective="hybrid",
        attention_levels=None,
        distribution=None,
        static_cardinalities=None,
        dynamic_cardinalities=None,
        future_cardinalities=None,
        category_dropout=0.0,
        static_one_hot=None,
        **kwargs,
    ):
        arguments = validate_arguments(
            dict(
                static_input_dim=static_input_dim,
                dynamic_input_dim=dynamic_input_dim,
                future_input_dim=future_input_dim,
                output_dim=output_dim,
                forecast_horizon=forecast_horizon,
                quantiles=quantiles,
                embed_dim=embed_dim,
                hidden_units=hidden_units,
                lstm_units=lstm_units,
                attention_units=attention_units,
                num_heads=num_heads,
                dropout_rate=dropout_rate,
                max_window_size=max_window_size,
                memory_size=memory_size,
                scales=scales,
                multi_scale_agg=multi_scale_agg,
                final_agg=final_agg,
                activation=activation,
                use_residuals=use_residuals,
                use_batch_norm=use_batch_norm,
                use_vsn=use_vsn,
                vsn_units=vsn_units,
                num_encoder_layers=num_encoder_layers,
                mode=mode,
                objective=objective,
                attention_levels=attention_levels,
                distribution=distribution,
                static_cardinalities=static_cardinalities,
                dynamic_cardinalities=dynamic_cardinalities,
                future_cardinalities=future_cardinalities,
                category_dropout=category_dropout,
                static_one_hot=static_one_hot,
            )
        )
        super().__init__(**kwargs)

        # === Config ===
        self.static_input_dim = arguments["static_input_dim"]
        self.dynamic_input_dim = arguments["dynamic_input_dim"]
        self.future_input_dim = arguments["future_input_dim"]
        self.output_dim = arguments["output_dim"]
        self.forecast_horizon = arguments["forecast_horizon"]
        self.quantiles = arguments["quantiles"]
        self.embed_dim = arguments["embed_dim"]
        self.hidden_units = arguments["hidden_units"]
        self.lstm_units = arguments["lstm_units"]
        self.attention_units = arguments["attention_units"]
        self.num_heads = arguments["num_heads"]
        self.dropout_rate = arguments["dropout_rate"]
        self.max_window_size = arguments["max_window_size"]
        self.memory_size = arguments["memory_size"]
        self.scales = arguments["scales"]
        self.multi_scale_agg = arguments["multi_scale_agg"]
        self.final_agg = arguments["final_agg"]
        self.activation = arguments["activation"]
        self.use_residuals = arguments["use_residuals"]
        self.use_batch_norm = arguments["use_batch_norm"]
        self.use_vsn = arguments["use_vsn"]
        self.vsn_units = arguments["vsn_units"]
        self.num_encoder_layers = arguments["num_encoder_layers"]
        self.mode = arguments["mode"]
        self.objective = arguments["objective"]
        self.attention_levels = arguments["attention_levels"]
        self.distribution = arguments["distribution"]
        self.static_cardinalities = arguments["static_cardinalities"]
        self.dynamic_cardinalities = arguments["dynamic_cardinalities"]
        self.future_cardinalities = arguments["future_cardinalities"]
        self.category_dropout = arguments["category_dropout"]
        self.static_one_hot = arguments["static_one_hot"]

        # === Layers ===
        self._build_blocks()
        # The backend's compiled runner for eager calls, or None.
        self._compiled_forward = kernels.compiled_forward(self)

    def _build_blocks(self):
        policy = self.dtype_policy
        grn_args = dict(
            dropout_rate=self.dropout_rate,
            activation=self.activation,
            use_residuals=self.use_residuals,
            use_batch_norm=self.use_batch_norm,
            dtype=policy,
        )
        embed = self.embed_dim
        transformer = self.objective == "transformer"

        def selector(name, cardinalities):
            """The selection layer of an input, and (without VSNs) the
            embedding of its categorical variables, or None."""
            categorical = cardinalities is not None and any(cardinalities)
            if self.use_vsn:
                vsn = blocks.VariableSelectionNetwork(
                    embed,
                    hidden_units=self.vsn_units,
                    cardinalities=cardinalities if categorical else None,
                    unknown_rate=self.category_dropout,
                    name=name,
                    **grn_args,
                )
                return vsn, None
            # Without VSNs: categorical embeddings joined to the real inputs,
            # then one projection.
            embedding = None
            if categorical:
                embedding = blocks.CategoricalEmbedding(
                    cardinalities,
                    embed,
                    unknown_rate=self.category_dropout,
                    dtype=policy,
                    name=f"{name}_embedding",
                )
            return keras.layers.Dense(embed, dtype=policy, name=name), embedding

        has_future = self.future_input_dim > 0
        past_cardinalities = self.dynamic_cardinalities
        if self.mode == "tft" and has_future:
            past_cardinalities = self._cardinalities("dynamic") + self._cardinalities(
                "future"
            )
        # Only a model that draws has the layer (and its seed state).
        self.static_one_hot_dropout = None
        if self.category_dropout and self.static_one_hot and any(self.static_one_hot):
            self.static_one_hot_dropout = blocks.OneHotDropout(
                self.static_one_hot,
                self.category_dropout,
                dtype=policy,
                name="static_one_hot_dropout",
            )
        self.static_selection, self.static_embedding = selector(
            "static_selection", self.static_cardinalities
        )
        self.past_selection, self.past_embedding = selector(
            "past_selection", past_cardinalities
        )
        self.future_selection = self.future_embedding = None
        if has_future:
            self.future_selection, self.future_embedding = selector(
                "future_selection", self.future_cardinalities
            )
        self.static_encoder = None
        if self.static_input_dim > 0:
            # The transformer encoder uses no cell-state context: no GRN for
            # it (its weights would get no gradient). Leaving out the last
            # context keeps the saved positions of the others.
            # Without VSNs nothing reads the selection context: no GRN for it.
            contexts = ["selection"] if self.use_vsn else []
            contexts += ["enrichment", "state_h"]
            if not transformer:
                contexts.append("state_c")
            self.static_encoder = blocks.StaticCovariateEncoder(
                self.hidden_units,
                state_units=embed if transformer else self.lstm_units,
                contexts=contexts,
                name="static_encoder",
                **grn_args,
            )
        self.future_positions = blocks.PositionalEncoding(dtype=policy)
        # The LSTM encoder orders the lookback itself; only self-attention
        # needs past positions (an unused layer would stay unbuilt).
        self.past_positions = (
            blocks.PositionalEncoding(dtype=policy) if transformer else None
        )
        if transformer:
            self.encoder = blocks.TransformerEncoder(
                self.num_encoder_layers,
                self.num_heads,
                self.hidden_units,
                name="transformer_encoder",
                **grn_args,
            )
        else:
            self.encoder = blocks.MultiScaleLSTM(
                self.lstm_units,
                scales=self.scales,
                num_layers=self.num_encoder_layers,
                aggregation=self.multi_scale_agg,
                dropout_rate=self.dropout_rate,
                dtype=policy,
                name="multi_scale_lstm",
            )
        units = self.attention_units
        self.memory_projection = keras.layers.Dense(units, dtype=policy, name="memory")
        self.decoder_projection = keras.layers.Dense(
            units, dtype=policy, name="decoder_projection"
        )
        self.static_enrichment = blocks.GatedResidualNetwork(
            self.hidden_units, output_units=units, name="static_enrichment", **grn_args
        )
        level_args = dict(
            dropout_rate=self.dropout_rate,
            use_residuals=self.use_residuals,
            use_batch_norm=self.use_batch_norm,
            dtype=policy,
        )
        self.attention_blocks = []
        for level in self.attention_levels:
            if level == "memory":
                level_args_for = dict(level_args, memory_size=self.memory_size)
            else:
                level_args_for = level_args
            self.attention_blocks.append(
                ATTENTION_LAYERS[level](
                    num_heads=self.num_heads,
                    units=units,
                    name=f"{level}_attention",
                    **level_args_for,
                )
            )
        self.position_wise = blocks.GatedResidualNetwork(
            self.hidden_units, output_units=units, name="position_wise", **grn_args
        )
        # Under mixed precision the head computes in float32, so forecasts
        # and losses keep full precision; otherwise it follows the model.
        mixed = policy.compute_dtype != policy.variable_dtype
        head_args = dict(name="head", dtype="float32" if mixed else policy)
        if self.distribution is not None:
            self.head = blocks.DistributionHead(
                self.distribution, self.output_dim, **head_args
            )
        elif self.quantiles is not None:
            self.head = blocks.QuantileHead(
                self.quantiles, self.output_dim, **head_args
            )
        else:
            self.head = blocks.PointHead(self.output_dim, **head_args)

    def _cardinalities(self, part):
        """The cardinality list of an input part (all 0 when None)."""
        given = getattr(self, f"{part}_cardinalities")
        return (
            list(given)
            if given is not None
            else [0] * getattr(self, f"{part}_input_dim")
        )

    # ------------------------------------------------------------------ build
    def build(self, input_shape):
        static, dynamic, future = split_input_shapes(input_shape, self)
        symbolic = [
            None
            if shape is None
            else keras.KerasTensor(shape, dtype=self.compute_dtype)
            for shape in (static, dynamic, future)
        ]
        self._forward(*symbolic, training=False)
        self.built = True

    # ---------------------------------------------------------------- forward
    def _select(self, selector, inputs, context, training, embedding=None):
        if self.use_vsn:
            return call_sublayer(selector, inputs, context=context, training=training)
        if embedding is not None:
            real, embedded = call_sublayer(embedding, inputs, training=training)
            parts = embedded if real is None else [real, *embedded]
            inputs = ops.concatenate(parts, axis=-1)
        return call_sublayer(selector, inputs), None

    def _forward(self, static, dynamic, future, training=None):
        weights = {}
        lookback = ops.shape(dynamic)[1]
        future_past = future_horizon = future
        if future is not None and self.mode == "tft":
            future_past, future_horizon = future[:, :lookback], future[:, lookback:]
        selection_context = enrichment_context = state_h = state_c = None
        if static is not None:
            if self.static_one_hot_dropout is not None:
                static = call_sublayer(
                    self.static_one_hot_dropout, static, training=training
                )
            static_embedding, weights["static"] = self._select(
                self.static_selection, static, None, training, self.static_embedding
            )
            contexts = call_sublayer(
                self.static_encoder, static_embedding, training=training
            )
            contexts = dict(zip(self.static_encoder.contexts, contexts, strict=True))
            selection_context = contexts.get("selection")
            enrichment_context = contexts["enrichment"]
            state_h, state_c = contexts["state_h"], contexts.get("state_c")
        past = dynamic
        if future is not None and self.mode == "tft":
            past = ops.concatenate([dynamic, ops.cast(future_past, dynamic.dtype)], -1)
        past, weights["dynamic"] = self._select(
            self.past_selection, past, selection_context, training, self.past_embedding
        )
        if self.max_window_size is not None:
            past = past[:, -self.max_window_size :]
        if self.objective == "transformer":
            if state_h is not None:
                past = past + ops.expand_dims(state_h, 1)
            past = call_sublayer(self.past_positions, past, offset=-ops.shape(past)[1])
            memory = call_sublayer(self.encoder, past, training=training)
        else:
            state = None if state_h is None else [state_h, state_c]
            memory = call_sublayer(
                self.encoder, past, initial_state=state, training=training
            )
        memory = call_sublayer(self.memory_projection, memory)

        if future is not None:
            decoder, weights["future"] = self._select(
                self.future_selection,
                future_horizon,
                selection_context,
                training,
                self.future_embedding,
            )
        else:
            zeros = ops.zeros_like(past[:, :1, :])
            decoder = ops.repeat(zeros, self.forecast_horizon, axis=1)
        decoder = call_sublayer(self.decoder_projection, decoder)
        decoder = call_sublayer(self.future_positions, decoder)
        decoder = call_sublayer(
            self.static_enrichment,
            decoder,
            context=enrichment_context,
            training=training,
        )
        attention = {}
        for level, block in zip(
            self.attention_levels, self.attention_blocks, strict=True
        ):
            decoder, attention[level] = call_sublayer(
                block, decoder, memory, training=training
            )
        decoder = call_sublayer(self.position_wise, decoder, training=training)
        if self.final_agg == "last":
            summary = memory[:, -1:, :]
        else:
            summary = ops.mean(memory, axis=1, keepdims=True)
        summary = summary + ops.zeros_like(decoder)
        # The head goes through __call__: under mixed precision it has its
        # own (float32) policy and casts its inputs.
        outputs = self.head(ops.concatenate([decoder, summary], axis=-1))
        weights = {key: value for key, value in weights.items() if value is not None}
        return outputs, {"variable_selection": weights, "attention": attention}

    def call(self, inputs, training=None):
        inputs = array_checks.cast_inputs(inputs, self.compute_dtype)
        empty = array_checks.empty_prediction(self, inputs)
        if empty is not None:  # no sample (some backends' kernels refuse it)
            return ops.convert_to_tensor(empty)
        forward = self._compiled_forward
        if forward is not None and forward.applies_to(inputs):
            # An eager call, run as one compiled forward pass.
            return forward(inputs, training)
        static, dynamic, future = split_inputs(inputs, self)
        outputs, _ = self._forward(static, dynamic, future, training=training)
        return outputs

    # ------------------------------------------------------------ user API
    def fit(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.fit`, with array inputs and targets checked first.

        NaN or inf in an input or a target, targets whose shape is not
        `(batch, forecast_horizon, output_dim)` and zero samples raise a
        `ValueError`; integer inputs are cast (see
        `base_attentive.models.array_checks`). Datasets pass unchanged.
        """
        x, y = self._checked(x, y, "fit")
        validation = kwargs.get("validation_data")
        if isinstance(validation, tuple | list) and len(validation) >= 2:
            x_val, y_val = self._checked(validation[0], validation[1], "fit")
            kwargs["validation_data"] = (x_val, y_val, *validation[2:])
        return super().fit(x, y, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.evaluate`, with array inputs and targets checked as in
        `fit`."""
        x, y = self._checked(x, y, "evaluate")
        return super().evaluate(x, y, *args, **kwargs)

    def predict(self, x, *args, **kwargs):
        """`keras.Model.predict`, with array inputs checked first.

        NaN or inf in an input raise a `ValueError`; integer inputs are
        cast; zero samples give an empty array of the output's shape.
        """
        x = array_checks.check_inputs(self, x, "predict")
        empty = array_checks.empty_prediction(self, x)
        if empty is not None:
            return empty
        return super().predict(x, *args, **kwargs)

    def _checked(self, x, y, method):
        x = array_checks.check_inputs(self, x, method)
        array_checks.check_samples(x, method)
        return x, array_checks.check_targets(self, x, y, method)

    def explain(self, inputs):
        """Returns what drove the forecast, as NumPy arrays.

        Args:
            inputs: model inputs, as for ``call``.

        Returns:
            dict with
            ``"variable_selection"``: ``{"static": (B, S), "dynamic":
            (B, T', D'), "future": (B, H, F)}``: the VSN weights, summing to 1
            over the variables (keys present for the input groups the model
            has, none when ``use_vsn=False``). With ``mode="tft"`` the
            dynamic weights cover ``D + F`` variables (past dynamic, then
            past known-future); ``T'`` is the lookback
            (before ``max_window_size`` cropping).
            ``"attention"``: one entry per attention level, in order:
            ``"cross"`` `(B, H, L)`, ``"hierarchical"`` `(B, H, L + H)`,
            ``"memory"`` `(B, H, memory_size)`, averaged over heads; ``L``
            is the length of the encoder memory.
        """
        static, dynamic, future = split_inputs(inputs, self)
        tensors = [
            None if part is None else ops.convert_to_tensor(part, self.compute_dtype)
            for part in (static, dynamic, future)
        ]
        if not self.built:
            self(tensors)
        _, details = self._forward(*tensors, training=False)
        return keras.tree.map_structure(ops.convert_to_numpy, details)

    def compile(self, optimizer="adam", loss="auto", jit_compile="auto", **kwargs):
        """Configures training; ``loss="auto"`` picks the head's loss.

        ``"auto"``: pinball loss over the quantile levels for a quantile
        head, the negative log-likelihood for a distribution head, mean
        squared error for a point head (see `base_attentive.losses`).

        ``jit_compile`` is saved as given (see `get_compile_config`): the
        default ``"auto"`` is resolved again by the backend that loads the
        model (XLA on JAX, eager on PyTorch), not fixed by the saving one.
        Other arguments are those of `keras.Model.compile`.
        """
        if loss == "auto":
            from base_attentive.losses import get_default_loss

            loss = get_default_loss(
                quantiles=self.quantiles, distribution=self.distribution
            )
        super().compile(
            optimizer=optimizer, loss=loss, jit_compile=jit_compile, **kwargs
        )
        self._jit_compile_request = jit_compile

    def get_compile_config(self):
        """Returns the compile settings saved in a `.keras` file.

        As `keras.Model.get_compile_config`, except that ``jit_compile`` is
        the value given to `compile` (``"auto"`` by default) instead of the
        bool this backend resolved it to: a model saved on JAX (where
        ``"auto"`` means True) and loaded on PyTorch would otherwise turn on
        ``torch.compile``. Files saved before this keep their bool.
        """
        config = super().get_compile_config()
        if config and hasattr(self, "_jit_compile_request"):
            config["jit_compile"] = self._jit_compile_request
        return config

    def compile_from_config(self, config):
        """Restores the compile settings saved in a `.keras` file."""
        config = keras.saving.deserialize_keras_object(config)
        self.compile(**config)
        if self.built:
            self.optimizer.build(self.trainable_variables)

    def get_config(self):
        config = super().get_config()
        config.update({name: getattr(self, name) for name in ARGUMENTS})
        return config

    @classmethod
    def from_config(cls, config):
        """Rebuilds the model from `get_config`'s dict.

        Files saved by earlier versions may hold ``architecture_config``: a
        dict of some of the arguments above, which the constructor then took
        in place of those arguments' defaults (it refused conflicting
        values). Its keys are applied over the arguments here, so such files
        load into the same network.
        """
        config = dict(config)
        config.update(config.pop("architecture_config", None) or {})
        return cls(**config)
