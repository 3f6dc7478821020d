import keras
import numpy as np
import pytest
from keras import ops

from base_attentive.layers import FusedLSTM
from tests.helpers import run_layer_test


def _pair(rng, input_width, **kwargs):
    """A FusedLSTM and a keras LSTM holding the same weights."""
    fused = FusedLSTM(6, **kwargs)
    reference = keras.layers.LSTM(6, **kwargs)
    fused.build((3, 9, input_width))
    reference.build((3, 9, input_width))
    weights = [rng.normal(size=w.shape).astype("float32") for w in fused.weights]
    fused.set_weights(weights)
    reference.set_weights(weights)
    return fused, reference


def test_fused_lstm_standard_checks(tmp_path, rng):
    run_layer_test(
        FusedLSTM,
        {"units": 4, "return_sequences": True},
        [rng.normal(size=(2, 7, 5)).astype("float32")],
        (2, 7, 4),
        tmp_path,
    )


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("training", [False, True])
def test_same_outputs_as_keras_lstm(rng, return_sequences, training):
    fused, reference = _pair(rng, 5, return_sequences=return_sequences)
    x = rng.normal(size=(3, 9, 5)).astype("float32")
    state = [rng.normal(size=(3, 6)).astype("float32") for _ in range(2)]
    np.testing.assert_allclose(
        ops.convert_to_numpy(fused(x, initial_state=state, training=training)),
        ops.convert_to_numpy(reference(x, initial_state=state, training=training)),
        rtol=1e-5,
        atol=1e-5,
    )


def test_same_training_step_as_keras_lstm(rng):
    """Same gradients: one SGD step leaves both layers with the same weights."""
    x = rng.normal(size=(3, 9, 5)).astype("float32")
    y = rng.normal(size=(3, 9, 6)).astype("float32")
    layers = _pair(rng, 5, return_sequences=True)
    for layer in layers:
        inputs = keras.Input((9, 5))
        model = keras.Model(inputs, layer(inputs))
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
        model.train_on_batch(x, y)
    for fused_weight, reference_weight in zip(
        *(layer.weights for layer in layers), strict=True
    ):
        np.testing.assert_allclose(
            ops.convert_to_numpy(fused_weight),
            ops.convert_to_numpy(reference_weight),
            rtol=1e-5,
            atol=1e-5,
        )


def test_torch_runs_the_fused_kernel(rng, monkeypatch):
    """On PyTorch the sequence goes to torch.lstm in one call; elsewhere the
    layer is Keras' LSTM (its compiled loop)."""
    fused, _ = _pair(rng, 5, return_sequences=True)
    x = rng.normal(size=(3, 9, 5)).astype("float32")
    if keras.backend.backend() != "torch":
        assert not fused._fused_on_torch(mask=None)
        return
    import torch

    calls = []
    original = torch.lstm

    def counting_lstm(*args):
        calls.append(args[0].shape)
        return original(*args)

    monkeypatch.setattr(torch, "lstm", counting_lstm)
    fused(x)
    assert calls == [torch.Size([3, 9, 5])]


def test_other_configurations_use_keras_loop(rng):
    """go_backwards and dropout are not fused; they still match Keras."""
    fused, reference = _pair(rng, 5, return_sequences=True, go_backwards=True)
    assert not fused._fused_on_torch(mask=None)
    x = rng.normal(size=(3, 9, 5)).astype("float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(fused(x)),
        ops.convert_to_numpy(reference(x)),
        rtol=1e-5,
        atol=1e-5,
    )
