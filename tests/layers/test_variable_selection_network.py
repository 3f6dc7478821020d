import warnings

import numpy as np
from keras import ops

from base_attentive.layers import VariableSelectionNetwork
from tests.helpers import run_layer_test


def test_vsn_standard_checks(tmp_path, rng):
    run_layer_test(
        VariableSelectionNetwork,
        {"units": 8, "hidden_units": 6, "dropout_rate": 0.1},
        [rng.normal(size=(4, 7, 5)).astype("float32")],
        ((4, 7, 8), (4, 7, 5)),
        tmp_path,
    )


def test_vsn_weights_are_a_distribution_over_variables(rng):
    vsn = VariableSelectionNetwork(8)
    x = rng.normal(size=(3, 6, 5)).astype("float32")
    context = rng.normal(size=(3, 4)).astype("float32")
    _, weights = vsn(x, context=context)
    weights = ops.convert_to_numpy(weights)
    assert weights.shape == (3, 6, 5)
    assert (weights >= 0).all()
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)


def test_vsn_selects_per_sample(rng):
    vsn = VariableSelectionNetwork(8)
    x = rng.normal(size=(16, 5)).astype("float32") * 3
    _, weights = vsn(x)
    weights = ops.convert_to_numpy(weights)
    assert weights.std(axis=0).max() > 1e-4


def test_vsn_of_one_variable_gives_it_weight_one_without_a_warning(rng):
    vsn = VariableSelectionNetwork(8)
    x = rng.normal(size=(3, 6, 1)).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outputs, weights = vsn(x, context=rng.normal(size=(3, 4)).astype("float32"))
    np.testing.assert_array_equal(ops.convert_to_numpy(weights), 1.0)
    assert tuple(outputs.shape) == (3, 6, 8)
