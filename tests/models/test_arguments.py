"""Every constructor argument of BaseAttentive has an observable effect, and
invalid values raise at construction naming argument, expectation, value."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from keras import ops

from tests.models.test_base_attentive import H, O, S, T, make_inputs, small


def _predict(model, inputs, training=False):
    return ops.convert_to_numpy(model(inputs, training=training))


def _copy_weights(source, target):
    """Copies weights by layer path, reshaping where the layout only differs
    in how a matrix is split (e.g. into heads)."""
    values = {_path(v): v for v in source.weights}
    for variable in target.weights:
        value = ops.convert_to_numpy(values[_path(variable)])
        variable.assign(np.reshape(value, variable.shape))


def _path(variable):
    return variable.path.split("/", 1)[1]


def _twin_outputs(rng, base, changed, training=False):
    """Outputs of two models differing only in one argument, same weights."""
    inputs = make_inputs(rng, batch=4)
    a, b = small(**base), small(**changed)
    a(inputs), b(inputs)
    _copy_weights(a, b)
    return _predict(a, inputs, training), _predict(b, inputs, training)


def _built(rng, **kwargs):
    model = small(**kwargs)
    model(make_inputs(rng, batch=2))
    return model


@pytest.mark.parametrize(
    "argument, value",
    [
        ("embed_dim", 16),
        ("hidden_units", 16),
        ("lstm_units", 16),
        ("attention_units", 16),
        ("memory_size", 9),
        ("vsn_units", 12),
        ("num_encoder_layers", 2),
        ("scales", [1, 3]),
        ("use_vsn", False),
        ("use_batch_norm", True),
        ("objective", "transformer"),
        ("attention_levels", ["cross"]),
        ("num_heads", 4),
        ("static_cardinalities", [0, 0, 0, 5]),
        ("dynamic_cardinalities", [0] * 7 + [4]),
        ("future_cardinalities", [3, 0, 0, 0, 0, 0]),
    ],
)
def test_architecture_arguments_change_the_network(rng, argument, value):
    assert _built(rng).count_params() != _built(rng, **{argument: value}).count_params()


@pytest.mark.parametrize(
    "base, changed",
    [
        ({"activation": "relu"}, {"activation": "tanh"}),
        ({"final_agg": "last"}, {"final_agg": "average"}),
        (
            {"scales": [1, 2], "multi_scale_agg": "average"},
            {"scales": [1, 2], "multi_scale_agg": "sum"},
        ),
        ({"use_residuals": True}, {"use_residuals": False}),
        (
            {"attention_levels": ["cross", "memory"]},
            {"attention_levels": ["memory", "cross"]},
        ),
    ],
)
def test_behaviour_arguments_change_outputs_with_identical_weights(rng, base, changed):
    a, b = _twin_outputs(rng, base, changed)
    assert not np.allclose(a, b, atol=1e-5)


def test_concat_aggregation_lengthens_the_encoder_memory(rng):
    explained = _built(rng, scales=[1, 2], multi_scale_agg="concat").explain(
        make_inputs(rng, batch=2)
    )
    assert explained["attention"]["cross"].shape == (2, H, T + T // 2)


def test_dropout_is_active_only_in_training(rng):
    inputs = make_inputs(rng, batch=4)
    model = small(dropout_rate=0.5)
    model(inputs)
    assert not np.allclose(_predict(model, inputs, True), _predict(model, inputs, True))
    np.testing.assert_allclose(_predict(model, inputs), _predict(model, inputs))
    still = small(dropout_rate=0.0)
    still(inputs)
    np.testing.assert_allclose(
        _predict(still, inputs, True), _predict(still, inputs, True), atol=1e-6
    )


def test_category_dropout_zeroes_one_hot_static_blocks_in_training_only(rng):
    inputs = make_inputs(rng, batch=64)
    inputs[0][:, 1:] = np.eye(3, dtype="float32")[np.arange(64) % 3]  # one block
    model = small(dropout_rate=0.0, category_dropout=0.5, static_one_hot=[0, 1, 1, 1])
    model(inputs)
    assert not np.allclose(_predict(model, inputs, True), _predict(model, inputs, True))
    np.testing.assert_allclose(_predict(model, inputs), _predict(model, inputs))
    # Without a one-hot block (and no embedded category) nothing is drawn.
    plain = small(dropout_rate=0.0, category_dropout=0.5)
    plain(inputs)
    assert plain.static_one_hot_dropout is None
    np.testing.assert_allclose(
        _predict(plain, inputs, True), _predict(plain, inputs, True), atol=1e-6
    )


def test_max_window_size_limits_what_the_encoder_reads(rng):
    inputs = make_inputs(rng, batch=2)
    early_change = [inputs[0], inputs[1].copy(), inputs[2]]
    early_change[1][:, : T - 8] += 5.0
    windowed = _built(rng, max_window_size=8)
    np.testing.assert_allclose(
        _predict(windowed, inputs), _predict(windowed, early_change), atol=1e-5
    )
    whole = _built(rng)
    assert not np.allclose(_predict(whole, inputs), _predict(whole, early_change))


def test_output_dim_horizon_and_quantiles_shape_the_output(rng):
    model = small(output_dim=3, forecast_horizon=5, quantiles=[0.05, 0.25, 0.5, 0.95])
    out = model(make_inputs(rng, batch=2, horizon=5))
    assert tuple(out.shape) == (2, 5, 4, 3)
    assert tuple(small(quantiles=None)(make_inputs(rng, batch=2)).shape) == (2, H, O)


def test_arguments_are_stored_normalised_and_returned_by_get_config():
    model = small(quantiles=(0.1, 0.5, 0.9), scales=(1, 2), attention_levels="cross")
    assert model.quantiles == [0.1, 0.5, 0.9]
    assert model.scales == [1, 2] and model.attention_levels == ["cross"]
    config = model.get_config()
    assert config["quantiles"] == model.quantiles
    assert config["attention_levels"] == ["cross"]
    assert type(model).from_config(config).get_config() == config


def test_architecture_config_is_not_an_argument():
    with pytest.raises(ValueError, match="architecture_config"):
        small(architecture_config={"objective": "transformer"})


def test_configs_saved_with_architecture_config_load_into_the_same_network(rng):
    """Files of earlier versions stored `architecture_config`, whose keys
    replaced the defaults of those arguments; they still load."""
    legacy = small().get_config()
    legacy["objective"] = "hybrid"  # the default, stored as given
    legacy["architecture_config"] = {"objective": "transformer", "use_vsn": False}
    model = type(small()).from_config(legacy)
    assert (model.objective, model.use_vsn) == ("transformer", False)
    reference = _built(rng, objective="transformer", use_vsn=False)
    model(make_inputs(rng, batch=2))
    assert model.count_params() == reference.count_params()


def test_static_inputs_condition_the_forecast(rng):
    model = _built(rng)
    inputs = make_inputs(rng, batch=2)
    changed = [inputs[0] + 2.0, inputs[1], inputs[2]]
    assert not np.allclose(_predict(model, inputs), _predict(model, changed))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"num_heads": 3}, ValueError, "num_heads=3, attention_units=8"),
        ({"quantiles": [0.9, 0.5]}, ValueError, "strictly increasing"),
        ({"quantiles": [0.1, 1.2]}, ValueError, "strictly between 0 and 1"),
        ({"quantiles": "0.5"}, TypeError, "sequence of floats"),
        ({"attention_levels": ["cross", "self"]}, ValueError, "Received: .*'self'"),
        ({"attention_levels": ["cross", "cross"]}, ValueError, "repeat"),
        ({"objective": "lstm"}, ValueError, "objective.*'lstm'"),
        ({"mode": "pihal"}, ValueError, "mode.*'pihal'"),
        ({"multi_scale_agg": "max"}, ValueError, "multi_scale_agg.*'max'"),
        ({"final_agg": "flatten"}, ValueError, "final_agg.*'flatten'"),
        ({"dropout_rate": 1.0}, ValueError, "dropout_rate.*1.0"),
        ({"forecast_horizon": 0}, ValueError, "forecast_horizon.*>= 1.*0"),
        ({"embed_dim": 8.5}, TypeError, "embed_dim.*int"),
        ({"scales": [1, 1]}, ValueError, "distinct"),
        ({"scales": [0]}, ValueError, "scales.*>= 1"),
        ({"activation": "nope"}, ValueError, "activation.*'nope'"),
        ({"use_vsn": "yes"}, TypeError, "use_vsn"),
        ({"dynamic_input_dim": 0}, ValueError, "dynamic_input_dim.*>= 1"),
        ({"distribution": "normal"}, ValueError, "mutually exclusive"),
        ({"quantiles": None, "distribution": "laplace"}, ValueError, "'laplace'"),
        ({"attention_units": 9, "num_heads": 3}, ValueError, "must be even"),
        ({"static_cardinalities": [0, 5]}, ValueError, "one entry per variable"),
        ({"future_cardinalities": [1, 0, 0, 0, 0, 0]}, ValueError, "2 codes"),
        ({"dynamic_cardinalities": "abc"}, TypeError, "ints >= 0"),
        ({"static_one_hot": [0, 1]}, ValueError, "one entry per variable"),
        ({"static_one_hot": [0, 0, 2, 2]}, ValueError, "without gaps"),
        (
            {"static_one_hot": [0, 0, 1, 1], "static_cardinalities": [0, 0, 0, 5]},
            ValueError,
            "must be 0",
        ),
    ],
)
def test_invalid_arguments_raise_at_construction(kwargs, error, message):
    with pytest.raises(error, match=message):
        small(**kwargs)


FLOAT64_TRAINING_STEP = """
import keras, numpy as np
keras.config.set_floatx("float64")
from tests.models.test_base_attentive import O, make_inputs, small
model = small(forecast_horizon=4)
inputs = [x.astype("float64") for x in make_inputs(np.random.default_rng(0), 8, horizon=4)]
outputs = model(inputs)
assert keras.backend.standardize_dtype(outputs.dtype) == "float64", outputs.dtype
assert all(w.dtype == "float64" for w in model.weights)
model.compile(loss="auto")
history = model.fit(inputs, np.zeros((8, 4, O)), epochs=1, verbose=0)
assert np.isfinite(history.history["loss"][0])
print("ok")
"""


def test_float64_runs_a_training_step():
    """In a fresh process: floatx is read when layers are created. JAX needs
    its own switch for 64-bit floats (JAX_ENABLE_X64=1), as documented."""
    env = dict(os.environ, JAX_ENABLE_X64="1")
    result = subprocess.run(
        [sys.executable, "-c", FLOAT64_TRAINING_STEP],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-2000:]


def test_mixed_bfloat16_runs_a_training_step(rng):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        model = small(forecast_horizon=4)
        inputs = make_inputs(rng, batch=8, horizon=4)
        model.compile(loss="auto")
        history = model.fit(inputs, np.zeros((8, 4, O)), epochs=1, verbose=0)
        assert np.isfinite(history.history["loss"][0])
        outputs = model(inputs)
        assert keras.backend.standardize_dtype(outputs.dtype) == "float32"
        assert np.isfinite(ops.convert_to_numpy(outputs)).all()
        details = model.explain(inputs)
        # Summed in float32: eight bfloat16 weights summed in bfloat16 can
        # be off by more than the tolerance (its step at 1 is 0.0078).
        weights = np.asarray(details["variable_selection"]["dynamic"], "float32")
        assert np.allclose(weights.sum(-1), 1, atol=1e-2)
    finally:
        keras.config.set_dtype_policy(previous)


def test_static_dim_is_checked(rng):
    with pytest.raises(ValueError, match="static_input_dim=4"):
        small()([np.zeros((2, S + 1), "float32")] + make_inputs(rng, batch=2)[1:])
