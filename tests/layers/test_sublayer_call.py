import keras
import numpy as np
from keras import ops

import base_attentive.layers.sublayer_call as sublayer_call
from tests.models.test_base_attentive import make_inputs, small


def _model(objective):
    return small(objective=objective, forecast_horizon=4, num_encoder_layers=2)


def _inputs(rng):
    return make_inputs(rng, batch=4, lookback=6, horizon=4)


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


def test_mixed_precision_and_quantized_layers_go_through_keras_call(rng):
    """Layers whose __call__ does real work (the autocast scope of a mixed
    policy, the quantized call) keep it."""
    mixed = keras.layers.Dense(3, dtype="mixed_float16")
    quantized = keras.layers.Dense(3)
    plain = keras.layers.Dense(3)
    for layer in (mixed, quantized, plain):
        layer.build((2, 4))
    quantized.quantize("int8")
    assert sublayer_call._needs_keras_call(mixed)
    assert sublayer_call._needs_keras_call(quantized)
    assert not sublayer_call._needs_keras_call(plain)
    x = rng.normal(size=(2, 4)).astype("float32")
    for layer in (mixed, quantized):
        np.testing.assert_allclose(
            ops.convert_to_numpy(sublayer_call.call_sublayer(layer, x)),
            ops.convert_to_numpy(layer(x)),
            rtol=1e-6,
        )


def test_remat_layers_run_rematerialised(rng, monkeypatch):
    """A layer created under keras.RematScope runs the rematerialised call
    Keras gives it (`Layer.rematerialized_call`), as under __call__; a plain
    layer runs its own `call`."""
    with keras.RematScope(mode="full"):
        remat = keras.layers.Dense(3)
    plain = keras.layers.Dense(3)
    ran = []
    for name, layer in (("remat", remat), ("plain", plain)):
        layer.build((2, 4))
        original = layer.rematerialized_call

        def spy(fn, *args, _original=original, _name=name, **kwargs):
            run = _original(fn, *args, **kwargs)
            ran.append((_name, run != fn))
            return run

        monkeypatch.setattr(layer, "rematerialized_call", spy)
    x = rng.normal(size=(2, 4)).astype("float32")
    for layer in (remat, plain):
        np.testing.assert_allclose(
            ops.convert_to_numpy(sublayer_call.call_sublayer(layer, x)),
            ops.convert_to_numpy(layer(x)),
            rtol=1e-6,
        )
    # call_sublayer asks Keras for the call to run (rematerialised for the
    # remat layer only); __call__ asks for the remat layer only.
    assert ran == [("remat", True), ("remat", True), ("plain", False)]
