import numpy as np
from keras import ops

from base_attentive.layers import InterpretableMultiHeadAttention
from tests.helpers import run_layer_test


def test_imha_standard_checks(tmp_path, rng):
    run_layer_test(
        InterpretableMultiHeadAttention,
        {"num_heads": 2, "key_dim": 4, "dropout_rate": 0.1},
        [
            rng.normal(size=(3, 4, 8)).astype("float32"),
            rng.normal(size=(3, 6, 8)).astype("float32"),
        ],
        ((3, 4, 8), (3, 4, 6)),
        tmp_path,
    )


def test_imha_weights_sum_to_one_and_respect_mask(rng):
    layer = InterpretableMultiHeadAttention(num_heads=2, key_dim=4)
    query = rng.normal(size=(2, 3, 8)).astype("float32")
    value = rng.normal(size=(2, 5, 8)).astype("float32")
    mask = np.ones((3, 5), dtype=bool)
    mask[:, 3:] = False
    _, weights = layer(query, value, attention_mask=mask)
    weights = ops.convert_to_numpy(weights)
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    assert np.abs(weights[..., 3:]).max() < 1e-6


def test_imha_output_is_weights_times_shared_values(rng):
    layer = InterpretableMultiHeadAttention(num_heads=4, key_dim=2)
    query = rng.normal(size=(1, 3, 8)).astype("float32")
    value = rng.normal(size=(1, 5, 8)).astype("float32")
    outputs, weights = layer(query, value)
    values = layer.value_dense(value)
    expected = layer.output_dense(ops.matmul(weights, values))
    np.testing.assert_allclose(
        ops.convert_to_numpy(outputs), ops.convert_to_numpy(expected), atol=1e-5
    )


def test_imha_value_shared_by_the_batch_equals_the_tiled_value(rng):
    # A (1, Tk, d) value (the memory level's learned slots) is projected
    # once and broadcast: same outputs and weights as B explicit copies.
    layer = InterpretableMultiHeadAttention(num_heads=2, key_dim=4)
    query = rng.normal(size=(3, 4, 8)).astype("float32")
    shared = rng.normal(size=(1, 6, 8)).astype("float32")
    outputs, weights = layer(query, shared)
    tiled_outputs, tiled_weights = layer(query, np.repeat(shared, 3, axis=0))
    assert tuple(outputs.shape) == (3, 4, 8)
    assert tuple(weights.shape) == (3, 4, 6)
    np.testing.assert_allclose(
        ops.convert_to_numpy(outputs), ops.convert_to_numpy(tiled_outputs), atol=1e-6
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(weights), ops.convert_to_numpy(tiled_weights), atol=1e-6
    )
