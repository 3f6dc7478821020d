"""Eager calls of BaseAttentive: the same numbers as `predict` on every
backend; on JAX one compiled forward pass per input shape (EagerJit)."""

import keras
import numpy as np
import pytest
from keras import ops

from tests.models.test_base_attentive import make_inputs, small

BACKEND = keras.backend.backend()


def _numpy(x):
    return ops.convert_to_numpy(ops.stop_gradient(x))


def test_eager_call_matches_predict(rng):
    model = small()
    x = make_inputs(rng)
    np.testing.assert_allclose(
        _numpy(model(x)), model.predict(x, verbose=0), rtol=1e-5, atol=1e-5
    )


def test_eager_training_calls_draw_new_dropout_masks(rng):
    model = small(dropout_rate=0.3)
    x = make_inputs(rng)
    first, second = (_numpy(model(x, training=True)) for _ in range(2))
    assert np.abs(first - second).max() > 1e-4
    np.testing.assert_array_equal(_numpy(model(x)), _numpy(model(x)))


def test_eager_call_inside_stateless_scope_uses_the_given_weights(rng):
    model = small()
    x = make_inputs(rng)
    model(x)
    halved = [
        ops.convert_to_tensor(_numpy(variable.value) * 0.5)
        for variable in model.trainable_variables
    ]
    stateless, _ = model.stateless_call(
        halved, [v.value for v in model.non_trainable_variables], x
    )
    for variable, value in zip(model.trainable_variables, halved, strict=True):
        variable.assign(value)
    np.testing.assert_allclose(_numpy(stateless), _numpy(model(x)), rtol=1e-5)


@pytest.mark.skipif(BACKEND != "jax", reason="EagerJit is the JAX eager path")
def test_jax_eager_calls_trace_the_forward_once_per_shape(rng, monkeypatch):
    import jax

    model = small()
    x = make_inputs(rng)
    model(x)  # build, and the first compiled call
    traces = []
    forward = model._forward
    monkeypatch.setattr(
        model, "_forward", lambda *a, **k: traces.append(1) or forward(*a, **k)
    )
    for _ in range(3):
        model(make_inputs(rng))
    assert traces == []  # same shape: the compiled function is reused
    model(make_inputs(rng, batch=5))
    assert traces == [1]  # a new shape: traced once
    with jax.disable_jit():
        again = _numpy(model(x))  # operation by operation, same numbers
    np.testing.assert_allclose(again, _numpy(model(x)), rtol=1e-5, atol=1e-6)
