"""A compiled prediction function for a built model, on every backend.

This module is the one place with per-backend code in the model package: it
only chooses how to compile ``model(inputs, training=False)`` (the network
itself is the same `keras.ops` code on every backend). Frameworks are
imported inside the functions.
"""

import keras
import numpy as np
from keras import ops


def make_fast_predict_fn(model, jit_compile="auto"):
    """Returns ``predict(inputs) -> np.ndarray``, compiled for the backend.

    The returned function computes exactly ``model(inputs, training=False)``
    (the same numbers as ``model.predict``) with less per-call overhead:

    - JAX: ``jax.jit`` over ``model.stateless_call``; the current weights are
      read on every call (no donation or copying of the model state). A
      BaseAttentive model shares this compiled function with its eager
      calls (`base_attentive.models.eager_jit.EagerJit`), so ``model(x)``
      and ``predict(x)`` compile once per input shape between them.
    - TensorFlow: ``tf.function`` (XLA unless ``jit_compile=False``),
      ``reduce_retracing=True``.
    - PyTorch: by default the eager model under ``torch.no_grad()`` (no
      autograd bookkeeping). With ``jit_compile=True``, ``torch.compile``
      (TorchDynamo + Inductor, fixed shapes) over ``model.stateless_call``.
      It was measured on the reference model (batch 32, 2 CPU cores) at
      2.5x less time per batch (37 -> 15 ms), after a first call that
      compiles for 80 to 150 s and needs a C++ compiler. Since then the
      eager path itself has come down to 15-17 ms per batch (`FusedLSTM`,
      `call_sublayer`), so the gain left for ``torch.compile`` is small; it
      has not been measured again. Hence opt-in.

    Inputs of a new shape (e.g. another batch size or lookback) trigger one
    new compilation on JAX, on TensorFlow and with ``torch.compile``; keep
    batch shapes fixed for the lowest latency.

    Args:
        model: a built `BaseAttentive` (or any built Keras model).
        jit_compile: ``"auto"`` (default: XLA on TensorFlow, ``jax.jit`` on
            JAX, eager on PyTorch), True (also ``torch.compile`` on
            PyTorch) or False (no XLA on TensorFlow; JAX always compiles).

    Returns:
        A function taking the model's inputs (list or dict of arrays) and
        returning the predictions as a NumPy array.

    Example:
    >>> predict = make_fast_predict_fn(model)
    >>> forecasts = predict([static, dynamic, future])
    """
    if not model.built:
        raise ValueError(
            "`make_fast_predict_fn` needs a built model: call the model once "
            "(or fit it, or load it) first."
        )
    if jit_compile not in ("auto", True, False):
        raise ValueError(
            f"`jit_compile` must be 'auto', True or False. Received: {jit_compile!r}"
        )
    backend = keras.backend.backend()
    if backend == "jax":
        return _jax_predict_fn(model)
    if backend == "tensorflow":
        return _tensorflow_predict_fn(model, jit_compile is not False)
    if backend == "torch":
        if jit_compile is True:
            return _torch_compiled_predict_fn(model)
        return _torch_predict_fn(model)
    raise NotImplementedError(
        f"No fast prediction path for the Keras backend {backend!r}; use model.predict."
    )


def _as_float_arrays(inputs, dtype):
    return keras.tree.map_structure(
        lambda part: None if part is None else np.asarray(part, dtype=dtype), inputs
    )


def _jax_predict_fn(model):
    from base_attentive.models.eager_jit import EagerJit

    eager_jit = getattr(model, "_eager_jit", None) or EagerJit(model)

    def predict(inputs):
        inputs = _as_float_arrays(inputs, model.compute_dtype)
        outputs, _ = eager_jit.forward(inputs, training=False)
        return ops.convert_to_numpy(outputs)

    return predict


def _torch_compiled_predict_fn(model):
    """`torch.compile` over the stateless forward pass; the current weights
    are read at every call (no copy or donation of the model state)."""
    import torch

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
            _as_float_arrays(inputs, model.compute_dtype),
        )
        with torch.no_grad():
            return ops.convert_to_numpy(run(trainable, non_trainable, inputs))

    return predict


def _tensorflow_predict_fn(model, jit_compile):
    import tensorflow as tf

    run = tf.function(
        lambda inputs: model(inputs, training=False),
        jit_compile=jit_compile,
        reduce_retracing=True,
    )

    def predict(inputs):
        return run(_as_float_arrays(inputs, model.compute_dtype)).numpy()

    return predict


def _torch_predict_fn(model):
    import torch

    def predict(inputs):
        inputs = _as_float_arrays(inputs, model.compute_dtype)
        with torch.no_grad():
            return ops.convert_to_numpy(model(inputs, training=False))

    return predict
