import json

import numpy as np
import pandas as pd
import pytest

from base_attentive.data import ChronologicalSplit, ForecastDataset

SPLIT = ChronologicalSplit(validation=0.2, test=0.2)


@pytest.fixture
def data(frame, spec):
    return ForecastDataset(spec).fit(frame, SPLIT)


def _all_batches(windows):
    batches = [windows[i] for i in range(len(windows))]
    inputs = [np.concatenate([b[0][k] for b in batches]) for k in range(3)]
    return inputs, np.concatenate([b[1] for b in batches])


@pytest.mark.parametrize("scaler", ["standard", "robust", "none"])
def test_round_trip_reproduces_the_targets(frame, spec, scaler):
    """frame -> scaled windows -> inverse transform == the frame's targets."""
    data = ForecastDataset(spec.replace(target_scaler=scaler)).fit(frame, SPLIT)
    windows = data.windows("all", batch_size=13)
    _, y = _all_batches(windows)
    ids = windows.window_index()["series_id"]
    restored = data.inverse_transform(y, ids)
    origins = windows.window_index()["forecast_origin"]
    steps = pd.to_timedelta(np.arange(1, 5), unit="D")
    cells = [(s, o + step) for s, o in zip(ids, origins, strict=True) for step in steps]
    expected = frame.set_index(["series", "time"])["sales"].loc[cells].to_numpy()
    np.testing.assert_allclose(restored.ravel(), expected, rtol=1e-6, atol=0)
    assert scaler == "none" or not np.allclose(y.ravel(), expected)


def test_split_is_chronological_and_targets_never_overlap(data):
    def target_cells(part):
        windows = data.windows(part)
        index = windows.window_index()
        cells = set()
        for series, origin in zip(index.series_id, index.forecast_origin, strict=True):
            for step in range(1, 5):
                cells.add((series, origin + pd.Timedelta(days=step)))
        return cells

    train, validation, test = (target_cells(p) for p in ("train", "validation", "test"))
    assert train and validation and test
    assert not train & validation and not train & test and not validation & test
    last = {
        part: max(t for _, t in cells)
        for part, cells in (("train", train), ("validation", validation))
    }
    assert last["train"] < min(t for _, t in validation)
    assert last["validation"] < min(t for _, t in test)
    assert max(t for _, t in train) < pd.Timestamp(data.boundaries.validation_start)


def test_validation_windows_may_look_back_into_training_rows(data):
    windows = data.windows("validation")
    first_origin = windows.window_index()["forecast_origin"].min()
    lookback_start = first_origin - pd.Timedelta(days=data.spec.lookback - 1)
    assert lookback_start < pd.Timestamp(data.boundaries.validation_start)


def test_scalers_see_only_the_training_period(frame, spec):
    baseline = ForecastDataset(spec).fit(frame, SPLIT)
    late = frame.time >= pd.Timestamp(baseline.boundaries.validation_start)
    frame.loc[late, ["sales", "temperature"]] *= 1000.0
    changed = ForecastDataset(spec).fit(frame, SPLIT)
    np.testing.assert_array_equal(changed.target_scaler.loc, baseline.target_scaler.loc)
    np.testing.assert_array_equal(changed.past_scaler.scale, baseline.past_scaler.scale)
    np.testing.assert_array_equal(changed.arrays.static, baseline.arrays.static)


def test_model_dims_count_every_feature(data):
    names = data.feature_names()
    # region (2 values) is one-hot: raw 0/1 columns after the statistics.
    assert names["static"] == [
        "size", "sales_mean", "sales_log_std", "region=north", "region=south"
    ]  # fmt: skip
    assert names["dynamic"] == ["sales", "temperature"]
    assert names["future"] == ["promo", "day_of_week_sin", "day_of_week_cos"]
    assert data.model_dims() == {
        "static_input_dim": 5,
        "dynamic_input_dim": 2,
        "future_input_dim": 3,
        "output_dim": 1,
        "static_cardinalities": None,  # one-hot columns are real features
        "dynamic_cardinalities": None,
        "future_cardinalities": None,
        "static_one_hot": [0, 0, 0, 1, 1],  # region: one block
    }


def test_target_stats_give_back_the_series_level(data):
    levels = data.arrays.static[:, 1]  # standardised training mean of sales
    assert levels[0] < levels[1] < levels[2]


