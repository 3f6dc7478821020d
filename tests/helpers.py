"""One shared test helper for every layer and model (compare Keras'
``testing/test_case.py::run_layer_test``).

`run_layer_test` checks, for a layer: config round trip, symbolic call,
eager call, one training step that changes the weights, and a `.keras`
save/load that reproduces the outputs. `run_model_test` does the same for a
whole model.
"""

import os

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="base_attentive_tests")
class LayerProbe(keras.Model):
    """Wraps one layer so it can be fitted and saved like a model.

    Calls ``layer(*inputs, **call_kwargs)`` and returns the first output
    tensor (layers such as the VSN return several).
    """

    def __init__(self, layer, call_kwargs=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(layer, dict):
            layer = keras.saving.deserialize_keras_object(layer)
        self.layer = layer
        self.call_kwargs = dict(call_kwargs or {})

    def build(self, input_shape):
        self.layer(*[keras.KerasTensor(shape) for shape in input_shape])
        self.built = True

    def call(self, inputs):
        outputs = self.layer(*inputs, **self.call_kwargs)
        return keras.tree.flatten(outputs)[0]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "layer": keras.saving.serialize_keras_object(self.layer),
                "call_kwargs": self.call_kwargs,
            }
        )
        return config


def _numpy(x):
    return keras.tree.map_structure(ops.convert_to_numpy, x)


def _shapes(x):
    return keras.tree.map_structure(lambda t: tuple(t.shape), x)


def _assert_trains_and_reloads(model, inputs, tmp_path, target_shape):
    """One fit step changes the weights; `.keras` round trip keeps outputs."""
    model(inputs)
    before = [np.array(w) for w in model.trainable_weights]
    rng = np.random.default_rng(1)
    target = rng.normal(size=target_shape).astype("float32")
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    history = model.fit(inputs, target, epochs=1, batch_size=len(target), verbose=0)
    assert np.isfinite(history.history["loss"][0])
    after = [np.array(w) for w in model.trainable_weights]
    assert any(not np.allclose(b, a) for b, a in zip(before, after, strict=True))

    expected = _numpy(model(inputs, training=False))
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(
        _numpy(restored(inputs, training=False)), expected, rtol=1e-5, atol=1e-5
    )
    return restored


def run_layer_test(
    layer_cls,
    init_kwargs,
    input_data,
    expected_output_shape,
    tmp_path,
    call_kwargs=None,
):
    """Runs the standard checks on ``layer_cls(**init_kwargs)``.

    Args:
        layer_cls: the layer class.
        init_kwargs: constructor arguments.
        input_data: list of NumPy arrays, the positional call arguments.
        expected_output_shape: shape (or structure of shapes) of the output.
        tmp_path: folder for the `.keras` file.
        call_kwargs: extra keyword arguments of the call.
    """
    call_kwargs = call_kwargs or {}
    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    for key in init_kwargs:
        assert key in config, f"get_config() lacks constructor argument {key!r}"
    assert layer_cls.from_config(config).get_config() == config

    symbolic = [keras.KerasTensor(x.shape, dtype=x.dtype) for x in input_data]
    assert _shapes(layer(*symbolic, **call_kwargs)) == _shapes_of(expected_output_shape)

    eager = layer_cls(**init_kwargs)
    assert _shapes(eager(*input_data, **call_kwargs)) == _shapes_of(
        expected_output_shape
    )

    probe = LayerProbe(layer_cls(**init_kwargs), call_kwargs=call_kwargs)
    first_shape = _first_shape(expected_output_shape)
    _assert_trains_and_reloads(probe, list(input_data), tmp_path, first_shape)


def _shapes_of(expected):
    if isinstance(expected, tuple) and all(isinstance(d, int) for d in expected):
        return expected
    return tuple(_shapes_of(e) for e in expected)


def _first_shape(expected):
    while not all(isinstance(d, int) for d in expected):
        expected = expected[0]
    return expected


def run_model_test(model_cls, init_kwargs, inputs, expected_output_shape, tmp_path):
    """Config round trip, symbolic and eager call, fit step, `.keras` reload."""
    model = model_cls(**init_kwargs)
    config = model.get_config()
    for key in init_kwargs:
        assert key in config, f"get_config() lacks constructor argument {key!r}"
    clone = model_cls.from_config(config)
    assert clone.get_config() == config

    symbolic = [
        None if x is None else keras.KerasTensor(x.shape, dtype=x.dtype) for x in inputs
    ]
    assert tuple(clone(symbolic).shape) == expected_output_shape
    assert tuple(model(inputs).shape) == expected_output_shape
    return _assert_trains_and_reloads(model, inputs, tmp_path, expected_output_shape)
