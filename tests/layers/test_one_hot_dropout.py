"""Category dropout of one-hot blocks: whole blocks zeroed in training only."""

import numpy as np
import pytest
from keras import ops

from base_attentive.layers import OneHotDropout


def _numpy(values):
    return ops.convert_to_numpy(values)


def _rows(n):
    """n rows of [real, block 1 (3 columns, value 2), block 2 (2, value 1)]."""
    row = [0.5, 0.0, 1.0, 0.0, 1.0, 0.0]
    return np.tile(np.array(row, "float32"), (n, 1))


def test_blocks_are_zeroed_whole_and_independently_in_training():
    layer = OneHotDropout([0, 1, 1, 1, 2, 2], rate=0.3, seed=3)
    x = _rows(4000)
    out = _numpy(layer(x, training=True))
    np.testing.assert_array_equal(out[:, 0], 0.5)  # outside the blocks
    first, second = out[:, 1:4], out[:, 4:6]
    # A block is either kept as it was or all zeros: never partly.
    for block, original in ((first, x[0, 1:4]), (second, x[0, 4:6])):
        kept = (block == original).all(axis=1)
        zeroed = (block == 0).all(axis=1)
        assert (kept | zeroed).all()
        assert 0.26 < zeroed.mean() < 0.34  # about 30%
    # The two blocks draw independently (about 9% lose both, not 30%).
    both = (first == 0).all(axis=1) & (second == 0).all(axis=1)
    assert 0.06 < both.mean() < 0.12
    again = _numpy(layer(x, training=True))
    assert not np.array_equal(again, out)  # new draws each step


def test_inference_and_a_zero_rate_pass_inputs_unchanged():
    x = _rows(50)
    layer = OneHotDropout([0, 1, 1, 1, 2, 2], rate=0.5, seed=0)
    np.testing.assert_array_equal(_numpy(layer(x, training=False)), x)
    np.testing.assert_array_equal(_numpy(layer(x)), x)
    idle = OneHotDropout([0, 1, 1, 1, 2, 2], rate=0.0)
    np.testing.assert_array_equal(_numpy(idle(x, training=True)), x)


def test_config_round_trip():
    layer = OneHotDropout([1, 1, 0], rate=0.2, seed=7, name="drop")
    clone = OneHotDropout.from_config(layer.get_config())
    assert (clone.groups, clone.rate, clone.seed) == ([1, 1, 0], 0.2, 7)


@pytest.mark.parametrize(
    "groups, error, message",
    [
        ([0, -1], TypeError, "ints >= 0"),
        ([0, 2, 2], ValueError, "without gaps"),
        (3, TypeError, "one int per variable"),
    ],
)
def test_invalid_groups_are_rejected(groups, error, message):
    with pytest.raises(error, match=message):
        OneHotDropout(groups, rate=0.1)


def test_rate_must_be_a_probability_below_one():
    with pytest.raises(ValueError, match=r"`rate` must be in \[0, 1\)"):
        OneHotDropout([1, 1], rate=1.0)
