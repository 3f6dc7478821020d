import pytest

from base_attentive.layers import TransformerEncoder
from tests.helpers import run_layer_test


def test_transformer_encoder_standard_checks(tmp_path, rng):
    run_layer_test(
        TransformerEncoder,
        {"num_layers": 2, "num_heads": 2, "hidden_units": 16, "dropout_rate": 0.1},
        [rng.normal(size=(3, 7, 8)).astype("float32")],
        (3, 7, 8),
        tmp_path,
    )


def test_depth_adds_blocks(rng):
    x = rng.normal(size=(2, 5, 8)).astype("float32")
    shallow, deep = TransformerEncoder(1, 2, 16), TransformerEncoder(3, 2, 16)
    shallow(x), deep(x)
    assert deep.count_params() == 3 * shallow.count_params()


def test_heads_must_divide_width(rng):
    with pytest.raises(ValueError, match="num_heads=3, embed_dim=8"):
        TransformerEncoder(1, 3, 16)(rng.normal(size=(2, 5, 8)).astype("float32"))
