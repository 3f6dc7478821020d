"""BaseAttentive: the quick start, serialization, inputs, outputs, explain."""

import gc
import warnings

import keras
import numpy as np
import pytest
from keras import ops

from base_attentive import BaseAttentive
from base_attentive.losses import MeanSquaredError, PinballLoss
from tests.helpers import run_model_test

S, D, F, O, H, T = 4, 8, 6, 2, 24, 48


def make_inputs(rng, batch=32, lookback=T, static=S, dynamic=D, future=F, horizon=H):
    return [
        rng.normal(size=(batch, static)).astype("float32"),
        rng.normal(size=(batch, lookback, dynamic)).astype("float32"),
        rng.normal(size=(batch, horizon, future)).astype("float32"),
    ]


def small(**overrides):
    """A small model of the REF shapes (fast to build on every backend)."""
    args = dict(
        static_input_dim=S,
        dynamic_input_dim=D,
        future_input_dim=F,
        output_dim=O,
        forecast_horizon=H,
        quantiles=[0.1, 0.5, 0.9],
        embed_dim=8,
        hidden_units=8,
        lstm_units=8,
        attention_units=8,
        num_heads=2,
        memory_size=5,
        num_encoder_layers=1,
    )
    args.update(overrides)
    return BaseAttentive(**args)


def test_quick_start_output_shape(rng):
    model = BaseAttentive(
        static_input_dim=4,
        dynamic_input_dim=8,
        future_input_dim=6,
        output_dim=2,
        forecast_horizon=24,
        quantiles=[0.1, 0.5, 0.9],
    )
    assert tuple(model(make_inputs(rng)).shape) == (32, 24, 3, 2)


def test_model_standard_checks(tmp_path, rng):
    init = dict(
        static_input_dim=S,
        dynamic_input_dim=D,
        future_input_dim=F,
        output_dim=O,
        forecast_horizon=6,
        quantiles=[0.1, 0.5, 0.9],
        embed_dim=8,
        hidden_units=8,
        lstm_units=8,
        attention_units=8,
        num_heads=2,
        memory_size=5,
        scales=[1, 2],
    )
    inputs = make_inputs(rng, batch=8, lookback=10, horizon=6)
    run_model_test(BaseAttentive, init, inputs, (8, 6, 3, O), tmp_path)


def test_transformer_point_model_standard_checks(tmp_path, rng):
    init = dict(
        static_input_dim=0,
        dynamic_input_dim=D,
        future_input_dim=F,
        output_dim=1,
        forecast_horizon=5,
        embed_dim=8,
        hidden_units=8,
        attention_units=8,
        num_heads=2,
        memory_size=4,
        objective="transformer",
    )
    _, dynamic, future = make_inputs(rng, batch=8, lookback=10, horizon=5)
    run_model_test(BaseAttentive, init, [None, dynamic, future], (8, 5, 1), tmp_path)


def test_dict_and_list_inputs_agree(rng):
    model = small()
    static, dynamic, future = make_inputs(rng, batch=4)
    as_list = ops.convert_to_numpy(model([static, dynamic, future]))
    as_dict = ops.convert_to_numpy(
        model({"static": static, "dynamic": dynamic, "future": future})
    )
    np.testing.assert_allclose(as_list, as_dict, atol=1e-6)


def test_lookback_may_differ_between_calls(rng):
    model = small()
    for lookback in (48, 30, 96):
        out = model(make_inputs(rng, batch=2, lookback=lookback))
        assert tuple(out.shape) == (2, H, 3, O)


def test_absent_parts_as_none_or_zero_width(rng):
    model = small(static_input_dim=0, future_input_dim=0)
    _, dynamic, _ = make_inputs(rng, batch=3)
    with_none = ops.convert_to_numpy(model([None, dynamic, None]))
    zero_width = [np.zeros((3, 0), "float32"), dynamic, np.zeros((3, H, 0), "float32")]
    np.testing.assert_allclose(
        with_none, ops.convert_to_numpy(model(zero_width)), atol=1e-6
    )


def test_tft_mode_takes_future_over_lookback_and_horizon(rng):
    model = small(mode="tft")
    static, dynamic, _ = make_inputs(rng, batch=2)
    future = rng.normal(size=(2, T + H, F)).astype("float32")
    base = ops.convert_to_numpy(model([static, dynamic, future]))
    assert base.shape == (2, H, 3, O)
    # The past part of the known-future inputs feeds the encoder.
    changed = future.copy()
    changed[:, :T] += 3.0
    assert not np.allclose(
        base, ops.convert_to_numpy(model([static, dynamic, changed]))
    )
    explained = model.explain([static, dynamic, future])
    assert explained["variable_selection"]["dynamic"].shape == (2, T, D + F)
    with pytest.raises(ValueError, match=r"lookback \+ forecast_horizon=72"):
        model([static, dynamic, future[:, :H]])


