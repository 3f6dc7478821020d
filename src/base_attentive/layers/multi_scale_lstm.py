"""Multi-scale LSTM encoder: one LSTM stack per temporal stride."""

import keras
from keras import ops

from base_attentive.layers.fused_lstm import FusedLSTM
from base_attentive.layers.sublayer_call import call_sublayer

MULTI_SCALE_AGGREGATIONS = ("last", "average", "sum", "concat")


@keras.saving.register_keras_serializable(package="base_attentive")
class MultiScaleLSTM(keras.layers.Layer):
    """Encodes a sequence at several temporal resolutions.

    For each scale ``s`` the sequence is subsampled with stride ``s``,
    anchored at the most recent step (steps ``T-1, T-1-s, ...``, so the
    latest observation is always seen), and read by its own stack of
    ``num_layers`` LSTMs. The per-scale outputs are aggregated by
    ``aggregation``:

    - ``"last"``: at every step ``t``, the latest state of each scale, side
      by side: `(B, T, n_scales * u)`.
    - ``"average"`` / ``"sum"``: the same per-step states averaged / summed
      over scales: `(B, T, u)`.
    - ``"concat"``: the scales' output sequences joined along time:
      `(B, sum_s ceil(T / s), u)`.

    The per-step states of a coarse scale are obtained by holding each
    strided output over the ``s`` steps it summarises (the output at step
    ``t_k`` covers ``t_k - s + 1 .. t_k``), so no zero padding is involved;
    with the single scale ``[1]`` all aggregations give the LSTM outputs.

    Args:
        units: int, LSTM width ``u``.
        scales: list of distinct ints >= 1 (default ``[1]``).
        num_layers: int >= 1, stacked LSTMs per scale.
        aggregation: one of ``"last"``, ``"average"``, ``"sum"``,
            ``"concat"``.
        dropout_rate: float in [0, 1), dropout between stacked LSTMs.

    Call arguments:
        inputs: tensor `(B, T, d)`.
        initial_state: optional list ``[h, c]`` of `(B, units)` tensors
            (static context), used by the first LSTM of every scale.
        training: bool.

    Returns:
        The aggregated sequence described above.

    Example:
    >>> enc = MultiScaleLSTM(8, scales=[1, 3], aggregation="concat")
    >>> tuple(enc(np.zeros((2, 7, 4))).shape)
    (2, 10, 8)
    """

    def __init__(
        self,
        units,
        scales=None,
        num_layers=1,
        aggregation="last",
        dropout_rate=0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if aggregation not in MULTI_SCALE_AGGREGATIONS:
            raise ValueError(
                f"`aggregation` must be one of {MULTI_SCALE_AGGREGATIONS}. "
                f"Received: aggregation={aggregation!r}"
            )
        self.units = units
        self.scales = list(scales) if scales else [1]
        self.num_layers = num_layers
        self.aggregation = aggregation
        self.dropout_rate = dropout_rate
        # Flat list, scale-major: lstms[i * num_layers + depth].
        self.lstms = [
            FusedLSTM(
                units,
                return_sequences=True,
                dtype=self.dtype_policy,
                name=f"lstm_scale{scale}_layer{depth}",
            )
            for scale in self.scales
            for depth in range(num_layers)
        ]
        self.dropout = keras.layers.Dropout(dropout_rate, dtype=self.dtype_policy)

    def _stack(self, index):
        return self.lstms[index * self.num_layers : (index + 1) * self.num_layers]

    def build(self, inputs_shape, initial_state_shape=None):
        for index in range(len(self.scales)):
            stack = self._stack(index)
            shape = tuple(inputs_shape)
            for lstm in stack:
                lstm.build(shape)
                shape = shape[:-1] + (self.units,)
        self.built = True

    def _encode_scale(self, inputs, scale, stack, initial_state, training):
        sequence = inputs
        if scale > 1:
            sequence = ops.flip(ops.flip(inputs, axis=1)[:, ::scale], axis=1)
        for depth, lstm in enumerate(stack):
            if depth:
                sequence = call_sublayer(self.dropout, sequence, training=training)
            state = initial_state if depth == 0 else None
            sequence = call_sublayer(
                lstm, sequence, initial_state=state, training=training
            )
        return sequence

    def _hold_to_full_length(self, sequence, scale, length):
        if scale == 1:
            return sequence
        first = (length - 1) % scale
        held = ops.repeat(sequence, scale, axis=1)
        return held[:, scale - 1 - first :]

    def call(self, inputs, initial_state=None, training=None):
        outputs = [
            self._encode_scale(inputs, scale, self._stack(i), initial_state, training)
            for i, scale in enumerate(self.scales)
        ]
        if self.aggregation == "concat":
            return ops.concatenate(outputs, axis=1)
        length = ops.shape(inputs)[1]
        held = [
            self._hold_to_full_length(out, scale, length)
            for out, scale in zip(outputs, self.scales, strict=True)
        ]
        if self.aggregation == "last":
            return ops.concatenate(held, axis=-1)
        total = held[0]
        for other in held[1:]:
            total = total + other
        if self.aggregation == "average":
            total = total / ops.cast(len(held), total.dtype)
        return total

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "scales": self.scales,
                "num_layers": self.num_layers,
                "aggregation": self.aggregation,
                "dropout_rate": self.dropout_rate,
            }
        )
        return config
