"""Static covariate encoder of the TFT: up to four context vectors."""

import keras

from base_attentive.layers.gated_block import GatedBlock
from base_attentive.layers.gated_residual_network import GatedResidualNetwork
from base_attentive.layers.sublayer_call import call_sublayer

# The context vectors, in the order they are built and returned.
STATIC_CONTEXTS = ("selection", "enrichment", "state_h", "state_c")


@keras.saving.register_keras_serializable(package="base_attentive")
class StaticCovariateEncoder(GatedBlock):
    """Turns the selected static embedding into context vectors.

    Following Lim et al. 2021 (section 4.3): ``c_s`` conditions temporal
    variable selection, ``c_e`` enriches the decoder features, and
    ``c_h``, ``c_c`` initialise the encoder state (for the LSTM encoder; the
    transformer encoder adds ``c_h`` to its inputs and uses no ``c_c``).
    Each context is a `GatedResidualNetwork`; only the ones in ``contexts``
    are built, so a model does not carry weights that get no gradient.

    Args:
        units: int, width of ``c_s`` and ``c_e``.
        state_units: int, width of ``c_h`` and ``c_c``.
        contexts: list of the contexts to build, from ``"selection"``
            (``c_s``), ``"enrichment"`` (``c_e``), ``"state_h"`` (``c_h``),
            ``"state_c"`` (``c_c``). Default None: all four.
        dropout_rate, activation, use_residuals, use_batch_norm: as for
            `GatedResidualNetwork`.

    Call arguments:
        inputs: static embedding `(B, d)`.
        training: bool.

    Returns:
        Tuple of one tensor per built context, in the order ``selection``,
        ``enrichment``, ``state_h``, ``state_c`` (whatever the order given):
        `(B, units)` for ``c_s`` and ``c_e``, `(B, state_units)` for ``c_h``
        and ``c_c``. With the default ``contexts``:
        ``(c_selection, c_enrichment, c_state_h, c_state_c)``.
    """

    def __init__(
        self,
        units,
        state_units,
        contexts=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.state_units = state_units
        self.contexts = _validate_contexts(contexts)
        widths = {
            "selection": units,
            "enrichment": units,
            "state_h": state_units,
            "state_c": state_units,
        }
        # Keras saves the GRNs of this list by position (class name and
        # index), so contexts are always built in STATIC_CONTEXTS order.
        self.context_grns = [
            GatedResidualNetwork(
                units,
                output_units=widths[name],
                name=f"{name}_grn",
                **self.grn_options,
            )
            for name in self.contexts
        ]

    def build(self, input_shape):
        for grn in self.context_grns:
            grn.build(input_shape)
        self.built = True

    def call(self, inputs, training=None):
        return tuple(
            call_sublayer(grn, inputs, training=training) for grn in self.context_grns
        )

    def compute_output_shape(self, input_shape):
        batch = input_shape[0]
        widths = {
            "selection": self.units,
            "enrichment": self.units,
            "state_h": self.state_units,
            "state_c": self.state_units,
        }
        return tuple((batch, widths[name]) for name in self.contexts)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "state_units": self.state_units,
                "contexts": list(self.contexts),
            }
        )
        return config


def _validate_contexts(contexts):
    """Returns the requested contexts as a tuple in ``STATIC_CONTEXTS`` order."""
    if contexts is None:
        return STATIC_CONTEXTS
    if isinstance(contexts, str) or not isinstance(contexts, (list, tuple)):
        raise ValueError(
            "`contexts` must be a list of context names from "
            f"{STATIC_CONTEXTS}. Received: contexts={contexts!r}"
        )
    unknown = [name for name in contexts if name not in STATIC_CONTEXTS]
    if unknown:
        raise ValueError(
            f"`contexts` entries must be one of {STATIC_CONTEXTS}; unknown: "
            f"{unknown}. Received: contexts={list(contexts)!r}"
        )
    if len(set(contexts)) != len(contexts):
        raise ValueError(
            "`contexts` must name each context at most once (without repeats). "
            f"Received: contexts={list(contexts)!r}"
        )
    if not contexts:
        raise ValueError(
            f"`contexts` must name at least one of {STATIC_CONTEXTS}. "
            f"Received: contexts={list(contexts)!r}"
        )
    return tuple(name for name in STATIC_CONTEXTS if name in contexts)
