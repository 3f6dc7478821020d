import importlib

import keras
import numpy as np
import pytest

from base_attentive import make_fast_predict_fn
from tests.models.test_base_attentive import make_inputs, small


def test_fast_predict_matches_model_predict(rng):
    model = small()
    inputs = make_inputs(rng, batch=8)
    model(inputs)
    predict = make_fast_predict_fn(model)
    expected = model.predict(inputs, verbose=0)
    np.testing.assert_allclose(predict(inputs), expected, rtol=1e-5, atol=1e-5)
    # A second call (compiled path reused) and another batch size agree too.
    np.testing.assert_allclose(predict(inputs), expected, rtol=1e-5, atol=1e-5)
    fewer = [part[:3] for part in inputs]
    np.testing.assert_allclose(predict(fewer), expected[:3], rtol=1e-5, atol=1e-5)


def test_fast_predict_reads_current_weights(rng):
    model = small(static_input_dim=0, future_input_dim=0, quantiles=None)
    _, dynamic, _ = make_inputs(rng, batch=4)
    model([None, dynamic, None])
    predict = make_fast_predict_fn(model)
    before = predict([None, dynamic, None])
    model.set_weights([w * 1.5 for w in model.get_weights()])
    after = predict([None, dynamic, None])
    assert not np.allclose(before, after)
    np.testing.assert_allclose(
        after, model.predict([None, dynamic, None], verbose=0), rtol=1e-5, atol=1e-5
    )


def test_fast_predict_needs_a_built_model():
    with pytest.raises(ValueError, match="needs a built model"):
        make_fast_predict_fn(small())


@pytest.mark.parametrize("jit_compile", [True, False])
def test_every_compile_setting_matches_model_predict(rng, jit_compile):
    # jit_compile=True is torch.compile on PyTorch, XLA on TensorFlow.
    model = small()
    inputs = make_inputs(rng, batch=4)
    model(inputs)
    predict = make_fast_predict_fn(model, jit_compile=jit_compile)
    expected = model.predict(inputs, verbose=0)
    np.testing.assert_allclose(predict(inputs), expected, rtol=1e-5, atol=1e-5)


def test_jit_compile_is_validated(rng):
    model = small()
    model(make_inputs(rng, batch=2))
    with pytest.raises(ValueError, match="`jit_compile` must be 'auto', True or False"):
        make_fast_predict_fn(model, jit_compile="yes")


def test_fast_predict_works_for_any_built_keras_model(rng):
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
    x = rng.normal(size=(4, 5)).astype("float32")
    predict = make_fast_predict_fn(model)
    np.testing.assert_allclose(
        predict(x), model.predict(x, verbose=0), rtol=1e-5, atol=1e-5
    )


def test_fallback_without_a_backend_fast_path_is_keras_predict_on_batch(
    rng, monkeypatch
):
    """Where the backend module has no prediction kernel, the generic
    fallback (Keras' compiled predict step) gives the same numbers."""
    model = small()
    inputs = make_inputs(rng, batch=4)
    model(inputs)
    backend_kernels = importlib.import_module(
        f"base_attentive.kernels.{keras.backend.backend()}"
    )
    monkeypatch.delattr(backend_kernels, "predict_function", raising=False)
    predict = make_fast_predict_fn(model)
    assert predict == model.predict_on_batch
    np.testing.assert_allclose(
        predict(inputs), model.predict(inputs, verbose=0), rtol=1e-5, atol=1e-5
    )
