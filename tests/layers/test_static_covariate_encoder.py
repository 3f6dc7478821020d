import pytest

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


def test_static_encoder_builds_only_the_requested_contexts(tmp_path, rng):
    """The transformer encoder uses no ``c_c``: no GRN (and no weights) for it."""
    contexts = ["selection", "enrichment", "state_h"]
    run_layer_test(
        StaticCovariateEncoder,
        {"units": 8, "state_units": 6, "contexts": contexts},
        [rng.normal(size=(4, 5)).astype("float32")],
        ((4, 8), (4, 8), (4, 6)),
        tmp_path,
    )
    three = StaticCovariateEncoder(8, 6, contexts=contexts)
    four = StaticCovariateEncoder(8, 6)
    three.build((None, 5))
    four.build((None, 5))
    assert four.contexts == ("selection", "enrichment", "state_h", "state_c")
    assert [grn.name for grn in three.context_grns] == [
        "selection_grn",
        "enrichment_grn",
        "state_h_grn",
    ]
    state_c = four.context_grns[3]
    assert state_c.name == "state_c_grn"
    assert three.count_params() == four.count_params() - state_c.count_params()
    assert three.get_config()["contexts"] == contexts


@pytest.mark.parametrize(
    "contexts, message",
    [
        (
            ["state_h", "cell"],
            r"one of \('selection', .*Received: contexts=\['state_h', 'cell'\]",
        ),
        (
            ["state_h", "state_h"],
            r"without repeats.*Received: contexts=\['state_h', 'state_h'\]",
        ),
        ([], "at least one"),
        ("state_h", r"a list.*Received: contexts='state_h'"),
    ],
)
def test_static_encoder_rejects_bad_contexts(contexts, message):
    with pytest.raises(ValueError, match=message):
        StaticCovariateEncoder(8, 6, contexts=contexts)
