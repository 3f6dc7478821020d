import json

import numpy as np
import pandas as pd
import pytest

from base_attentive.data import Vocabulary
from base_attentive.data.vocabulary import UNKNOWN, holds_categories


def test_codes_follow_the_sorted_values_and_zero_is_unknown():
    vocabulary = Vocabulary(["line", "zone"]).fit("line", ["red", "blue", "red"])
    vocabulary.fit("zone", [2, 1, 2])
    assert vocabulary.values == {"line": ["blue", "red"], "zone": ["1", "2"]}
    assert vocabulary.cardinality("line") == 3  # blue, red + unknown
    codes = vocabulary.encode("line", ["red", "blue", "green"])
    assert codes.dtype == np.float32 and codes.tolist() == [2.0, 1.0, UNKNOWN]
    assert vocabulary.unknown("line", ["green", "red", None]) == ["green"]


def test_missing_values_are_unknown_and_never_learned():
    vocabulary = Vocabulary(["line"]).fit("line", ["red", None, np.nan, pd.NA])
    assert vocabulary.values["line"] == ["red"]
    codes = vocabulary.encode("line", [None, np.nan, "red", pd.NA])
    assert codes.tolist() == [0.0, 0.0, 1.0, 0.0]


def test_integral_floats_match_integers():
    # A column of codes read with a NaN nearby becomes float: 3.0 is 3.
    vocabulary = Vocabulary(["store"]).fit("store", [3, 7])
    assert vocabulary.encode("store", [3.0, 7.0, np.nan, 3.5]).tolist() == [1, 2, 0, 0]


def test_a_column_without_values_in_training_is_refused():
    with pytest.raises(ValueError, match="'line' has no value in the training"):
        Vocabulary(["line"]).fit("line", [None, np.nan])
    with pytest.raises(ValueError, match="'zone' is not a categorical column"):
        Vocabulary(["line"]).fit("zone", ["a"])
    with pytest.raises(ValueError, match="no vocabulary yet"):
        Vocabulary(["line"]).encode("line", ["a"])


def test_json_round_trip_encodes_the_same():
    vocabulary = Vocabulary(["line"]).fit("line", ["red", "blue"])
    restored = Vocabulary.from_dict(json.loads(json.dumps(vocabulary.to_dict())))
    values = ["blue", "red", "pink", None]
    np.testing.assert_array_equal(
        restored.encode("line", values), vocabulary.encode("line", values)
    )


@pytest.mark.parametrize(
    "state, message",
    [
        ({"columns": ["line"], "values": {"line": ["red", "blue"]}}, "sorted"),
        ({"columns": ["line"], "values": {"line": [1, 2]}}, "sorted list"),
        ({"columns": ["line"], "values": {"line": []}}, "sorted list"),
        ({"columns": ["line"], "values": {}}, "one list per column"),
        (["line"], "one list per column"),
    ],
)
def test_a_tampered_vocabulary_is_refused(state, message):
    with pytest.raises(ValueError, match=message):
        Vocabulary.from_dict(state)


def test_text_columns_hold_categories_and_numbers_written_as_text_do_not():
    assert holds_categories(pd.Series(["sun", "rain", None]), "sky", "past")
    assert holds_categories(pd.Series(["a", "b"], dtype="category"), "kind", "past")
    assert not holds_categories(pd.Series([1.0, np.nan]), "temp", "past")
    assert not holds_categories(pd.Series([True, False]), "open", "future")
    assert not holds_categories(pd.Series(["1.5", "2", None]), "temp", "past")
    with pytest.raises(TypeError, match=r"`past` column 'temp' mixes numbers and"):
        holds_categories(pd.Series(["1.5", "n/a", "2"]), "temp", "past")
