import keras
import numpy as np
import pytest
from keras import ops

from base_attentive import kernels
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
    """On PyTorch the sequence goes to torch.lstm in one call (kernels.lstm);
    elsewhere no kernel applies and the layer runs Keras' LSTM loop."""
    fused, _ = _pair(rng, 5, return_sequences=True)
    x = rng.normal(size=(3, 9, 5)).astype("float32")
    if keras.backend.backend() != "torch":
        with pytest.raises(NotImplementedError):
            kernels.lstm(fused, x, [np.zeros((3, 6), "float32")] * 2, None, False)
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


@pytest.mark.parametrize(
    "kwargs", [{"go_backwards": True}, {"dropout": 0.5}, {"activation": "relu"}]
)
def test_configurations_without_a_fused_kernel_run_keras_loop(rng, kwargs):
    """go_backwards, input dropout and other activations are not fused; the
    layer still computes what keras.layers.LSTM computes."""
    fused, reference = _pair(rng, 5, return_sequences=True, **kwargs)
    state = [np.zeros((3, 6), "float32")] * 2
    x = rng.normal(size=(3, 9, 5)).astype("float32")
    with pytest.raises(NotImplementedError):
        kernels.lstm(fused, x, state, None, False)
    np.testing.assert_allclose(
        ops.convert_to_numpy(fused(x)),
        ops.convert_to_numpy(reference(x)),
        rtol=1e-5,
        atol=1e-5,
    )
