"""`WindowSharding` and sharded `WindowDataset`s: every window is served, each
batch splits evenly over devices, processes step together, and the
evaluation padding keeps the mean loss exact. (NumPy only: runs unchanged on
every backend.)"""

import numpy as np
import pytest

from base_attentive.data import WindowSharding


def shards(num_shards, batch_multiple, fill, num_windows, batch_size, order=None):
    order = np.arange(num_windows) if order is None else order
    return [
        WindowSharding(num_shards, index, batch_multiple, fill).select(
            order, batch_size
        )
        for index in range(num_shards)
    ]


@pytest.mark.parametrize("num_windows", [4, 37, 64, 101, 200])
@pytest.mark.parametrize("num_shards,batch_multiple", [(1, 2), (2, 1), (2, 2)])
def test_wrap_serves_every_window_in_full_batches(
    num_windows, num_shards, batch_multiple
):
    batch_size = 8
    parts = shards(num_shards, batch_multiple, "wrap", num_windows, batch_size)
    lengths = {len(positions) for positions, _ in parts}
    assert len(lengths) == 1  # every process steps together
    local = batch_size // num_shards
    (length,) = lengths
    assert length % local == 0  # full batches only
    served = np.concatenate([positions for positions, _ in parts])
    assert set(served) == set(range(num_windows))
    # Filling repeats fewer windows than one global batch.
    assert len(served) - num_windows < batch_size
    assert all(weights is None for _, weights in parts)


@pytest.mark.parametrize("num_windows", [4, 37, 64, 101])
@pytest.mark.parametrize("num_shards,batch_multiple", [(1, 2), (2, 1), (2, 2)])
def test_weight_padding_keeps_the_mean_exact(num_windows, num_shards, batch_multiple):
    batch_size = 16
    losses = np.random.default_rng(0).uniform(size=num_windows)
    parts = shards(num_shards, batch_multiple, "weight", num_windows, batch_size)
    assert len({len(positions) for positions, _ in parts}) == 1
    local = batch_size // num_shards
    real = np.concatenate([p[w > 0] for p, w in parts])
    assert sorted(real) == list(range(num_windows))  # each window once
    # Keras: each global step's loss is sum(w * l) / batch, weighted by its
    # batch size in the epoch mean; that mean must be the plain mean.
    steps = -(-len(parts[0][0]) // local)
    total, count = 0.0, 0
    for step in range(steps):
        chunk = slice(step * local, (step + 1) * local)
        batch_positions = np.concatenate([p[chunk] for p, _ in parts])
        batch_weights = np.concatenate([w[chunk] for _, w in parts])
        assert len(batch_positions) % (num_shards * batch_multiple) == 0
        step_loss = np.sum(batch_weights * losses[batch_positions]) / len(
            batch_positions
        )
        total += step_loss * len(batch_positions)
        count += len(batch_positions)
    np.testing.assert_allclose(total / count, losses.mean(), rtol=1e-6)


def test_shards_follow_the_shuffled_order():
    order = np.random.default_rng(3).permutation(50)
    first, second = shards(2, 1, "wrap", 50, 10, order=order)
    np.testing.assert_array_equal(first[0][:25], order[0::2])
    np.testing.assert_array_equal(second[0][:25], order[1::2])


def test_batch_size_must_split_over_devices():
    with pytest.raises(ValueError, match=r"`batch_size` must be a multiple of the 4 "):
        WindowSharding(2, 0, 2).plan(100, batch_size=30)


def test_more_processes_than_windows_is_an_error():
    with pytest.raises(ValueError, match="3 windows cannot be shared by 4 processes"):
        WindowSharding(4, 0).plan(3, batch_size=4)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"num_shards": 0}, "`num_shards` must be an int >= 1"),
        ({"batch_multiple": 1.5}, "`batch_multiple` must be an int >= 1"),
        (
            {"num_shards": 2, "shard_index": 2},
            r"`shard_index` must be an int in \[0, 2\)",
        ),
        ({"fill": "drop"}, "`fill` must be one of"),
    ],
)
def test_invalid_sharding_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        WindowSharding(**kwargs)
