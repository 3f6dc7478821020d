import numpy as np
import pytest
from keras import ops

from base_attentive.layers import GateAddNorm, GatedLinearUnit, GatedResidualNetwork
from tests.helpers import run_layer_test


def test_grn_standard_checks(tmp_path, rng):
    run_layer_test(
        GatedResidualNetwork,
        {"units": 8, "output_units": 6, "dropout_rate": 0.1, "activation": "relu"},
        [rng.normal(size=(4, 5, 3)).astype("float32")],
        (4, 5, 6),
        tmp_path,
    )


def test_grn_with_context_standard_checks(tmp_path, rng):
    run_layer_test(
        GatedResidualNetwork,
        {"units": 8},
        [
            rng.normal(size=(4, 5, 8)).astype("float32"),
            rng.normal(size=(4, 3)).astype("float32"),
        ],
        (4, 5, 8),
        tmp_path,
    )


def test_grn_context_changes_output(rng):
    grn = GatedResidualNetwork(8)
    x = rng.normal(size=(2, 5, 8)).astype("float32")
    c1 = rng.normal(size=(2, 3)).astype("float32")
    out1 = ops.convert_to_numpy(grn(x, context=c1))
    out2 = ops.convert_to_numpy(grn(x, context=c1 + 1.0))
    assert not np.allclose(out1, out2)


@pytest.mark.parametrize("use_residuals", [True, False])
def test_grn_residual_flag_changes_output(rng, use_residuals):
    x = rng.normal(size=(2, 8)).astype("float32")
    with_skip = GatedResidualNetwork(8, use_residuals=True)
    without = GatedResidualNetwork(8, use_residuals=False)
    with_skip(x), without(x)
    without.set_weights(with_skip.get_weights())
    a = ops.convert_to_numpy(with_skip(x))
    b = ops.convert_to_numpy(without(x))
    assert not np.allclose(a, b)


def test_glu_standard_checks(tmp_path, rng):
    run_layer_test(
        GatedLinearUnit,
        {"units": 4, "dropout_rate": 0.2},
        [rng.normal(size=(3, 6)).astype("float32")],
        (3, 4),
        tmp_path,
    )


def test_gate_add_norm_batch_norm_standard_checks(tmp_path, rng):
    run_layer_test(
        GateAddNorm,
        {"units": 4, "use_batch_norm": True},
        [
            rng.normal(size=(3, 5, 6)).astype("float32"),
            rng.normal(size=(3, 5, 4)).astype("float32"),
        ],
        (3, 5, 4),
        tmp_path,
    )


def test_context_after_a_build_without_context_is_a_clear_error(rng):
    grn = GatedResidualNetwork(4)
    x = rng.normal(size=(2, 3)).astype("float32")
    grn(x)
    assert grn.context_projection is None  # no weights that get no gradient
    with pytest.raises(ValueError, match="built without a context"):
        grn(x, context=rng.normal(size=(2, 5)).astype("float32"))
