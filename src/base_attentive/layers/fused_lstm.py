"""Keras' LSTM, run by a framework's fused LSTM kernel where one applies."""

import keras

from base_attentive import kernels


@keras.saving.register_keras_serializable(package="base_attentive")
class FusedLSTM(keras.layers.LSTM):
    """`keras.layers.LSTM` with the same weights and numbers, run by a fused kernel.

    ``inner_loop`` first asks `base_attentive.kernels.lstm` for a fused
    kernel; on PyTorch that is ``torch.lstm`` on every device, where Keras
    loops over time steps in Python on CPU. Where no fused kernel applies
    (TensorFlow and JAX, whose compiled loops are already fused, or a
    configuration the kernel does not cover) it runs Keras' own
    implementation, as `keras.layers.LSTM` falls back from its cuDNN path.
    It computes what `keras.layers.LSTM` computes, to float rounding, and
    saves and loads the same weights.

    Args:
        As `keras.layers.LSTM`.

    Example:

    >>> lstm = FusedLSTM(8, return_sequences=True)
    >>> tuple(lstm(np.zeros((2, 5, 3), "float32")).shape)
    (2, 5, 8)
    """

    def inner_loop(self, sequences, initial_state, mask, training=False):
        try:
            return kernels.lstm(self, sequences, initial_state, mask, training)
        except NotImplementedError:
            return super().inner_loop(sequences, initial_state, mask, training)
