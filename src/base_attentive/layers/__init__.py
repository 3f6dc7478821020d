"""Building blocks of BaseAttentive, one per module (TFT vocabulary).

Importing this package imports Keras. The backend is resolved first, so an
invalid backend variable raises its own clear ``ValueError`` here (not
Keras' import error), and `check_keras_backend` raises if Keras already
runs a different backend than the one requested.
"""

from base_attentive.backend import check_keras_backend
from base_attentive.backend.resolution import configure_keras_backend_env

configure_keras_backend_env()

import keras  # noqa: E402  (loaded after KERAS_BACKEND is written)

check_keras_backend()

from base_attentive.layers.attention_level import AttentionLevel  # noqa: E402
from base_attentive.layers.categorical_embedding import (  # noqa: E402
    CategoricalEmbedding,
)
from base_attentive.layers.cross_attention import CrossAttention  # noqa: E402
from base_attentive.layers.distribution_head import DistributionHead  # noqa: E402
from base_attentive.layers.fused_lstm import FusedLSTM  # noqa: E402
from base_attentive.layers.gate_add_norm import GateAddNorm  # noqa: E402
from base_attentive.layers.gated_linear_unit import GatedLinearUnit  # noqa: E402
from base_attentive.layers.gated_residual_network import (  # noqa: E402
    GatedResidualNetwork,
)
from base_attentive.layers.hierarchical_attention import (  # noqa: E402
    HierarchicalAttention,
)
from base_attentive.layers.interpretable_multi_head_attention import (  # noqa: E402
    InterpretableMultiHeadAttention,
)
from base_attentive.layers.memory_augmented_attention import (  # noqa: E402
    MemoryAugmentedAttention,
)
from base_attentive.layers.multi_scale_lstm import MultiScaleLSTM  # noqa: E402
from base_attentive.layers.one_hot_dropout import OneHotDropout  # noqa: E402
from base_attentive.layers.point_head import PointHead  # noqa: E402
from base_attentive.layers.positional_encoding import PositionalEncoding  # noqa: E402
from base_attentive.layers.quantile_head import QuantileHead  # noqa: E402
from base_attentive.layers.static_covariate_encoder import (  # noqa: E402
    StaticCovariateEncoder,
)
from base_attentive.layers.transformer_encoder import TransformerEncoder  # noqa: E402
from base_attentive.layers.variable_selection_network import (  # noqa: E402
    VariableSelectionNetwork,
)

# Files saved by earlier versions name their dropout layers
# "base_attentive>Dropout", a former subclass of `keras.layers.Dropout` that
# only drew its masks differently on JAX: they load as `keras.layers.Dropout`.
keras.saving.get_custom_objects()["base_attentive>Dropout"] = keras.layers.Dropout

__all__ = [
    "AttentionLevel",
    "CategoricalEmbedding",
    "CrossAttention",
    "DistributionHead",
    "FusedLSTM",
    "GateAddNorm",
    "GatedLinearUnit",
    "GatedResidualNetwork",
    "HierarchicalAttention",
    "InterpretableMultiHeadAttention",
    "MemoryAugmentedAttention",
    "MultiScaleLSTM",
    "OneHotDropout",
    "PointHead",
    "PositionalEncoding",
    "QuantileHead",
    "StaticCovariateEncoder",
    "TransformerEncoder",
    "VariableSelectionNetwork",
]
