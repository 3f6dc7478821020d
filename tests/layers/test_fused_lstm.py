import keras
import numpy as np
import pytest
from keras import ops

from base_attentive.layers import FusedLSTM
from tests.helpers import run_layer_test


def test_fused_lstm_standard_checks(tmp_path, rng):
    run_layer_test(
        FusedLSTM,
        {"units": 4, "return_sequences": True},
        [rng.normal(size=(3, 7, 5)).astype("float32")],
        (3, 7, 4),
        tmp_path,
    )


@pytest.mark.parametrize("return_sequences", [True, False])
def test_fused_lstm_computes_what_keras_lstm_computes(rng, return_sequences):
    """Same weights, same numbers, also for the gradients (on PyTorch this
    compares the fused kernel with Keras' own recurrence)."""
    x = rng.normal(size=(4, 9, 3)).astype("float32")
    h = rng.normal(size=(4, 5)).astype("float32")
    c = rng.normal(size=(4, 5)).astype("float32")
    fused = FusedLSTM(5, return_sequences=return_sequences)
    plain = keras.layers.LSTM(5, return_sequences=return_sequences)
    fused(x), plain(x)
    plain.set_weights(fused.get_weights())
    for layer in (fused, plain):
        assert [w.shape for w in layer.weights] == [(3, 20), (5, 20), (20,)]
    np.testing.assert_allclose(
        ops.convert_to_numpy(fused(x, initial_state=[h, c])),
        ops.convert_to_numpy(plain(x, initial_state=[h, c])),
        rtol=1e-5,
        atol=1e-5,
    )


def test_fused_lstm_trains_like_keras_lstm(rng):
    x = rng.normal(size=(8, 6, 3)).astype("float32")
    y = rng.normal(size=(8, 4)).astype("float32")
    models = []
    for layer_cls in (FusedLSTM, keras.layers.LSTM):
        model = keras.Sequential([keras.Input((6, 3)), layer_cls(4)])
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    for model in models:
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    for a, b in zip(models[0].get_weights(), models[1].get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_dropout_in_training_falls_back_to_the_generic_loop(rng):
    layer = FusedLSTM(4, dropout=0.5)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    a = ops.convert_to_numpy(layer(x, training=True))
    b = ops.convert_to_numpy(layer(x, training=True))
    assert not np.allclose(a, b)
