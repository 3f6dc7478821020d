import numpy as np
import pytest
from keras import ops

from base_attentive.layers import MultiScaleLSTM
from tests.helpers import run_layer_test


def test_multi_scale_lstm_standard_checks(tmp_path, rng):
    run_layer_test(
        MultiScaleLSTM,
        {"units": 4, "scales": [1, 2, 3], "num_layers": 2, "aggregation": "concat"},
        [rng.normal(size=(2, 7, 5)).astype("float32")],
        (2, 7 + 4 + 3, 4),
        tmp_path,
    )


@pytest.mark.parametrize(
    "aggregation, shape",
    [("last", (2, 7, 3 * 4)), ("average", (2, 7, 4)), ("sum", (2, 7, 4))],
)
def test_multi_scale_aggregation_shapes(rng, aggregation, shape):
    layer = MultiScaleLSTM(4, scales=[1, 2, 3], aggregation=aggregation)
    assert tuple(layer(rng.normal(size=(2, 7, 5)).astype("float32")).shape) == shape


def test_average_is_sum_over_scales_divided(rng):
    x = rng.normal(size=(2, 7, 5)).astype("float32")
    summed = MultiScaleLSTM(4, scales=[1, 2], aggregation="sum")
    averaged = MultiScaleLSTM(4, scales=[1, 2], aggregation="average")
    summed(x), averaged(x)
    averaged.set_weights(summed.get_weights())
    np.testing.assert_allclose(
        ops.convert_to_numpy(averaged(x)) * 2,
        ops.convert_to_numpy(summed(x)),
        rtol=1e-5,
        atol=1e-6,
    )


def test_coarse_scale_is_anchored_at_the_latest_step(rng):
    """The strided sequence ends with the last observation, whatever T."""
    layer = MultiScaleLSTM(4, scales=[3], aggregation="concat")
    x = rng.normal(size=(1, 8, 2)).astype("float32")
    full = ops.convert_to_numpy(layer(x))
    assert full.shape == (1, 3, 4)  # steps 1, 4, 7
    # Steps 0, 2, 3, 5, 6 are not read by the stride-3 LSTM.
    changed = x.copy()
    changed[:, [0, 2, 3, 5, 6]] += 10.0
    np.testing.assert_allclose(ops.convert_to_numpy(layer(changed)), full, atol=1e-6)
    changed[:, 7] += 1.0
    assert not np.allclose(ops.convert_to_numpy(layer(changed)), full)


def test_held_states_cover_the_steps_they_summarise(rng):
    """With 'sum' over scales [2] only, step t holds the state of the first
    strided step at or after t, with no padding."""
    concat = MultiScaleLSTM(3, scales=[2], aggregation="concat")
    x = rng.normal(size=(1, 5, 2)).astype("float32")
    strided = ops.convert_to_numpy(concat(x))  # steps 0, 2, 4
    held_layer = MultiScaleLSTM(3, scales=[2], aggregation="sum")
    held_layer(x)
    held_layer.set_weights(concat.get_weights())
    held = ops.convert_to_numpy(held_layer(x))
    assert held.shape == (1, 5, 3)
    expected = strided[:, [0, 1, 1, 2, 2]]
    np.testing.assert_allclose(held, expected, atol=1e-6)


def test_initial_state_conditions_the_encoder(rng):
    layer = MultiScaleLSTM(4)
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    h = rng.normal(size=(2, 4)).astype("float32")
    c = rng.normal(size=(2, 4)).astype("float32")
    plain = ops.convert_to_numpy(layer(x))
    conditioned = ops.convert_to_numpy(layer(x, initial_state=[h, c]))
    assert not np.allclose(plain, conditioned)


def test_unknown_aggregation_is_rejected():
    with pytest.raises(ValueError, match="aggregation.*Received: aggregation='max'"):
        MultiScaleLSTM(4, aggregation="max")
