"""A compiled prediction function for a built model, on every backend.

This module is the one place with per-backend code in the model package: it
only chooses how to compile ``model(inputs, training=False)`` (the network
itself is the same `keras.ops` code on every backend). Frameworks are
imported inside the functions.
"""

import keras
import numpy as np
from keras import ops


def make_fast_predict_fn(model, jit_compile=True):
    """Returns ``predict(inputs) -> np.ndarray``, compiled for the backend.

    The returned function computes exactly ``model(inputs, training=False)``
    (the same numbers as ``model.predict``) with less per-call overhead:

    - JAX: ``jax.jit`` over ``model.stateless_call``; the current weights are
      read on every call (no donation or copying of the model state).
    - TensorFlow: ``tf.function`` (XLA when ``jit_compile=True``),
      ``reduce_retracing=True``.
    - PyTorch: the eager model under ``torch.no_grad()`` (no autograd
      bookkeeping).

    Inputs of a new shape (e.g. another batch size or lookback) trigger one
    new compilation on JAX and TensorFlow; keep batch shapes fixed for the
    lowest latency.

    Args:
        model: a built `BaseAttentive` (or any built Keras model).
        jit_compile: bool, use XLA on TensorFlow (default True). JAX always
            compiles; PyTorch runs eagerly.

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
    backend = keras.backend.backend()
    if backend == "jax":
        return _jax_predict_fn(model)
    if backend == "tensorflow":
        return _tensorflow_predict_fn(model, jit_compile)
    if backend == "torch":
        return _torch_predict_fn(model)
    raise NotImplementedError(
        f"No fast prediction path for the Keras backend {backend!r}; use model.predict."
    )


def _as_float_arrays(inputs, dtype):
    return keras.tree.map_structure(
        lambda part: None if part is None else np.asarray(part, dtype=dtype), inputs
    )


def _jax_predict_fn(model):
    import jax

    @jax.jit
    def run(trainable, non_trainable, inputs):
        outputs, _ = model.stateless_call(
            trainable, non_trainable, inputs, training=False
        )
        return outputs

    def predict(inputs):
        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        inputs = _as_float_arrays(inputs, model.compute_dtype)
        return np.asarray(run(trainable, non_trainable, inputs))

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
