from base_attentive.layers import StaticCovariateEncoder
from tests.helpers import run_layer_test


def test_static_encoder_standard_checks(tmp_path, rng):
    run_layer_test(
        StaticCovariateEncoder,
        {"units": 8, "state_units": 6},
        [rng.normal(size=(4, 5)).astype("float32")],
        ((4, 8), (4, 8), (4, 6), (4, 6)),
        tmp_path,
    )
