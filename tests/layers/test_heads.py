"""Point, quantile and distribution heads."""

import numpy as np
import pytest
from keras import ops

from base_attentive.layers import DistributionHead, PointHead, QuantileHead
from tests.helpers import run_layer_test


def test_point_head_standard_checks(tmp_path, rng):
    run_layer_test(
        PointHead,
        {"output_dim": 2},
        [rng.normal(size=(3, 4, 8)).astype("float32")],
        (3, 4, 2),
        tmp_path,
    )


def test_quantile_head_standard_checks(tmp_path, rng):
    run_layer_test(
        QuantileHead,
        {"quantiles": [0.1, 0.5, 0.9], "output_dim": 2},
        [rng.normal(size=(3, 4, 8)).astype("float32")],
        (3, 4, 3, 2),
        tmp_path,
    )


@pytest.mark.parametrize("levels", [[0.1, 0.5, 0.9], [0.05, 0.2, 0.3, 0.7], [0.6]])
def test_quantiles_never_cross_for_any_weights(rng, levels):
    head = QuantileHead(levels, output_dim=3)
    x = rng.normal(size=(64, 5, 8)).astype("float32") * 10
    head(x)
    for _ in range(3):
        head.set_weights([rng.normal(size=w.shape) * 5 for w in head.get_weights()])
        q = ops.convert_to_numpy(head(x))
        assert q.shape == (64, 5, len(levels), 3)
        assert (np.diff(q, axis=2) >= 0).all()


def test_interval_width_depends_on_inputs(rng):
    head = QuantileHead([0.1, 0.5, 0.9], output_dim=1)
    q = ops.convert_to_numpy(head(rng.normal(size=(32, 4, 8)).astype("float32")))
    width = q[:, :, 2] - q[:, :, 0]
    assert width.std() > 1e-3


@pytest.mark.parametrize(
    "distribution, params",
    [("normal", 2), ("student_t", 3), ("negative_binomial", 2), ("log_normal", 2)],
)
def test_distribution_head_standard_checks(tmp_path, rng, distribution, params):
    run_layer_test(
        DistributionHead,
        {"distribution": distribution, "output_dim": 2},
        [rng.normal(size=(3, 4, 8)).astype("float32")],
        (3, 4, params, 2),
        tmp_path,
    )


def test_distribution_parameters_are_valid(rng):
    head = DistributionHead("student_t", output_dim=2)
    x = rng.normal(size=(16, 4, 8)).astype("float32") * 50
    out = ops.convert_to_numpy(head(x))
    assert (out[:, :, 1] > 0).all()
    assert (out[:, :, 2] > 2).all()


def test_negative_binomial_head_outputs_a_positive_mean_and_dispersion(rng):
    head = DistributionHead("negative_binomial", output_dim=2)
    x = rng.normal(size=(16, 4, 8)).astype("float32") * 50
    out = ops.convert_to_numpy(head(x))
    assert np.isfinite(out).all()
    assert (out[:, :, 0] > 0).all() and (out[:, :, 1] > 0).all()


def test_unknown_distribution_is_rejected():
    with pytest.raises(ValueError, match="distribution.*'gamma'"):
        DistributionHead("gamma", output_dim=1)
