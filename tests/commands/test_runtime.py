"""Process set-up of the forecasting commands: `seed_backend`."""

import random

import keras
import numpy as np
import pytest

from base_attentive.commands.runtime import seed_backend
from tests.models.test_base_attentive import O, make_inputs, small


def test_seed_backend_seeds_torch_only_on_the_torch_backend():
    torch = pytest.importorskip("torch")
    torch.manual_seed(123)
    seed_backend(5)
    expected = 5 if keras.backend.backend() == "torch" else 123
    assert torch.initial_seed() == expected


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True, None])
def test_seed_backend_rejects_a_bad_seed(seed):
    with pytest.raises(ValueError, match=r"`seed` must be an integer >= 0\. Received"):
        seed_backend(seed)


def _train_with_dropout(seed, x, y):
    """One step of a model with dropout, seeded as `base-attentive train` does."""
    random.seed(seed)
    np.random.seed(seed)
    seed_backend(seed)
    model = small(forecast_horizon=2, dropout_rate=0.5, attention_levels=["cross"])
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    return float(model.train_on_batch(x, y))


@pytest.mark.skipif(
    keras.backend.backend() == "jax",
    reason="JAX random ops take explicit keys, which Keras draws from Python's "
    "`random` (nothing for seed_backend to do); tracing this model costs ~40 s",
)
def test_same_seed_same_training_with_dropout(rng):
    """On PyTorch, dropout draws from torch's global generator (not `random`)."""
    x = make_inputs(rng, batch=4, lookback=4, horizon=2)
    y = rng.normal(size=(4, 2, O)).astype("float32")
    assert _train_with_dropout(3, x, y) == _train_with_dropout(3, x, y)
