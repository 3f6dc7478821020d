"""The seasonal residual baseline (`BaseAttentive(seasonal_baseline=P)`)."""

import numpy as np
import pytest
from keras import ops

import base_attentive
from base_attentive.layers.seasonal_baseline import seasonal_baseline, seasonal_weights
from base_attentive.models import BaseAttentive

TINY = dict(
    embed_dim=4, hidden_units=4, lstm_units=4, attention_units=4, num_heads=1,
    memory_size=4,
)  # fmt: skip
LOOKBACK, HORIZON = 6, 4


def test_the_baseline_is_the_lookback_mean_at_each_steps_phase():
    # Period 3, phases 0, 1, 2 twice; the origin (last row) is phase 2, so
    # step 1 is phase 0 (10 and 11), step 2 phase 1, step 3 phase 2, step 4
    # phase 0 again. The second dynamic column (a covariate) is not read.
    target = np.array([10.0, 20.0, 30.0, 11.0, 21.0, 31.0])
    dynamic = np.stack([target, np.full(6, 1e6)], axis=-1)[None].astype("float32")
    baseline = ops.convert_to_numpy(seasonal_baseline(dynamic, 3, HORIZON, 1))
    np.testing.assert_allclose(baseline[0, :, 0], [10.5, 20.5, 30.5, 10.5])
    # Period 4 over 6 steps: step h reads rows 5 + h - 4k inside 0..5, two
    # for steps 3 and 4, one for steps 1 and 2.
    weights = seasonal_weights(6, 4, 4)
    np.testing.assert_allclose(weights @ target, [30.0, 11.0, 15.5, 25.5])
    with pytest.raises(ValueError, match="period 7.*lookback \\(6 steps\\)"):
        seasonal_weights(6, 4, 7)


def _pair(rng, **head):
    """A model with the baseline and the same network without it."""
    arguments = dict(
        static_input_dim=0, dynamic_input_dim=2, future_input_dim=1,
        output_dim=2, forecast_horizon=HORIZON, **TINY, **head,
    )  # fmt: skip
    inputs = [
        None,
        rng.normal(size=(5, LOOKBACK, 2)).astype("float32") * 3 + 5,
        rng.normal(size=(5, HORIZON, 1)).astype("float32"),
    ]
    plain = BaseAttentive(**arguments)
    shifted = BaseAttentive(**arguments, seasonal_baseline=3)
    plain(inputs)
    shifted(inputs)
    shifted.set_weights(plain.get_weights())
    outputs = [ops.convert_to_numpy(m(inputs)) for m in (plain, shifted)]
    weights = seasonal_weights(LOOKBACK, HORIZON, 3)
    baseline = np.einsum("hl,blo->bho", weights, inputs[1])  # both are targets
    return outputs, baseline, inputs, shifted


@pytest.mark.parametrize(
    "head", [{"quantiles": [0.1, 0.5, 0.9]}, {}, {"distribution": "student_t"}]
)
def test_the_forecast_is_the_network_output_shifted_by_the_baseline(rng, head):
    (plain, shifted), baseline, _, _ = _pair(rng, **head)
    if "quantiles" in head:  # every level shifted alike: still ordered
        np.testing.assert_allclose(shifted, plain + baseline[:, :, None], atol=1e-4)
        assert (np.diff(shifted, axis=2) >= 0).all()
    elif "distribution" in head:  # the location only; scale and df kept
        np.testing.assert_allclose(
            shifted[:, :, 0], plain[:, :, 0] + baseline, atol=1e-4
        )
        np.testing.assert_allclose(shifted[:, :, 1:], plain[:, :, 1:], atol=1e-6)
    else:
        np.testing.assert_allclose(shifted, plain + baseline, atol=1e-4)


def test_a_saved_model_keeps_its_baseline(rng, tmp_path):
    (_, shifted_output), _, inputs, shifted = _pair(rng, quantiles=[0.1, 0.5, 0.9])
    shifted.save(tmp_path / "model.keras")
    loaded = base_attentive.load_model(tmp_path / "model.keras")
    assert loaded.seasonal_baseline == 3
    np.testing.assert_allclose(
        ops.convert_to_numpy(loaded(inputs)), shifted_output, atol=1e-5
    )


@pytest.mark.parametrize("distribution", ["log_normal", "negative_binomial"])
def test_heads_without_an_additive_location_refuse_the_baseline(distribution):
    with pytest.raises(ValueError, match=f"distribution='{distribution}'"):
        BaseAttentive(
            static_input_dim=0, dynamic_input_dim=1, future_input_dim=0,
            distribution=distribution, seasonal_baseline=7,
        )  # fmt: skip


@pytest.mark.parametrize(
    "period, error", [("7", TypeError), (True, TypeError), (0, ValueError)]
)
def test_a_bad_period_names_the_argument(period, error):
    with pytest.raises(error, match="seasonal_baseline"):
        BaseAttentive(
            static_input_dim=0,
            dynamic_input_dim=1,
            future_input_dim=0,
            seasonal_baseline=period,
        )
