"""Eager calls of BaseAttentive: the same numbers as `predict` on every
backend (on JAX they run through `kernels.compiled_forward`, tested in
tests/kernels/test_jax.py)."""

import numpy as np
from keras import ops

from tests.models.test_base_attentive import make_inputs, small


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
