import numpy as np
import pytest

from base_attentive.data import OneHotEncoder


def test_vocabulary_is_sorted_and_encoding_is_one_hot():
    encoder = OneHotEncoder(["line", "zone"]).fit(
        np.array([["red", 1], ["blue", 2], ["red", 2]], dtype=object)
    )
    assert encoder.vocabularies == [["blue", "red"], ["1", "2"]]
    assert encoder.feature_names == ["line=blue", "line=red", "zone=1", "zone=2"]
    encoded = encoder.transform(np.array([["red", 2]], dtype=object))
    assert encoded.dtype == np.float32
    assert encoded.tolist() == [[0.0, 1.0, 0.0, 1.0]]


def test_unknown_category_names_the_column_and_value():
    encoder = OneHotEncoder(["line"]).fit(np.array([["red"], ["blue"]]))
    with pytest.raises(ValueError, match=r"'line' has values not seen.*\['green'\]"):
        encoder.transform(np.array([["green"]]))


def test_no_columns_gives_zero_width():
    encoder = OneHotEncoder([]).fit(np.zeros((3, 0), dtype=object))
    assert encoder.transform(np.zeros((3, 0), dtype=object)).shape == (3, 0)


def test_dict_round_trip_reproduces_the_encoding():
    encoder = OneHotEncoder(["line"]).fit(np.array([["red"], ["blue"]]))
    restored = OneHotEncoder.from_dict(encoder.to_dict())
    values = np.array([["blue"], ["red"]])
    np.testing.assert_array_equal(restored.transform(values), encoder.transform(values))