@pytest.mark.parametrize(
    "position, bad_shape, message",
    [
        (0, (2, 3), r"`static` must have shape \(batch=2, static_input_dim=4\)"),
        (1, (2, T, 5), r"`dynamic` must have shape .*dynamic_input_dim=8"),
        (2, (2, H - 1, F), r"`future` must have shape .*forecast_horizon=24"),
        (2, (2, H, F + 1), r"future_input_dim=6\). Received shape \(2, 24, 7\)"),
    ],
)
def test_shape_mismatch_names_input_expected_and_received(
    rng, position, bad_shape, message
):
    model = small()
    inputs = make_inputs(rng, batch=2)
    inputs[position] = np.zeros(bad_shape, "float32")
    with pytest.raises(ValueError, match=message):
        model(inputs)


def test_missing_and_unexpected_parts_are_errors(rng):
    static, dynamic, future = make_inputs(rng, batch=2)
    with pytest.raises(ValueError, match="`static` is missing.*static_input_dim=4"):
        small()([None, dynamic, future])
    with pytest.raises(ValueError, match="static_input_dim=0"):
        small(static_input_dim=0)([static, dynamic, future])
    with pytest.raises(ValueError, match="unknown keys \\['past'\\]"):
        small()({"static": static, "past": dynamic, "future": future})
    with pytest.raises(ValueError, match="length 2"):
        small()([dynamic, future])


def test_quantiles_are_ordered_and_input_dependent(rng):
    model = small()
    out = ops.convert_to_numpy(model(make_inputs(rng, batch=16)))
    assert (np.diff(out, axis=2) >= 0).all()
    width = out[:, :, 2] - out[:, :, 0]
    assert width.std() > 1e-4


def test_distribution_head_outputs_parameters(rng):
    model = small(quantiles=None, distribution="student_t")
    out = ops.convert_to_numpy(model(make_inputs(rng, batch=4)))
    assert out.shape == (4, H, 3, O)
    assert (out[:, :, 1] > 0).all() and (out[:, :, 2] > 2).all()


def test_explain_returns_selection_and_attention_arrays(rng):
    model = small(attention_levels=["memory", "cross", "hierarchical"])
    explained = model.explain(make_inputs(rng, batch=3))
    selection, attention = explained["variable_selection"], explained["attention"]
    assert {k: v.shape for k, v in selection.items()} == {
        "static": (3, S),
        "dynamic": (3, T, D),
        "future": (3, H, F),
    }
    for weights in selection.values():
        assert isinstance(weights, np.ndarray)
        np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-4)
    assert list(attention) == ["memory", "cross", "hierarchical"]
    assert attention["memory"].shape == (3, H, 5)
    assert attention["cross"].shape == (3, H, T)
    assert attention["hierarchical"].shape == (3, H, T + H)


def test_compile_auto_picks_loss_from_head():
    quantile = small()
    quantile.compile(loss="auto")
    assert isinstance(quantile.loss, PinballLoss)
    point = small(quantiles=None)
    point.compile(loss="auto")
    assert isinstance(point.loss, MeanSquaredError)


LOAD_WITH_KERAS_SCRIPT = """
import json, sys
import numpy as np
from base_attentive import BaseAttentive  # registers what a model can save
import keras

out = {}
inputs = [np.load(sys.argv[1] + "/" + part + ".npy") for part in ("s", "d", "f")]
for name in sys.argv[2:]:
    model = keras.saving.load_model(sys.argv[1] + "/" + name + ".keras")
    prediction = keras.ops.convert_to_numpy(model(inputs))
    out[name] = [type(model.loss).__name__, prediction.ravel()[:5].tolist()]
print(json.dumps(out))
"""


