"""Checks of the arrays given to `BaseAttentive.fit`, `evaluate` and
`predict`, done once, before Keras sees them.

Keras trains on whatever arrays it is given: NaN or inf in an input or a
target turn the loss into NaN without a word, targets of shape `(B, H, 2)`
for a one-target model broadcast against the forecasts, a batch of zero
samples fails inside a backend, and integer arrays fail in TensorFlow's
arithmetic. Here, for array inputs (NumPy arrays or backend tensors; a
dataset or generator is the data pipeline's business):

- integer and boolean inputs are cast to the model's compute dtype (also
  in `call`, for eager calls);
- NaN or inf in an input or a target raise a `ValueError` naming the
  input, the count and the first position;
- targets must have shape `(B, forecast_horizon, output_dim)`, B the
  inputs' batch; any other shape raises, with the expected and received
  shapes;
- `predict` on zero samples returns an empty array of the output's shape;
  `fit` and `evaluate` on zero samples raise.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from base_attentive.models.inputs import INPUT_KEYS


def _is_array(value):
    return hasattr(value, "shape") and hasattr(value, "dtype")


def _is_numeric_input(value):
    """Whether `value` is the model's inputs as arrays (list/tuple of three or
    dict), as opposed to a dataset, generator or PyDataset."""
    if isinstance(value, dict):
        parts = list(value.values())
    elif isinstance(value, list | tuple) and len(value) == len(INPUT_KEYS):
        parts = list(value)
    else:
        return False
    return all(part is None or _is_array(part) for part in parts) and any(
        part is not None for part in parts
    )


def _needs_cast(part):
    dtype = keras.backend.standardize_dtype(part.dtype)
    return dtype == "bool" or "int" in dtype


def cast_inputs(inputs, dtype):
    """Casts integer or boolean parts of `inputs` to `dtype` (others as they
    are); any other structure is returned unchanged."""
    if not _is_numeric_input(inputs):
        return inputs
    return keras.tree.map_structure(
        lambda part: (
            part if part is None or not _needs_cast(part) else ops.cast(part, dtype)
        ),
        inputs,
    )


def _named_parts(inputs):
    if isinstance(inputs, dict):
        return [(key, inputs.get(key)) for key in INPUT_KEYS]
    return list(zip(INPUT_KEYS, inputs, strict=True))


def _check_finite(value, name, method):
    if isinstance(value, np.ndarray):
        finite = np.isfinite(value)
        if finite.all():
            return
    else:
        if bool(ops.convert_to_numpy(ops.all(ops.isfinite(value)))):
            return
        finite = np.isfinite(ops.convert_to_numpy(value))
    bad = ~finite
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    raise ValueError(
        f"`{method}`: {int(bad.sum())} NaN or infinite value(s) in {name}, "
        f"first at index {first} (shape {tuple(value.shape)}). The model cannot "
        "learn from or forecast with them: clean or fill them first."
    )


def check_inputs(model, inputs, method):
    """Casts and checks array inputs (see the module); returns them.

    Inputs that are not arrays (a dataset, a generator) are returned as
    they are.
    """
    if not _is_numeric_input(inputs):
        return inputs
    inputs = cast_inputs(inputs, model.compute_dtype)
    for name, part in _named_parts(inputs):
        if part is not None:
            _check_finite(part, f"input `{name}`", method)
    return inputs


def batch_size(inputs):
    """The number of samples of array inputs (None for other inputs)."""
    if not _is_numeric_input(inputs):
        return None
    parts = [part for _, part in _named_parts(inputs) if part is not None]
    return int(parts[0].shape[0]) if parts[0].shape[0] is not None else None


def check_targets(model, inputs, targets, method):
    """Checks the targets of array inputs: shape and finite values."""
    if targets is None or not _is_array(targets):
        return targets
    batch = batch_size(inputs)
    expected = (batch, model.forecast_horizon, model.output_dim)
    received = tuple(targets.shape)
    # Targets shaped like the output also pass: a loss compiled by the user
    # may compare the output with a target of its shape (as the forecasting
    # losses do when given one), Keras' usual convention.
    if received not in (expected, _output_shape(model, batch)):
        hint = ""
        if len(received) == 2 and model.output_dim == 1:
            hint = " Add the last axis (`y[..., None]`)."
        raise ValueError(
            f"`{method}`: the targets `y` must have shape (batch, "
            f"forecast_horizon, output_dim) = {expected} for these inputs. "
            f"Received shape {received}.{hint}"
        )
    _check_finite(targets, "the targets `y`", method)
    return targets


def _output_shape(model, batch):
    """`(batch, horizon, values, output_dim)` of a quantile or distribution
    head, or None for a point head (its output is the targets' shape)."""
    from base_attentive.distributions import DISTRIBUTION_PARAMETERS

    if model.quantiles is not None:
        values = len(model.quantiles)
    elif model.distribution is not None:
        values = len(DISTRIBUTION_PARAMETERS[model.distribution])
    else:
        return None
    return (batch, model.forecast_horizon, values, model.output_dim)


def check_samples(inputs, method):
    """Raises if array inputs hold no sample (training needs some)."""
    if batch_size(inputs) == 0:
        raise ValueError(
            f"`{method}`: the inputs hold no sample (batch of size 0); there is "
            "nothing to train or score on."
        )


def empty_prediction(model, inputs):
    """An empty array of the model's output shape for zero-sample array
    inputs; None otherwise.

    Only a batch axis of a known size counts: a symbolic one (an export
    tracing the batch as a dynamic dimension) is left symbolic.
    """
    if not _is_numeric_input(inputs):
        return None
    first = next(part for _, part in _named_parts(inputs) if part is not None)
    size = first.shape[0]
    if type(size) is not int or size != 0:
        return None
    symbolic = keras.tree.map_structure(
        lambda part: (
            None
            if part is None
            else keras.KerasTensor((1, *part.shape[1:]), dtype=model.compute_dtype)
        ),
        inputs,
    )
    output = model.compute_output_spec(symbolic)
    return np.zeros((0, *output.shape[1:]), dtype=output.dtype)
