"""Per-backend fast paths ("kernels"), each with a generic Keras fallback.

The network is written once, in `keras.ops`. Where one framework runs a
piece of it markedly faster through its own API, that fast path lives here,
in the module named after the framework (``kernels/jax.py``,
``kernels/torch.py``, ``kernels/tensorflow.py``), and nowhere else. Layers,
models and commands call the functions below; none of them branches on the
backend name. Each function asks the running backend's module for its
implementation; a backend without one, or an input its fast path does not
cover, raises `NotImplementedError`, and the generic code runs instead (the
pattern of Keras' ``LSTM.inner_loop``, which calls ``backend.lstm`` and
falls back to its own loop on `NotImplementedError`). The fast paths
compute what the fallbacks compute; their measured gains are in
docs/benchmarks.md ("Kernels").

Importing this package imports neither Keras nor a framework: the process
settings are applied before Keras starts. The framework modules import their
framework inside their functions.
"""

import importlib
import os

import numpy as np

from base_attentive.backend import get_backend

__all__ = [
    "compiled_forward",
    "configure_process",
    "export_model",
    "lstm",
    "predict_function",
    "seed_global_generator",
]

# Environment defaults for every backend, set before Keras starts: keep
# TensorFlow's C++ start-up logs out of the output.
ENVIRONMENT_DEFAULTS = {"TF_CPP_MIN_LOG_LEVEL": "2"}


def _fast_path(name):
    """The running backend's implementation of ``name``.

    Raises:
        NotImplementedError: if the backend has none.
    """
    module = importlib.import_module(f"{__name__}.{get_backend()}")
    implementation = getattr(module, name, None)
    if implementation is None:
        raise NotImplementedError(f"no {name!r} fast path on {get_backend()}")
    return implementation


def configure_process():
    """Sets the environment defaults of the backend about to run.

    Call before Keras is imported: the variables are read when the framework
    starts. A variable the user has set is left as it is. The defaults are
    `ENVIRONMENT_DEFAULTS` plus the backend's own (its module's
    ``ENVIRONMENT_DEFAULTS``, and what its ``process_environment()``
    computes), for example one intra-op thread on PyTorch and a temporary
    XLA compilation cache on JAX.

    Returns:
        dict: the defaults that apply, ``{variable: value}``.

    Example:

    >>> defaults = configure_process()
    >>> defaults["TF_CPP_MIN_LOG_LEVEL"]
    '2'
    """
    module = importlib.import_module(f"{__name__}.{get_backend()}")
    defaults = {**ENVIRONMENT_DEFAULTS, **module.ENVIRONMENT_DEFAULTS}
    computed = getattr(module, "process_environment", None)
    if computed is not None:
        defaults.update(computed())
    for variable, value in defaults.items():
        os.environ.setdefault(variable, value)
    return defaults


def seed_global_generator(seed):
    """Seeds the backend's own global random generator, where Keras uses it.

    Keras draws its default seeds (weight initialisers; dropout on TensorFlow
    and JAX) from Python's `random`, so seeding `random` makes those repeat.
    A backend whose layers draw from a generator of the framework (PyTorch:
    dropout without an explicit seed) seeds that generator too; on the
    others this does nothing. Unlike `keras.utils.set_random_seed` it never
    imports TensorFlow on another backend.

    Args:
        seed: int >= 0.

    Example:

    >>> seed_global_generator(0)
    """
    try:
        _fast_path("seed_global_generator")(seed)
    except NotImplementedError:
        return


def lstm(layer, sequences, initial_state, mask, training):
    """A framework's fused LSTM kernel for `keras.layers.LSTM` ``layer``.

    The fallback is Keras' own LSTM loop, which the caller holds (as
    ``keras.layers.LSTM.inner_loop`` holds its generic loop): this raises
    `NotImplementedError` where no fused kernel applies, and the caller runs
    ``super().inner_loop``. See `base_attentive.layers.FusedLSTM`.

    Args:
        layer: the `keras.layers.LSTM` being called (weights, configuration).
        sequences, initial_state, mask, training: as ``LSTM.inner_loop``.

    Returns:
        ``(last_output, outputs, [h, c])`` as ``LSTM.inner_loop``.

    Raises:
        NotImplementedError: if the backend or the configuration has no
            fused kernel.
    """
    return _fast_path("lstm")(layer, sequences, initial_state, mask, training)


def compiled_forward(model):
    """A compiled runner for eager calls of ``model``, or None.

    On JAX, an eager ``model(x)`` would run operation by operation, each
    operation compiled and cached by JAX; the returned object runs the whole
    forward pass as one compiled function instead (see ``kernels/jax.py``).
    None where the backend runs eager calls well by itself (the model then
    calls its own ``call``, as Keras does).

    Args:
        model: a `keras.Model` (not yet built is fine).

    Returns:
        An object with ``applies_to(inputs) -> bool``, ``forward(inputs,
        training) -> (outputs, non_trainable_values)`` and ``__call__(inputs,
        training) -> outputs``, or None.
    """
    try:
        return _fast_path("CompiledForward")(model)
    except NotImplementedError:
        return None


def predict_function(model, jit_compile="auto"):
    """Returns ``predict(inputs) -> np.ndarray`` computing ``model(inputs)``.

    The backend's fastest way to run ``model(inputs, training=False)``
    repeatedly (see `base_attentive.make_fast_predict_fn`, which checks the
    arguments). The fallback is Keras' own compiled prediction step,
    ``model.predict_on_batch``.

    Args:
        model: a built `keras.Model`.
        jit_compile: ``"auto"``, True or False.

    Returns:
        A function of the model's inputs returning a NumPy array.
    """
    try:
        return _fast_path("predict_function")(model, jit_compile)
    except NotImplementedError:
        return model.predict_on_batch


def export_model(model, path, format, signature):
    """Writes ``model`` as an artifact of ``format`` with a dynamic batch axis.

    The generic route is Keras' own ``model.export``; a backend whose Keras
    route fails or lacks a dynamic batch has its own (``kernels/torch.py``).

    Args:
        model: a built `keras.Model`.
        path: where to write the artifact.
        format: ``"onnx"``, ``"tf_saved_model"`` or ``"torch"``.
        signature: list of `keras.InputSpec`, one per input, batch axis
            None.

    Returns:
        str: the backend that made the artifact.
    """
    try:
        return _fast_path("export_model")(model, path, format, signature)
    except NotImplementedError:
        model.export(path, format=format, verbose=False, input_signature=[signature])
        return get_backend()


def as_input_arrays(inputs, dtype):
    """The model's inputs (list or dict) as NumPy arrays of ``dtype``.

    ``None`` parts (an absent input group) stay None. The prediction
    functions convert their inputs with this, once per call.
    """
    import keras

    return keras.tree.map_structure(
        lambda part: None if part is None else np.asarray(part, dtype=dtype), inputs
    )
