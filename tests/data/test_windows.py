import math

import keras
import numpy as np
import pytest

from base_attentive.data import ChronologicalSplit, ForecastDataset
from base_attentive.data.windows import WindowDataset


@pytest.fixture
def data(frame, spec):
    return ForecastDataset(spec).fit(
        frame, ChronologicalSplit(validation=0.2, test=0.2)
    )


def test_batches_have_the_documented_shapes_and_dtypes(data):
    train = data.windows("train", batch_size=16)
    assert isinstance(train, keras.utils.PyDataset)
    (static, dynamic, future), y = train[0]
    dims = data.model_dims()
    assert static.shape == (16, dims["static_input_dim"])
    assert dynamic.shape == (16, 8, dims["dynamic_input_dim"])
    assert future.shape == (16, 4, dims["future_input_dim"])
    assert y.shape == (16, 4, dims["output_dim"])
    assert {a.dtype for a in (static, dynamic, future, y)} == {np.dtype("float32")}


def test_last_partial_batch_is_kept(data):
    train = data.windows("train", batch_size=16)
    assert len(train) == -(-train.num_windows // 16)
    sizes = [len(train[i][1]) for i in range(len(train))]
    assert sum(sizes) == train.num_windows and sizes[-1] <= 16
    with pytest.raises(IndexError):
        train[len(train)]


def test_shuffling_is_seeded_and_changes_every_epoch(data):
    def epoch_targets(dataset):
        return np.concatenate([dataset[i][1] for i in range(len(dataset))])

    first = data.windows("train", batch_size=7, shuffle=True, seed=3)
    again = data.windows("train", batch_size=7, shuffle=True, seed=3)
    epoch_one = epoch_targets(first)
    np.testing.assert_array_equal(epoch_one, epoch_targets(again))
    first.on_epoch_end()
    epoch_two = epoch_targets(first)
    assert not np.array_equal(epoch_one, epoch_two)
    ordered = epoch_targets(data.windows("train", batch_size=7))
    for epoch in (epoch_one, epoch_two):  # each epoch sees every window once
        np.testing.assert_array_equal(
            np.sort(epoch.reshape(len(epoch), -1), axis=0),
            np.sort(ordered.reshape(len(ordered), -1), axis=0),
        )


def test_absent_roles_are_zero_width(frame, spec_factory):
    spec = spec_factory(
        static_columns=(),
        categorical_columns=(),
        static_target_stats=False,
        past_columns=(),
        future_columns=(),
        calendar_features=(),
    )
    (static, dynamic, future), _ = ForecastDataset(spec).fit(frame).windows("all")[0]
    assert static.shape == (32, 0) and future.shape == (32, 4, 0)
    assert dynamic.shape == (32, 8, 1)


def test_tft_mode_yields_future_over_lookback_plus_horizon(frame, spec):
    data = ForecastDataset(spec.replace(mode="tft")).fit(frame)
    (_, _, future), _ = data.windows("all", batch_size=5)[0]
    assert future.shape == (5, 12, data.model_dims()["future_input_dim"])


def test_prediction_batches_hold_inputs_only(frame, spec):
    data = ForecastDataset(spec.replace(future_columns=())).fit(frame)
    batch = data.prediction_windows()[0]
    assert len(batch) == 1 and len(batch[0]) == 3
    assert batch[0][1].shape == (3, 8, 2)


def test_batch_size_is_validated(data):
    with pytest.raises(ValueError, match="`batch_size` must be >= 1"):
        data.windows("train", batch_size=0)
    with pytest.raises(TypeError, match="`batch_size` must be an int"):
        data.windows("train", batch_size=8.0)


def test_keras_trains_and_predicts_on_the_windows(frame, spec):
    """A 3-input functional model consumes `((static, dynamic, future), y)`
    for fit and `(x,)` prediction batches for predict."""
    data = ForecastDataset(spec.replace(future_columns=())).fit(frame)
    dims = data.model_dims()
    static = keras.Input((dims["static_input_dim"],))
    dynamic = keras.Input((8, dims["dynamic_input_dim"]))
    future = keras.Input((4, dims["future_input_dim"]))
    context = keras.layers.Dense(4)(keras.layers.Flatten()(dynamic))
    merged = keras.layers.Concatenate()([static, context])
    per_step = keras.layers.Dense(1)(future)
    level = keras.layers.RepeatVector(4)(keras.layers.Dense(1)(merged))
    model = keras.Model(
        [static, dynamic, future], keras.layers.Add()([per_step, level])
    )
    model.compile(optimizer="sgd", loss="mse")
    train = data.windows("all", batch_size=64, shuffle=True, seed=0)
    history = model.fit(train, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    windows = data.prediction_windows()
    assert isinstance(windows, WindowDataset)
    assert model.predict(windows, verbose=0).shape == (3, 4, 1)


def test_sharded_windows_split_the_epoch_between_processes(data):
    from base_attentive.data import WindowSharding

    train = data.windows("train", batch_size=8, shuffle=True, seed=5)
    parts = [train.sharded(WindowSharding(2, index, fill="wrap")) for index in (0, 1)]
    assert [part.local_batch_size for part in parts] == [4, 4]
    share = math.ceil(train.num_windows / 2)
    assert len(parts[0]) == len(parts[1]) == math.ceil(share / 4)
    targets = np.concatenate(
        [part[i][1] for part in parts for i in range(len(part))]
    ).reshape(-1, 4)
    everything = train.materialize()[1].reshape(-1, 4)
    assert {tuple(row) for row in targets} == {tuple(row) for row in everything}
    assert all(len(part[i][1]) == 4 for part in parts for i in range(len(part)))


def test_sharded_windows_plan_once_not_every_epoch(data, monkeypatch):
    from base_attentive.data import WindowSharding

    calls = []
    plan = WindowSharding.plan

    def counted(self, num_windows, batch_size):
        calls.append((num_windows, batch_size))
        return plan(self, num_windows, batch_size)

    monkeypatch.setattr(WindowSharding, "plan", counted)
    train = data.windows("train", batch_size=8, shuffle=True, seed=5)
    sharded = train.sharded(WindowSharding(2, 1, fill="wrap"))
    first = len(sharded), sharded[0][1]
    for _ in range(3):
        sharded.on_epoch_end()
    assert calls == [(train.num_windows, 8)]
    assert len(sharded) == first[0] and sharded[0][1].shape == first[1].shape


def test_evaluation_shards_carry_sample_weights(data):
    from base_attentive.data import WindowSharding

    validation = data.windows("validation", batch_size=4)
    sharded = validation.sharded(WindowSharding(batch_multiple=4, fill="weight"))
    batches = [sharded[i] for i in range(len(sharded))]
    assert all(len(batch) == 3 for batch in batches)  # (x, y, sample_weight)
    weights = np.concatenate([batch[2] for batch in batches])
    assert all(len(batch[2]) % 4 == 0 for batch in batches)
    assert np.count_nonzero(weights) == validation.num_windows
    np.testing.assert_allclose(weights.sum(), len(weights))


def test_sharding_refuses_prediction_windows_and_unseeded_shuffles(data):
    from base_attentive.data import WindowSharding

    with pytest.raises(ValueError, match="Prediction windows are not sharded"):
        test = data.windows("test", batch_size=8)
        WindowDataset(
            test.arrays, test.starts, test.window_series, with_targets=False
        ).sharded(WindowSharding())
    unseeded = data.windows("train", batch_size=8, shuffle=True)
    with pytest.raises(ValueError, match="need a `seed`"):
        unseeded.sharded(WindowSharding(2, 0))
    with pytest.raises(ValueError, match="`batch_size` must be a multiple of the 2"):
        data.windows("train", batch_size=7).sharded(WindowSharding(batch_multiple=2))
