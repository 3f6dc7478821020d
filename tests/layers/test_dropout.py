import keras
import numpy as np
import pytest
from keras import ops

from base_attentive.layers import Dropout
from tests.helpers import LayerProbe

BACKEND = keras.backend.backend()
SIZE = 200_000


@pytest.fixture(autouse=True)
def _seeded():
    # Unseeded layers draw from Python's `random` (TF, JAX) or PyTorch's
    # global generator: seeding both keeps the statistical checks fixed.
    keras.utils.set_random_seed(0)


def _train(layer, x):
    return ops.convert_to_numpy(layer(x, training=True))


def _gradient(layer, x):
    """d sum(layer(x, training=True)) / dx, and the output of that same call."""
    if BACKEND == "jax":
        import jax

        def total(inputs):
            out, _ = layer.stateless_call(
                [], layer.non_trainable_variables, inputs, training=True
            )
            return out.sum(), out

        grad, out = jax.grad(total, has_aux=True)(x)
    elif BACKEND == "tensorflow":
        import tensorflow as tf

        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = layer(x, training=True)
            total = tf.reduce_sum(out)
        grad = tape.gradient(total, x)
    else:
        import torch

        x = torch.tensor(x, requires_grad=True)
        out = layer(x, training=True)
        out.sum().backward()
        grad = x.grad
    return ops.convert_to_numpy(grad), ops.convert_to_numpy(out)


def test_inference_is_identity(rng):
    x = rng.normal(size=(4, 7, 5)).astype("float32")
    np.testing.assert_array_equal(ops.convert_to_numpy(Dropout(0.5)(x)), x)


@pytest.mark.parametrize("rate", [0.1, 0.5])
def test_keeps_one_minus_rate_and_scales_kept_values(rate):
    out = _train(Dropout(rate), np.ones((SIZE // 500, 500), "float32"))
    kept = out != 0
    assert abs(kept.mean() - (1 - rate)) < 0.004
    np.testing.assert_allclose(out[kept], 1 / (1 - rate), rtol=1e-6)
    # Unbiased: the mean of the output is the mean of the input.
    assert abs(out.mean() - 1.0) < 0.01


def test_masks_are_independent_across_elements_and_calls():
    rate = 0.5
    layer = Dropout(rate)
    x = np.ones((SIZE,), "float32")
    first, second = (_train(layer, x) == 0 for _ in range(2))
    # Drops of neighbours, and of the same element in two calls, are
    # independent: both dropped with probability rate**2.
    assert abs((first[:-1] & first[1:]).mean() - rate**2) < 0.005
    assert abs((first & second).mean() - rate**2) < 0.005


def test_backward_uses_the_forward_mask(rng):
    x = rng.uniform(1.0, 2.0, size=(32, 24, 16)).astype("float32")
    grad, out = _gradient(Dropout(0.3), x)
    kept = out != 0
    assert 0.6 < kept.mean() < 0.8
    np.testing.assert_allclose(grad, kept / 0.7, rtol=1e-6)


def test_compiled_calls_draw_new_masks():
    """Under `predict`'s compiled function the seed advances every batch."""
    probe = LayerProbe(Dropout(0.5), call_kwargs={"training": True})
    x = np.ones((64, 300), "float32")
    first = probe.predict([x], batch_size=32, verbose=0) == 0
    second = probe.predict([x], batch_size=32, verbose=0) == 0
    assert not np.array_equal(first[:32], first[32:])
    assert not np.array_equal(first, second)
    assert abs(first.mean() - 0.5) < 0.03


def test_seeded_layers_repeat():
    x = np.ones((50, 40), "float32")
    np.testing.assert_array_equal(
        _train(Dropout(0.4, seed=3), x), _train(Dropout(0.4, seed=3), x)
    )


def test_noise_shape_broadcasts_the_mask():
    out = _train(Dropout(0.5, noise_shape=(1, 400)), np.ones((6, 400), "float32"))
    assert (out == out[0]).all()
    assert 0.3 < (out[0] == 0).mean() < 0.7


def test_rate_zero_is_identity_in_training(rng):
    x = rng.normal(size=(3, 8)).astype("float32")
    np.testing.assert_array_equal(_train(Dropout(0.0), x), x)


def test_keeps_low_precision_dtype():
    layer = Dropout(0.5, dtype="mixed_bfloat16")
    out = layer(ops.ones((10, 100), dtype="bfloat16"), training=True)
    assert ops.convert_to_numpy(ops.cast(out, "float32")).max() == 2.0
    assert keras.backend.standardize_dtype(out.dtype) == "bfloat16"


def test_noise_shape_and_rates_the_fast_mask_does_not_cover_match_keras_dropout():
    """Where the backend kernel does not apply, the layer is Keras' dropout:
    the same seed gives the same mask."""
    x = np.ones((6, 400), "float32")
    for kwargs in ({"noise_shape": (1, 400)}, {}):
        ours = _train(Dropout(0.5, seed=11, **kwargs), x)
        keras_layer = keras.layers.Dropout(0.5, seed=11, **kwargs)
        expected = ops.convert_to_numpy(keras_layer(x, training=True))
        if kwargs or BACKEND != "jax":
            np.testing.assert_array_equal(ours, expected)
        else:  # JAX: same keep rate, mask drawn by the kernel
            assert abs((ours == 0).mean() - 0.5) < 0.03


def test_config_round_trip():
    layer = Dropout(0.25, noise_shape=(None, 1), seed=7, name="drop")
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(layer)
    )
    assert type(restored) is Dropout
    assert (restored.rate, restored.noise_shape, restored.seed) == (0.25, (None, 1), 7)
