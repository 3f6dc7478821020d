"""LSTM with a fused PyTorch CPU path; generic Keras LSTM everywhere else."""

import keras

_DEFAULT_ACTIVATIONS = (keras.activations.tanh, keras.activations.sigmoid)


@keras.saving.register_keras_serializable(package="base_attentive")
class FusedLSTM(keras.layers.LSTM):
    """`keras.layers.LSTM` with a fused recurrent loop on PyTorch.

    Keras runs the LSTM recurrence as a Python loop over time steps on
    PyTorch when no CUDA device is present. This layer hands the recurrence
    to PyTorch's fused LSTM kernel (``torch._VF.lstm``, the kernel behind
    ``torch.nn.LSTM``) instead, keeping the weights, their layout and the
    maths of `keras.layers.LSTM` (gate order i, f, c, o; one bias). It is the
    only per-backend fast path of the network and follows Keras' own cuDNN
    pattern (``LSTM.inner_loop``): whenever the fused kernel does not apply
    (another backend, a mask, dropout inside the recurrence, non-default
    activations), the generic Keras code runs. A `.keras` file saved with it
    loads on every backend.

    Arguments, call arguments and returns: as `keras.layers.LSTM`.
    """

    def _fused_torch_applies(self, mask, training):
        return (
            keras.backend.backend() == "torch"
            and mask is None
            and not self.go_backwards
            and not self.unroll
            and self.cell.use_bias
            and (self.cell.activation, self.cell.recurrent_activation)
            == _DEFAULT_ACTIVATIONS
            and not (training and (self.dropout or self.recurrent_dropout))
        )

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if keras.tree.is_nested(mask):
            mask = mask[0]
        if not self._fused_torch_applies(mask, training):
            return super().inner_loop(sequences, initial_state, mask, training)
        import torch

        kernel = self.cell.kernel.value
        recurrent_kernel = self.cell.recurrent_kernel.value
        bias = self.cell.bias.value
        params = [kernel.t(), recurrent_kernel.t(), bias, torch.zeros_like(bias)]
        state_h, state_c = initial_state
        outputs, last_h, last_c = torch._VF.lstm(
            sequences,
            (state_h.unsqueeze(0), state_c.unsqueeze(0)),
            params,
            True,  # has biases
            1,  # num_layers
            0.0,  # dropout
            torch.is_grad_enabled(),
            False,  # bidirectional
            True,  # batch_first
        )
        last_h, last_c = last_h.squeeze(0), last_c.squeeze(0)
        if not self.return_sequences:
            outputs = last_h.unsqueeze(1)
        return last_h, outputs, [last_h, last_c]