def test_keras_load_model_works_after_importing_the_model(tmp_path, rng):
    """`keras.saving.load_model` (not only `base_attentive.load_model`) loads
    a compiled model in a fresh process once the model is imported: the
    model module registers the layers and the losses it can save."""
    import json
    import os
    import subprocess
    import sys

    from base_attentive.losses import GaussianCRPS

    inputs = make_inputs(rng, batch=2, lookback=6)
    for part, array in zip("sdf", inputs, strict=True):
        np.save(tmp_path / f"{part}.npy", array)
    cases = {
        "pinball": (small(), "auto"),
        "crps": (small(quantiles=None, distribution="normal"), GaussianCRPS()),
        "student_t": (small(quantiles=None, distribution="student_t"), "auto"),
    }
    expected = {}
    for name, (model, loss) in cases.items():
        model.compile(loss=loss)
        prediction = ops.convert_to_numpy(model(inputs))
        model.save(tmp_path / f"{name}.keras")
        expected[name] = [type(model.loss).__name__, prediction.ravel()[:5]]
    env = {k: v for k, v in os.environ.items() if k != "BASE_ATTENTIVE_BACKEND"}
    result = subprocess.run(
        [sys.executable, "-c", LOAD_WITH_KERAS_SCRIPT, str(tmp_path), *cases],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert [loaded[name][0] for name in cases] == [
        "PinballLoss",
        "GaussianCRPS",
        "StudentTNLL",
    ]
    for name in cases:
        assert loaded[name][0] == expected[name][0]
        np.testing.assert_allclose(loaded[name][1], expected[name][1], rtol=1e-5)


# Loading builds the optimizer of a compiled, never trained model: Keras warns
# that the saved one (not built yet) has no slot variables.
@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
def test_saved_compile_config_keeps_jit_compile_auto(tmp_path, rng):
    """`jit_compile="auto"` is resolved by the loading backend, not saved as a
    bool: a model saved on JAX (True) must not turn on torch.compile."""
    model = small(forecast_horizon=2)
    model.compile()
    assert model.get_compile_config()["jit_compile"] == "auto"
    model(make_inputs(rng, batch=2, lookback=4, horizon=2))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.get_compile_config()["jit_compile"] == "auto"
    fresh = small(forecast_horizon=2)
    fresh.compile()
    assert loaded.jit_compile == fresh.jit_compile  # this backend's own default
    explicit = small(forecast_horizon=2)
    explicit.compile(jit_compile=False)
    assert explicit.get_compile_config()["jit_compile"] is False


@pytest.mark.parametrize("use_vsn", [True, False])
@pytest.mark.parametrize("objective", ["hybrid", "transformer"])
def test_one_training_step_changes_every_trainable_weight(objective, use_vsn, rng):
    """Every weight gets a gradient: no GRN is built whose output goes unused
    (Keras would warn "Gradients do not exist for variables ..." on every fit)."""
    model = small(
        objective=objective, use_vsn=use_vsn, forecast_horizon=2, dropout_rate=0.0
    )
    x = make_inputs(rng, batch=4, lookback=4, horizon=2)
    y = rng.normal(size=(4, 2, O)).astype("float32")
    model(x)
    before = [ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
    model.compile(optimizer=keras.optimizers.SGD(1.0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert not [w for w in caught if "Gradients do not exist" in str(w.message)]
    unchanged = [
        weight.path
        for weight, old in zip(model.trainable_weights, before, strict=True)
        if np.array_equal(ops.convert_to_numpy(weight), old)
    ]
    assert unchanged == []


def test_int8_quantized_model_forecasts_close_to_float(rng, monkeypatch):
    """`model.quantize("int8")` (Keras' post-training quantization) works:
    every sublayer of a built model is built, and forecasts stay close
    (the default, hybrid encoder)."""
    model = small(objective="hybrid")
    x = make_inputs(rng, batch=8)
    before = ops.convert_to_numpy(model(x))
    # Keras runs a full `gc.collect()` for each of the ~60 kernels it
    # replaces; in a test process holding a backend's whole object graph
    # that was nearly all of this test's 1-2.5 minutes. Memory housekeeping
    # only: the quantized layers are the same without it.
    monkeypatch.setattr(gc, "collect", lambda generation=2: 0)
    with warnings.catch_warnings():
        # Keras notes that the LSTM cell has no int8 kernel (it stays float).
        warnings.filterwarnings("ignore", "Layer LSTMCell does not have")
        model.quantize("int8")
    quantized = [layer for layer in model._flatten_layers() if layer.quantization_mode]
    assert len(quantized) > 10
    # An eager call: tracing the quantized graph for `predict` costs minutes
    # on TensorFlow.
    after = ops.convert_to_numpy(model(x))
    assert np.abs(after - before).max() < 0.05 * np.abs(before).max()


@pytest.mark.parametrize(
    "objective, count",
    [("hybrid", 194694), ("transformer", 143318)],  # as documented
)
def test_parameter_count_of_reference_model_is_fixed(objective, count, rng):
    """Same arguments, same network: this count is asserted on every backend."""
    model = BaseAttentive(
        static_input_dim=4,
        dynamic_input_dim=8,
        future_input_dim=6,
        output_dim=2,
        forecast_horizon=24,
        quantiles=[0.1, 0.5, 0.9],
        objective=objective,
    )
    model(make_inputs(rng, batch=2))
    assert model.count_params() == count
