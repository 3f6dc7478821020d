import numpy as np
import pytest
from keras import ops

from base_attentive.layers import PositionalEncoding


def test_positional_encoding_keeps_shape_and_config(rng):
    layer = PositionalEncoding()
    x = rng.normal(size=(2, 5, 8)).astype("float32")
    assert tuple(layer(x).shape) == (2, 5, 8)
    assert PositionalEncoding.from_config(layer.get_config()).get_config() == (
        layer.get_config()
    )


def test_positional_encoding_has_no_length_cap():
    x = np.zeros((1, 20000, 4), dtype="float32")
    encoded = ops.convert_to_numpy(PositionalEncoding()(x))
    assert encoded.shape == (1, 20000, 4)
    assert np.isfinite(encoded).all()
    # Distinct positions get distinct codes, also far out.
    assert not np.allclose(encoded[0, 19998], encoded[0, 19999])


def test_positional_encoding_offset_shifts_positions():
    x = np.zeros((1, 6, 4), dtype="float32")
    layer = PositionalEncoding()
    shifted = ops.convert_to_numpy(layer(x, offset=-3))
    plain = ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(shifted[0, 3:], plain[0, :3], atol=1e-6)


def test_positional_encoding_rejects_odd_width():
    with pytest.raises(ValueError, match="even feature width"):
        PositionalEncoding()(np.zeros((1, 3, 5), dtype="float32"))
