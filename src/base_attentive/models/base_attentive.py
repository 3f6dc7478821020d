"""BaseAttentive: the attentive encoder-decoder forecasting model."""

import keras
from keras import ops

from base_attentive import layers as blocks
from base_attentive.layers.sublayer_call import call_sublayer
from base_attentive.models.architecture import (
    merge_architecture_config,
    validate_arguments,
)
from base_attentive.models.eager_jit import EagerJit
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
    JAX. On JAX an eager call (``model(x)`` on arrays) runs one compiled
    forward pass per input shape (`base_attentive.models.eager_jit.EagerJit`;
    ``jax.disable_jit()`` runs it operation by operation).

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
        architecture_config: dict or None; may set ``objective``,
            ``attention_levels``, ``use_vsn``, ``scales``,
            ``multi_scale_agg``, ``final_agg``, ``num_encoder_layers``,
            ``use_residuals``, ``use_batch_norm`` in one place. A key replaces
            the argument's default; an explicit argument with a different
            value raises.
        distribution: None, ``"normal"`` or ``"student_t"``: a distribution
            head giving `(B, H, P, O)` parameters (``P`` = 2: loc, scale; 3
            for Student-t: loc, scale, df > 2). Exclusive with ``quantiles``.

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
    >>> model(x).shape
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
        architecture_config=None,
        distribution=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        given = {
            key: value
            for key, value in locals().items()
            if key not in ("self", "kwargs", "__class__")
        }
        self._given = dict(given)
        arch = validate_arguments(merge_architecture_config(given, architecture_config))
        self._arch = arch
        for key, value in given.items():
            setattr(self, key, value)
        self._build_blocks(arch)
        self._eager_jit = EagerJit(self) if keras.backend.backend() == "jax" else None

    def _build_blocks(self, a):
        policy = self.dtype_policy
        grn_args = dict(
            dropout_rate=a["dropout_rate"],
            activation=a["activation"],
            use_residuals=a["use_residuals"],
            use_batch_norm=a["use_batch_norm"],
            dtype=policy,
        )
        embed = a["embed_dim"]
        transformer = a["objective"] == "transformer"

        def selector(name):
            if a["use_vsn"]:
                return blocks.VariableSelectionNetwork(
                    embed, hidden_units=a["vsn_units"], name=name, **grn_args
                )
            return keras.layers.Dense(embed, dtype=policy, name=name)

        has_future = a["future_input_dim"] > 0
        self.static_selection = selector("static_selection")
        self.past_selection = selector("past_selection")
        self.future_selection = selector("future_selection") if has_future else None
        self.static_encoder = None
        if a["static_input_dim"] > 0:
            # The transformer encoder uses no cell-state context: no GRN for
            # it (its weights would get no gradient). Leaving out the last
            # context keeps the saved positions of the others.
            # Without VSNs nothing reads the selection context: no GRN for it.
            contexts = ["selection"] if a["use_vsn"] else []
            contexts += ["enrichment", "state_h"]
            if not transformer:
                contexts.append("state_c")
            self.static_encoder = blocks.StaticCovariateEncoder(
                a["hidden_units"],
                state_units=embed if transformer else a["lstm_units"],
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
                a["num_encoder_layers"],
                a["num_heads"],
                a["hidden_units"],
                name="transformer_encoder",
                **grn_args,
            )
        else:
            self.encoder = blocks.MultiScaleLSTM(
                a["lstm_units"],
                scales=a["scales"],
                num_layers=a["num_encoder_layers"],
                aggregation=a["multi_scale_agg"],
                dropout_rate=a["dropout_rate"],
                dtype=policy,
                name="multi_scale_lstm",
            )
        units = a["attention_units"]
        self.memory_projection = keras.layers.Dense(units, dtype=policy, name="memory")
        self.decoder_projection = keras.layers.Dense(
            units, dtype=policy, name="decoder_projection"
        )
        self.static_enrichment = blocks.GatedResidualNetwork(
            a["hidden_units"], output_units=units, name="static_enrichment", **grn_args
        )
        level_args = dict(
            dropout_rate=a["dropout_rate"],
            use_residuals=a["use_residuals"],
            use_batch_norm=a["use_batch_norm"],
            dtype=policy,
        )
        self.attention_blocks = []
        for level in a["attention_levels"]:
            if level == "memory":
                level_args_for = dict(level_args, memory_size=a["memory_size"])
            else:
                level_args_for = level_args
            self.attention_blocks.append(
                ATTENTION_LAYERS[level](
                    num_heads=a["num_heads"],
                    units=units,
                    name=f"{level}_attention",
                    **level_args_for,
                )
            )
        self.position_wise = blocks.GatedResidualNetwork(
            a["hidden_units"], output_units=units, name="position_wise", **grn_args
        )
        # Under mixed precision the head computes in float32, so forecasts
        # and losses keep full precision; otherwise it follows the model.
        mixed = policy.compute_dtype != policy.variable_dtype
        head_args = dict(name="head", dtype="float32" if mixed else policy)
        if a["distribution"] is not None:
            self.head = blocks.DistributionHead(
                a["distribution"], a["output_dim"], **head_args
            )
        elif a["quantiles"] is not None:
            self.head = blocks.QuantileHead(
                a["quantiles"], a["output_dim"], **head_args
            )
        else:
            self.head = blocks.PointHead(a["output_dim"], **head_args)

    # ------------------------------------------------------------------ build
    def build(self, input_shape):
        static, dynamic, future = split_input_shapes(input_shape, self._arch)
        symbolic = [
            None
            if shape is None
            else keras.KerasTensor(shape, dtype=self.compute_dtype)
            for shape in (static, dynamic, future)
        ]
        self._forward(*symbolic, training=False)
        self.built = True

    # ---------------------------------------------------------------- forward
    def _select(self, selector, inputs, context, training):
        if self._arch["use_vsn"]:
            return call_sublayer(selector, inputs, context=context, training=training)
        return call_sublayer(selector, inputs), None

    def _forward(self, static, dynamic, future, training=None):
        a = self._arch
        weights = {}
        lookback = ops.shape(dynamic)[1]
        future_past = future_horizon = future
        if future is not None and a["mode"] == "tft":
            future_past, future_horizon = future[:, :lookback], future[:, lookback:]
        selection_context = enrichment_context = state_h = state_c = None
        if static is not None:
            static_embedding, weights["static"] = self._select(
                self.static_selection, static, None, training
            )
            contexts = call_sublayer(
                self.static_encoder, static_embedding, training=training
            )
            contexts = dict(zip(self.static_encoder.contexts, contexts, strict=True))
            selection_context = contexts.get("selection")
            enrichment_context = contexts["enrichment"]
            state_h, state_c = contexts["state_h"], contexts.get("state_c")
        past = dynamic
        if future is not None and a["mode"] == "tft":
            past = ops.concatenate([dynamic, ops.cast(future_past, dynamic.dtype)], -1)
        past, weights["dynamic"] = self._select(
            self.past_selection, past, selection_context, training
        )
        if a["max_window_size"] is not None:
            past = past[:, -a["max_window_size"] :]
        if a["objective"] == "transformer":
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
                self.future_selection, future_horizon, selection_context, training
            )
        else:
            zeros = ops.zeros_like(past[:, :1, :])
            decoder = ops.repeat(zeros, a["forecast_horizon"], axis=1)
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
            a["attention_levels"], self.attention_blocks, strict=True
        ):
            decoder, attention[level] = call_sublayer(
                block, decoder, memory, training=training
            )
        decoder = call_sublayer(self.position_wise, decoder, training=training)
        if a["final_agg"] == "last":
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
        if self._eager_jit is not None and self._eager_jit.applies_to(inputs):
            # Eager call on JAX: one compiled forward pass (see EagerJit).
            return self._eager_jit(inputs, training)
        static, dynamic, future = split_inputs(inputs, self._arch)
        outputs, _ = self._forward(static, dynamic, future, training=training)
        return outputs

    # ------------------------------------------------------------ user API
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
        static, dynamic, future = split_inputs(inputs, self._arch)
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
                quantiles=self._arch["quantiles"],
                distribution=self._arch["distribution"],
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
        config.update(self._given)
        return config
