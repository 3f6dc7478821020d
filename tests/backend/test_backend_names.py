import pytest

from base_attentive import normalize_backend_name
from base_attentive.backend.names import KERAS2_BACKENDS, VALID_BACKENDS


@pytest.mark.parametrize(
    "alias, expected",
    [
        ("tensorflow", "tensorflow"),
        ("tf", "tensorflow"),
        ("torch", "torch"),
        ("pytorch", "torch"),
        ("pt", "torch"),
        ("jax", "jax"),
    ],
)
def test_aliases_map_to_canonical_names(alias, expected):
    assert normalize_backend_name(alias) == expected


@pytest.mark.parametrize("raw", [" TF ", "TensorFlow", "\ttensorflow\n", "tF"])
def test_matching_ignores_case_and_whitespace(raw):
    assert normalize_backend_name(raw) == "tensorflow"


@pytest.mark.parametrize("name", KERAS2_BACKENDS)
def test_keras2_backends_are_rejected_as_not_keras3(name):
    with pytest.raises(ValueError, match="Keras 2 backend, not a Keras 3") as info:
        normalize_backend_name(name.upper())
    for valid in VALID_BACKENDS:
        assert repr(valid) in str(info.value)


@pytest.mark.parametrize("name", ["numpy", "openvino"])
def test_inference_only_keras3_backends_are_rejected(name):
    with pytest.raises(ValueError, match="inference-only"):
        normalize_backend_name(name)


@pytest.mark.parametrize("name", ["", "   ", "tensorflw", "torch2", "cuda"])
def test_empty_and_unknown_names_raise_listing_valid_names(name):
    with pytest.raises(ValueError) as info:
        normalize_backend_name(name)
    message = str(info.value)
    assert "'tensorflow', 'torch', 'jax'" in message
    assert f"Received: name={name!r}" in message


@pytest.mark.parametrize("value", [None, 3, b"jax", ["jax"]])
def test_non_string_names_raise_type_error(value):
    with pytest.raises(TypeError, match="must be a string"):
        normalize_backend_name(value)
