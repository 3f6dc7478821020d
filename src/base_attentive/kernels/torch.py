"""PyTorch fast paths: thread settings, seeding, the fused LSTM, torch.compile.

Keras and PyTorch are imported inside the functions, so that the thread
setting below can be read and applied before PyTorch starts.
"""

from base_attentive.kernels import as_input_arrays

# One intra-op thread on CPU: this model's operations are small (batches of
# a few hundred windows, widths of 16 to 64), and splitting each over threads
# costs more than it gains (measured in docs/benchmarks.md, "Kernels"). Set
# OMP_NUM_THREADS yourself to override. Keras imports TensorFlow when it is
# installed (saving checks for TensorFlow types); with oneDNN off its
# start-up notices stay quiet, and nothing changes, since TensorFlow computes
# nothing here.
ENVIRONMENT_DEFAULTS = {"OMP_NUM_THREADS": "1", "TF_ENABLE_ONEDNN_OPTS": "0"}


def seed_global_generator(seed):
    """``torch.manual_seed(seed)``.

    Keras' dropout without an explicit seed (``Dropout(seed=None)``, as in
    every BaseAttentive layer) calls `torch.nn.functional.dropout`, which
    draws from PyTorch's global generator, not from Python's `random`.
    """
    import torch

    torch.manual_seed(seed)


def lstm(layer, sequences, initial_state, mask, training):
    """Runs a `keras.layers.LSTM` through ``torch.lstm``, PyTorch's fused kernel.

    On CPU, Keras' PyTorch LSTM projects the inputs of all steps at once,
    then loops over time steps in Python (about ten small operations per
    step, each recorded by autograd). ``torch.lstm``, the ATen kernel behind
    `torch.nn.LSTM`, runs the whole sequence in one call. On CUDA, Keras
    already runs cuDNN's fused LSTM, so this kernel is for the CPU alone.
    The gate order (i, f, c, o) is the same in both
    libraries and Keras adds its one bias once, so this computes what Keras
    computes, to float rounding, with the same weights.

    Raises:
        NotImplementedError: for a configuration ``torch.lstm`` does not
            cover (a mask, input or recurrent dropout, ``go_backwards``,
            ``unroll``, no bias, activations other than tanh / sigmoid), and
            for inputs on another device than the CPU.
    """
    import keras
    import torch
    from keras import ops

    cell = layer.cell
    if (
        mask is not None
        or cell.dropout
        or cell.recurrent_dropout
        or layer.go_backwards
        or layer.unroll
        or not cell.use_bias
        or cell.activation is not keras.activations.tanh
        or cell.recurrent_activation is not keras.activations.sigmoid
    ):
        raise NotImplementedError
    inputs = ops.convert_to_tensor(sequences)
    if inputs.device.type != "cpu":
        raise NotImplementedError
    kernel = ops.convert_to_tensor(cell.kernel)
    recurrent_kernel = ops.convert_to_tensor(cell.recurrent_kernel)
    bias = ops.convert_to_tensor(cell.bias)
    inputs = inputs.to(kernel.dtype)
    h, c = (ops.convert_to_tensor(s).to(kernel.dtype) for s in initial_state)
    # torch.lstm wants (4u, in) weights and two biases; Keras has one.
    params = [kernel.T, recurrent_kernel.T, bias, torch.zeros_like(bias)]
    outputs, h_n, c_n = torch.lstm(
        inputs,
        (h.unsqueeze(0), c.unsqueeze(0)),
        params,
        True,  # has_biases
        1,  # num_layers
        0.0,  # dropout
        bool(training) and torch.is_grad_enabled(),  # train
        False,  # bidirectional
        True,  # batch_first
    )
    last_output = outputs[:, -1]
    if not layer.return_sequences:
        outputs = last_output.unsqueeze(1)
    return last_output, outputs, [h_n.squeeze(0), c_n.squeeze(0)]


def predict_function(model, jit_compile):
    """`torch.compile` of the forward pass, when asked for (``jit_compile=True``).

    ``torch.compile`` (TorchDynamo + Inductor, fixed shapes) over
    ``model.stateless_call``, reading the current weights at every call. Its
    first call compiles for minutes and needs a C++ compiler, hence opt-in.

    Raises:
        NotImplementedError: for ``jit_compile`` ``"auto"`` or False: Keras'
            own prediction step (eager, under ``torch.no_grad()``) is as fast
            as an eager call here would be (docs/benchmarks.md, "Kernels").
    """
    if jit_compile is not True:
        raise NotImplementedError
    import keras
    import torch
    from keras import ops

    def forward(trainable, non_trainable, inputs):
        outputs, _ = model.stateless_call(
            trainable, non_trainable, inputs, training=False
        )
        return outputs

    run = torch.compile(forward, dynamic=False)

    def predict(inputs):
        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        inputs = keras.tree.map_structure(
            lambda part: None if part is None else torch.as_tensor(part),
            as_input_arrays(inputs, model.compute_dtype),
        )
        with torch.no_grad():
            return ops.convert_to_numpy(run(trainable, non_trainable, inputs))

    return predict


def export_model(model, path, format, signature):
    """PyTorch's export routes, each with a dynamic batch axis.

    - ``onnx``: PyTorch's dynamo exporter (Keras' TorchScript route fails
      on a dynamic batch);
    - ``torch``: Keras' ``torch.export`` route, the batch a `Dim`;
    - ``tf_saved_model``: Keras on TensorFlow, in a TensorFlow process, from
      the model's ``.keras`` (Keras' own route needs torch_xla).

    Returns:
        str: the backend that made the artifact.
    """
    import torch

    if format == "tf_saved_model":
        from base_attentive.artifacts import saved_model_on_tensorflow

        shapes = {spec.name: tuple(spec.shape[1:]) for spec in signature}
        saved_model_on_tensorflow(model, path, shapes)
        return "tensorflow"
    batch = torch.export.Dim("batch", min=1)
    if format == "torch":
        model.export(
            path,
            format=format,
            verbose=False,
            input_signature=[signature],
            dynamic_shapes=[([{0: batch}] * len(signature),)],
        )
        return "torch"
    if format != "onnx":
        raise NotImplementedError(f"no {format!r} export route of its own on torch")
    _onnx_export(model, path, signature, batch)
    return "torch"


def _onnx_export(model, path, signature, batch):
    """ONNX through the dynamo exporter, the batch axis dynamic."""
    import keras
    import torch

    class _Inputs(torch.nn.Module):
        """The model over its three inputs, positional (ONNX has no lists)."""

        def __init__(self, wrapped):
            super().__init__()
            self.wrapped = wrapped

        def forward(self, static, dynamic, future):
            return self.wrapped([static, dynamic, future], training=False)

    # A sample batch of 2: torch.export fixes dimensions traced at size 1.
    sample = tuple(keras.ops.zeros((2, *spec.shape[1:])) for spec in signature)
    program = torch.onnx.export(
        _Inputs(model).eval(),
        sample,
        input_names=[spec.name for spec in signature],
        output_names=["forecast"],
        dynamic_shapes=tuple({0: batch} for _ in signature),
        dynamo=True,
        verbose=False,
    )
    program.optimize()
    program.save(path)
