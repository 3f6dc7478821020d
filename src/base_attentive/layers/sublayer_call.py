"""Running a block's own sublayers without Keras' per-call bookkeeping."""

import functools
import inspect

import keras


def call_sublayer(layer, *args, training=None, **kwargs):
    """Runs ``layer``, a sublayer of the block whose ``call`` is running.

    `keras.layers.Layer.__call__` does framework work around ``call``:
    converting inputs to tensors of the compute dtype, building on first
    use, resolving ``training`` and masks from the call context, opening
    name and autocast scopes. For a sublayer called inside the ``call`` of
    a built block, the outermost ``__call__`` (the model's) has done that
    for the whole network: the inputs are already tensors of the compute
    dtype, ``training`` is resolved and passed down explicitly, and masks
    are not used. So once ``layer`` is built, this runs ``layer.call``
    directly, through ``layer.rematerialized_call`` as ``__call__`` does
    (it returns ``layer.call`` itself unless the layer was created under a
    `keras.RematScope`). It goes through ``layer(...)`` before the layer is
    built (the symbolic build pass, which builds it), for symbolic inputs
    (a symbolic pass after the sublayers were built: `compute_output_spec`
    before the model's own build; on PyTorch a sublayer's ``call`` cannot
    take a `KerasTensor`), under a mixed-precision policy (where ``__call__`` opens the scope that casts
    the variables) and for a quantized layer (``model.quantize``:
    ``__call__`` runs its ``quantized_call``).

    Why: on PyTorch every layer call of every training step runs in Python,
    and the bookkeeping of some 160 sublayer calls per step is a large part
    of the model's forward pass (measured in docs/benchmarks.md,
    "Kernels"). On TensorFlow and JAX it only shortens tracing. The numbers
    computed are the same.

    Use it only for sublayers with the caller's dtype policy (a layer with
    its own policy, like the float32 forecast head under mixed precision,
    needs ``__call__`` to cast its inputs).

    Args:
        layer: a `keras.layers.Layer`.
        *args, **kwargs: the arguments of ``layer.call``.
        training: bool or None, passed on when ``layer.call`` accepts it.

    Returns:
        What ``layer.call`` returns.

    Example:

    >>> dense = keras.layers.Dense(3)
    >>> tuple(call_sublayer(dense, np.ones((2, 4), "float32")).shape)
    (2, 3)
    """
    if not layer.built or _needs_keras_call(layer) or _symbolic(args):
        return layer(*args, training=training, **kwargs)
    if _accepts_training(type(layer)):
        kwargs["training"] = training
    return layer.rematerialized_call(layer.call, *args, **kwargs)(*args, **kwargs)


def _symbolic(args):
    return any(isinstance(arg, keras.KerasTensor) for arg in args)


@functools.cache
def _accepts_training(layer_class):
    return "training" in inspect.signature(layer_class.call).parameters


def _needs_keras_call(layer):
    policy = layer.dtype_policy
    return (
        policy.compute_dtype != policy.variable_dtype
        or policy.quantization_mode is not None
    )
