"""JAX kernels: compiled eager calls, shared prediction."""

import keras
import numpy as np
import pytest
from keras import ops

from base_attentive import make_fast_predict_fn
from tests.models.test_base_attentive import make_inputs, small

ON_JAX = keras.backend.backend() == "jax"
needs_jax_backend = pytest.mark.skipif(
    not ON_JAX, reason="compiled eager calls are the JAX backend's kernel"
)


def _numpy(x):
    return ops.convert_to_numpy(ops.stop_gradient(x))


def test_compiled_forward_exists_exactly_on_jax():
    from base_attentive import kernels

    assert (kernels.compiled_forward(small()) is not None) == ON_JAX


@needs_jax_backend
def test_eager_calls_trace_the_forward_once_per_shape(rng, monkeypatch):
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
        again = _numpy(model(x))  # op by op: equal up to float32 round-off
    np.testing.assert_allclose(again, _numpy(model(x)), rtol=1e-5, atol=1e-5)


@needs_jax_backend
def test_fast_predict_shares_the_eager_compiled_forward(rng, monkeypatch):
    model = small()
    inputs = make_inputs(rng, batch=4)
    model(inputs)  # eager call: compiles the forward pass for this shape
    traces = []
    forward = model._forward
    monkeypatch.setattr(
        model, "_forward", lambda *a, **k: traces.append(1) or forward(*a, **k)
    )
    fast = make_fast_predict_fn(model)(inputs)
    assert traces == []  # the eager call's compiled forward is reused
    np.testing.assert_allclose(
        fast, model.predict(inputs, verbose=0), rtol=1e-5, atol=1e-5
    )