def test_save_load_round_trip_reproduces_transforms(data, frame, tmp_path):
    path = tmp_path / "dataset.json"
    data.save(path)
    assert json.loads(path.read_text())["format"] == "base_attentive.ForecastDataset"
    loaded = ForecastDataset.load(path)
    assert loaded.spec == data.spec and loaded.model_dims() == data.model_dims()
    original, reloaded = data.windows("test"), loaded.windows("test", frame=frame)
    assert reloaded.num_windows == original.num_windows
    for left, right in zip(
        _all_batches(original)[0], _all_batches(reloaded)[0], strict=True
    ):
        np.testing.assert_array_equal(left, right)
    forecasts = np.random.default_rng(0).normal(size=(3, 4, 3, 1))
    ids = ["s2", "s0", "s1"]
    np.testing.assert_array_equal(
        loaded.inverse_transform(forecasts, ids), data.inverse_transform(forecasts, ids)
    )


def test_loaded_dataset_needs_a_frame_to_window(data, tmp_path):
    data.save(tmp_path / "dataset.json")
    with pytest.raises(ValueError, match="pass `frame=`"):
        ForecastDataset.load(tmp_path / "dataset.json").windows("train")


def test_load_rejects_other_json(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"format": "something"}')
    with pytest.raises(ValueError, match="not a saved ForecastDataset"):
        ForecastDataset.load(path)


def test_unfitted_dataset_says_what_to_call(spec):
    with pytest.raises(ValueError, match=r"not fitted: call `fit\(frame, split\)`"):
        ForecastDataset(spec).model_dims()


def test_a_period_without_complete_windows_is_explained(frame, spec):
    data = ForecastDataset(spec).fit(frame, ChronologicalSplit(test=3))
    with pytest.raises(ValueError, match="'test' period holds no complete window"):
        data.windows("test")


def test_prediction_forecasts_past_the_end_of_each_series(frame, spec):
    data = ForecastDataset(spec.replace(future_columns=())).fit(frame)
    windows = data.prediction_windows()
    index = windows.window_index()
    assert index["series_id"].tolist() == ["s0", "s1", "s2"]
    assert (index["forecast_origin"] == pd.Timestamp("2024-02-29")).all()


def test_categorical_past_and_future_columns_are_codes_of_the_training_period(
    frame, spec
):
    frame = frame.copy()
    test_rows = frame["time"] >= pd.Timestamp("2024-02-20")
    frame.loc[test_rows & (frame["weather"] == "fog"), "weather"] = "hail"  # unseen
    frame.loc[frame.index[5], "weather"] = None  # missing
    spec = spec.replace(
        past_columns=("temperature", "weather"),
        categorical_columns=("region", "weather", "promo"),
        static_one_hot_max=0,  # region embedded too
    )
    data = ForecastDataset(spec).fit(frame, SPLIT)
    assert data.vocabulary.values["weather"] == ["fog", "rain", "sun"]
    assert data.vocabulary.values["promo"] == ["0", "1"]
    names = data.feature_names()
    assert names["dynamic"] == ["sales", "temperature", "weather"]
    assert names["future"][0] == "promo"
    dims = data.model_dims()
    assert dims["static_cardinalities"] == [0, 0, 0, 3]
    assert dims["dynamic_cardinalities"] == [0, 0, 4]  # fog, rain, sun + unknown
    assert dims["future_cardinalities"] == [3, 0, 0]  # 0, 1 + unknown
    weather = data.arrays.dynamic[:, 2]  # rows sorted by series and time
    raw = frame.sort_values(["series", "time"])["weather"].to_numpy()
    assert weather[5] == 0  # the missing value: unknown
    assert (weather[raw == "hail"] == 0).all()  # seen only after training
    assert (weather[raw == "sun"] == 3).all()
    (_, _, future), _ = data.windows("test").materialize()
    assert set(np.unique(future[..., 0])) == {1.0, 2.0}


def test_save_load_keeps_the_vocabularies(frame, spec, tmp_path):
    spec = spec.replace(
        past_columns=("temperature", "weather"),
        categorical_columns=("series", "region", "weather"),
    )
    data = ForecastDataset(spec).fit(frame, SPLIT)
    data.save(tmp_path / "dataset.json")
    state = json.loads((tmp_path / "dataset.json").read_text())
    assert state["vocabulary"]["values"]["series"] == ["s0", "s1", "s2"]
    loaded = ForecastDataset.load(tmp_path / "dataset.json")
    assert loaded.model_dims() == data.model_dims()
    original, reloaded = data.windows("test"), loaded.windows("test", frame=frame)
    for left, right in zip(
        _all_batches(original)[0], _all_batches(reloaded)[0], strict=True
    ):
        np.testing.assert_array_equal(left, right)


def test_a_text_past_column_not_named_categorical_is_a_clear_type_error(frame, spec):
    with pytest.raises(TypeError, match=r"'weather'.*`categorical_columns`"):
        ForecastDataset(spec.replace(past_columns=("weather",))).fit(frame, SPLIT)
