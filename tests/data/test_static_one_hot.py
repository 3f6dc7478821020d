"""Static categories with few values reach the model as raw 0/1 one-hot
columns (`DatasetSpec.static_one_hot_max`); larger ones stay embedded."""

import json

import numpy as np
import pandas as pd
import pytest

from base_attentive.data import ChronologicalSplit, DatasetSpec, ForecastDataset

LOOKBACK, HORIZON, DAYS = 4, 2, 20
COLOURS = {"s0": "red", "s1": "blue", "s2": "red", "s3": "green"}
SIZES = {"s0": 1.0, "s1": 2.0, "s2": 3.0, "s3": 4.0}


def hand_frame(series=("s0", "s1", "s2")):
    times = pd.date_range("2024-01-01", periods=DAYS, freq="D")
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "time": times,
                    "series": name,
                    "sales": 10.0 * (index + 1) + np.arange(DAYS) % 3,
                    "colour": COLOURS[name],
                    "size": SIZES[name],
                }
            )
            for index, name in enumerate(series)
        ],
        ignore_index=True,
    )


def hand_spec(**changes):
    config = dict(
        time_column="time", id_column="series", target_columns="sales",
        lookback=LOOKBACK, forecast_horizon=HORIZON, static_columns=("size",),
        categorical_columns=("colour",), scaling="window",
    )  # fmt: skip
    return DatasetSpec(**{**config, **changes})


def static_by_series(dataset, frame):
    """The static input of each series' prediction window, by series id."""
    windows = dataset.prediction_windows(frame)
    static, _, _ = windows.materialize()
    return dict(zip(windows.arrays.series_ids, static, strict=True))


def test_small_vocabularies_are_raw_one_hot_columns_after_the_statistics():
    dataset = ForecastDataset(hand_spec()).fit(hand_frame())
    names = dataset.feature_names()["static"]
    assert names == [
        "size", "sales_window_mean", "sales_window_log_std",
        "colour=blue", "colour=red",
    ]  # fmt: skip
    assert dataset.cardinalities()["static"] == [0] * 5
    assert dataset.model_dims()["static_cardinalities"] is None
    assert dataset.model_dims()["static_one_hot"] == [0, 0, 0, 1, 1]
    static = static_by_series(dataset, hand_frame())
    # 0/1, not standardised: one column per value, in sorted order.
    np.testing.assert_array_equal(static["s0"][3:], [0.0, 1.0])
    np.testing.assert_array_equal(static["s1"][3:], [1.0, 0.0])
    np.testing.assert_array_equal(static["s2"][3:], [0.0, 1.0])
    # The numeric static column before them is still standardised.
    assert static["s1"][0] == pytest.approx(0.0, abs=1e-6)


def test_a_value_unseen_in_training_is_all_zeros():
    dataset = ForecastDataset(hand_spec()).fit(hand_frame())
    new = hand_frame(series=("s0", "s3"))  # s3: a new series, colour green
    static = static_by_series(dataset, new)
    np.testing.assert_array_equal(static["s3"][3:], [0.0, 0.0])
    np.testing.assert_array_equal(static["s0"][3:], [0.0, 1.0])


@pytest.mark.parametrize(
    "limit, one_hot",
    [(2, True), (64, True), (1, False), (0, False)],
)
def test_the_threshold_decides_between_one_hot_and_embedding(limit, one_hot):
    dataset = ForecastDataset(hand_spec(static_one_hot_max=limit)).fit(hand_frame())
    names = dataset.feature_names()["static"]
    static = static_by_series(dataset, hand_frame())
    if one_hot:
        assert names[3:] == ["colour=blue", "colour=red"]
        np.testing.assert_array_equal(static["s1"][3:], [1.0, 0.0])
    else:  # one embedded variable: its code (blue 1, red 2; 0 unknown)
        assert names[3:] == ["colour"]
        assert dataset.cardinalities()["static"] == [0, 0, 0, 3]
        assert dataset.model_dims()["static_one_hot"] is None
        assert static["s1"][3] == 1.0 and static["s0"][3] == 2.0


def test_small_and_large_vocabularies_mix_one_hot_first():
    spec = hand_spec(categorical_columns=("series", "colour"), static_one_hot_max=2)
    dataset = ForecastDataset(spec).fit(hand_frame())
    # series has 3 values (embedded), colour 2 (one-hot, before the codes).
    assert dataset.feature_names()["static"][3:] == [
        "colour=blue", "colour=red", "series"
    ]  # fmt: skip
    assert dataset.cardinalities()["static"] == [0, 0, 0, 0, 0, 4]
    assert dataset.model_dims()["static_one_hot"] == [0, 0, 0, 1, 1, 0]
    static = static_by_series(dataset, hand_frame())
    np.testing.assert_array_equal(static["s2"][3:], [0.0, 1.0, 3.0])


def test_the_threshold_is_checked():
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="static_one_hot_max"):
            hand_spec(static_one_hot_max=bad)


def test_saved_datasets_load_back_identically(tmp_path):
    frame = hand_frame()
    split = ChronologicalSplit(validation=4)
    dataset = ForecastDataset(hand_spec(static_one_hot_max=2)).fit(frame, split)
    dataset.save(tmp_path / "dataset.json")
    state = json.loads((tmp_path / "dataset.json").read_text())
    assert state["spec"]["static_one_hot_max"] == 2
    loaded = ForecastDataset.load(tmp_path / "dataset.json")
    assert loaded.feature_names() == dataset.feature_names()
    np.testing.assert_array_equal(
        loaded.transform(frame).static, dataset.transform(frame).static
    )


def test_files_saved_before_the_option_keep_embedding(tmp_path):
    dataset = ForecastDataset(hand_spec(static_one_hot_max=0)).fit(hand_frame())
    dataset.save(tmp_path / "dataset.json")
    state = json.loads((tmp_path / "dataset.json").read_text())
    del state["spec"]["static_one_hot_max"]  # as written before the option
    (tmp_path / "dataset.json").write_text(json.dumps(state))
    loaded = ForecastDataset.load(tmp_path / "dataset.json")
    assert loaded.spec.static_one_hot_max == 0
    assert loaded.feature_names()["static"][3:] == ["colour"]
    np.testing.assert_array_equal(
        loaded.transform(hand_frame()).static, dataset.transform(hand_frame()).static
    )
