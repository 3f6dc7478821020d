"""Cross, hierarchical and memory-augmented attention (one file each in src)."""

import numpy as np
import pytest
from keras import ops

from base_attentive.layers import (
    CrossAttention,
    HierarchicalAttention,
    MemoryAugmentedAttention,
)
from tests.helpers import run_layer_test


@pytest.mark.parametrize(
    "layer_cls, extra, keys",
    [
        (CrossAttention, {}, 6),
        (HierarchicalAttention, {}, 6 + 4),
        (MemoryAugmentedAttention, {"memory_size": 5}, 5),
    ],
)
def test_attention_level_standard_checks(tmp_path, rng, layer_cls, extra, keys):
    run_layer_test(
        layer_cls,
        {"num_heads": 2, "units": 8, "dropout_rate": 0.1, **extra},
        [
            rng.normal(size=(3, 4, 8)).astype("float32"),
            rng.normal(size=(3, 6, 8)).astype("float32"),
        ],
        ((3, 4, 8), (3, 4, keys)),
        tmp_path,
    )


def test_hierarchical_attention_never_looks_ahead(rng):
    layer = HierarchicalAttention(num_heads=2, units=8, use_residuals=True)
    decoder = rng.normal(size=(2, 5, 8)).astype("float32")
    encoded = rng.normal(size=(2, 7, 8)).astype("float32")
    outputs, weights = layer(decoder, encoded)
    changed = decoder.copy()
    changed[:, 3:] += 5.0
    outputs_changed, _ = layer(changed, encoded)
    # Steps 0..2 cannot see steps 3..4.
    np.testing.assert_allclose(
        ops.convert_to_numpy(outputs)[:, :3],
        ops.convert_to_numpy(outputs_changed)[:, :3],
        atol=1e-5,
    )
    weights = ops.convert_to_numpy(weights)
    for step in range(5):
        assert np.abs(weights[:, step, 7 + step + 1 :]).max(initial=0) < 1e-6


def test_memory_attention_reads_learned_memory(rng):
    layer = MemoryAugmentedAttention(memory_size=3, num_heads=2, units=8)
    decoder = rng.normal(size=(2, 4, 8)).astype("float32")
    encoded = rng.normal(size=(2, 6, 8)).astype("float32")
    before = ops.convert_to_numpy(layer(decoder, encoded)[0])
    # The encoder memory is not what this level reads ...
    same = ops.convert_to_numpy(layer(decoder, encoded * 3.0)[0])
    np.testing.assert_allclose(before, same, atol=1e-6)
    # ... the learned slots are.
    layer.memory.assign(layer.memory * 3.0)
    after = ops.convert_to_numpy(layer(decoder, encoded)[0])
    assert not np.allclose(before, after)


def test_attention_level_rejects_heads_not_dividing_units():
    with pytest.raises(
        ValueError, match="num_heads.*must divide.*num_heads=3, units=8"
    ):
        CrossAttention(num_heads=3, units=8)
