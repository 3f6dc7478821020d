"""Categorical embeddings, alone and inside the variable selection network."""

import numpy as np
import pytest
from keras import ops

from base_attentive.layers import CategoricalEmbedding, VariableSelectionNetwork
from tests.helpers import run_layer_test


def _numpy(values):
    return ops.convert_to_numpy(values)


def test_embedding_splits_real_variables_from_embedded_codes(rng):
    layer = CategoricalEmbedding([0, 4, 0, 3], units=5)
    x = np.array([[0.5, 2.0, -1.0, 1.0], [1.5, 3.0, 2.0, 2.0]], "float32")
    real, embedded = layer(x)
    np.testing.assert_array_equal(_numpy(real), x[:, [0, 2]])
    assert [tuple(e.shape) for e in embedded] == [(2, 5), (2, 5)]
    tables = [_numpy(table) for table in layer.tables]
    np.testing.assert_allclose(_numpy(embedded[0]), tables[0][[2, 3]])
    np.testing.assert_allclose(_numpy(embedded[1]), tables[1][[1, 2]])


def test_real_variables_keep_their_order_around_the_categories():
    layer = CategoricalEmbedding([0, 0, 4, 0, 0, 0], units=2)
    x = np.arange(12, dtype="float32").reshape(2, 6)
    real, _ = layer(x)
    np.testing.assert_array_equal(_numpy(real), x[:, [0, 1, 3, 4, 5]])


def test_unknown_and_out_of_range_codes_share_the_zero_unknown_row():
    layer = CategoricalEmbedding([3], units=4)
    _, embedded = layer(np.array([[0.0], [7.0], [-2.0], [1.0]], "float32"))
    values = _numpy(embedded[0])
    np.testing.assert_array_equal(values[:3], 0.0)  # unknown row starts at 0
    assert np.abs(values[3]).sum() > 0


def test_embedding_works_on_sequences(rng):
    layer = CategoricalEmbedding([2, 0], units=3)
    x = np.stack([rng.integers(0, 2, (4, 6)), rng.normal(size=(4, 6))], -1)
    real, embedded = layer(x.astype("float32"))
    assert tuple(real.shape) == (4, 6, 1) and tuple(embedded[0].shape) == (4, 6, 3)


@pytest.mark.parametrize("unknown_rate", [0.0, 0.2])
def test_vsn_with_categories_standard_checks(tmp_path, rng, unknown_rate):
    x = np.concatenate(
        [rng.normal(size=(4, 7, 2)), rng.integers(0, 5, (4, 7, 1))], -1
    ).astype("float32")
    run_layer_test(
        VariableSelectionNetwork,
        {
            "units": 8,
            "hidden_units": 6,
            "cardinalities": [0, 0, 5],
            "unknown_rate": unknown_rate,
        },
        [x],
        ((4, 7, 8), (4, 7, 3)),
        tmp_path,
    )


def test_vsn_gives_each_categorical_variable_one_selection_weight(rng):
    vsn = VariableSelectionNetwork(8, cardinalities=[6, 0, 9])
    x = np.stack(
        [rng.integers(0, 6, 10), rng.normal(size=10), rng.integers(0, 9, 10)], -1
    ).astype("float32")
    outputs, weights = vsn(x)
    weights = _numpy(weights)
    assert weights.shape == (10, 3)
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    changed = x.copy()
    changed[:, 0] = (changed[:, 0] % 5) + 1  # other known categories
    assert not np.allclose(_numpy(vsn(changed)[0]), _numpy(outputs), atol=1e-6)


def test_vsn_over_categorical_variables_only(rng):
    vsn = VariableSelectionNetwork(4, cardinalities=[3, 3])
    outputs, weights = vsn(rng.integers(0, 3, (5, 2)).astype("float32"))
    assert tuple(outputs.shape) == (5, 4) and tuple(weights.shape) == (5, 2)


@pytest.mark.parametrize(
    "cardinalities, error, message",
    [([0, 1], ValueError, "2 codes"), ([0, -3], TypeError, "ints >= 0")],
)
def test_invalid_cardinalities_are_rejected(cardinalities, error, message):
    with pytest.raises(error, match=message):
        CategoricalEmbedding(cardinalities, units=4)


def test_cardinalities_must_match_the_variables(rng):
    with pytest.raises(ValueError, match="one entry per variable"):
        VariableSelectionNetwork(4, cardinalities=[0, 3])(
            rng.normal(size=(2, 3)).astype("float32")
        )


def test_unknown_rate_replaces_codes_by_the_unknown_code_in_training_only():
    layer = CategoricalEmbedding([5], units=3, unknown_rate=0.3, seed=1)
    x = np.full((4000, 1), 2.0, "float32")
    layer(x)  # builds
    table = _numpy(layer.tables[0])
    # Mark the rows apart: the unknown row 0 and the row of code 2.
    layer.tables[0].assign(np.where(np.arange(5)[:, None] == 2, 1.0, table * 0))
    _, (trained,) = layer(x, training=True)
    unknown = (_numpy(trained) == 0.0).all(axis=1)
    assert 0.25 < unknown.mean() < 0.35  # about 30% became the unknown code
    _, (inferred,) = layer(x, training=False)
    np.testing.assert_array_equal(_numpy(inferred), 1.0)  # never at inference
    _, (again,) = layer(x, training=True)
    assert not np.array_equal(_numpy(again), _numpy(trained))  # new draws


@pytest.mark.parametrize("rate", [-0.1, 1.0, float("nan")])
def test_unknown_rate_must_be_a_probability_below_one(rate):
    with pytest.raises(ValueError, match=r"`unknown_rate` must be in \[0, 1\)"):
        CategoricalEmbedding([3], units=2, unknown_rate=rate)
