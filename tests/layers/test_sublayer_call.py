import keras
import numpy as np
from keras import ops

import base_attentive.layers.sublayer_call as sublayer_call
from base_attentive import BaseAttentive


def _model(objective):
    return BaseAttentive(
        static_input_dim=2,
        dynamic_input_dim=3,
        future_input_dim=2,
        output_dim=1,
        forecast_horizon=4,
        quantiles=[0.1, 0.5, 0.9],
        embed_dim=8,
        hidden_units=8,
        lstm_units=8,
        attention_units=8,
        num_heads=2,
        memory_size=5,
        objective=objective,
    )


def _inputs(rng):
    return [
        rng.normal(size=(4, 2)).astype("float32"),
        rng.normal(size=(4, 6, 3)).astype("float32"),
        rng.normal(size=(4, 4, 2)).astype("float32"),
    ]


def _through_keras_call(layer, *args, training=None, **kwargs):
    return layer(*args, training=training, **kwargs)


def test_same_forecasts_as_keras_layer_call(rng, monkeypatch):
    """The direct sublayer calls compute what Layer.__call__ computes."""
    inputs = _inputs(rng)
    for objective in ("hybrid", "transformer"):
        model = _model(objective)
        fast = ops.convert_to_numpy(model(inputs, training=False))
        with monkeypatch.context() as patch:
            for module in _modules_using_call_sublayer():
                patch.setattr(module, "call_sublayer", _through_keras_call)
            slow = ops.convert_to_numpy(model(inputs, training=False))
        np.testing.assert_allclose(fast, slow, rtol=1e-6, atol=1e-6)


def test_training_flag_reaches_the_dropout_layers(rng):
    """training=True is passed down: dropout makes two calls differ;
    training=False gives the same forecast twice."""
    model = _model("hybrid")
    inputs = _inputs(rng)
    first, second = (ops.convert_to_numpy(model(inputs, training=True)) for _ in "ab")
    assert not np.allclose(first, second)
    first, second = (ops.convert_to_numpy(model(inputs, training=False)) for _ in "ab")
    np.testing.assert_array_equal(first, second)


def test_unbuilt_layer_goes_through_keras_call():
    dense = keras.layers.Dense(3)
    outputs = sublayer_call.call_sublayer(dense, np.ones((2, 4), "float32"))
    assert dense.built and tuple(outputs.shape) == (2, 3)


def _modules_using_call_sublayer():
    import sys

    return [
        module
        for name, module in sys.modules.items()
        if name.startswith("base_attentive.")
        and getattr(module, "call_sublayer", None) is sublayer_call.call_sublayer
    ]


def test_remat_scope_goes_through_keras_call(rng):
    """Under keras.RematScope the sublayers keep Layer.__call__ (which
    rematerialises); the forecasts are those of the plain model."""
    inputs = _inputs(rng)
    plain = _model("hybrid")
    expected = ops.convert_to_numpy(plain(inputs, training=False))
    with keras.RematScope(mode="full"):
        remat = _model("hybrid")
        remat(inputs)
    remat.set_weights(plain.get_weights())
    assert sublayer_call._needs_keras_call(remat.static_enrichment.hidden)
    assert not sublayer_call._needs_keras_call(plain.static_enrichment.hidden)
    np.testing.assert_allclose(
        ops.convert_to_numpy(remat(inputs, training=False)), expected, atol=1e-6
    )
