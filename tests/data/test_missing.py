"""`missing="mask"`: gaps become missing rows, observed indicators, NaN targets
kept out of training, scalers on observed values, unusable windows dropped."""

import numpy as np
import pandas as pd
import pytest

from base_attentive.data import ChronologicalSplit, ForecastDataset
from base_attentive.data.missing import carry_forward
from tests.data.conftest import make_frame, make_spec

LOOKBACK, HORIZON = 8, 4


def gappy_frame():
    """s0: 10 NaN sales (days 20-29, longer than lookback and horizon); s1:
    days 30-32 absent from the table; s2: one NaN temperature (day 5)."""
    frame = make_frame(num_series=3, length=60)
    day = (frame["time"] - frame["time"].min()).dt.days
    frame.loc[(frame["series"] == "s0") & day.between(20, 29), "sales"] = np.nan
    frame.loc[(frame["series"] == "s2") & (day == 5), "temperature"] = np.nan
    return frame[~((frame["series"] == "s1") & day.between(30, 32))].reset_index(
        drop=True
    )


def fit(frame, **changes):
    spec = make_spec(lookback=LOOKBACK, forecast_horizon=HORIZON, **changes)
    return ForecastDataset(spec).fit(frame, split=ChronologicalSplit(validation=12))


@pytest.fixture(scope="module")
def masked():
    return fit(gappy_frame(), missing="mask")


def series_rows(data, series):
    index = data.series_ids.index(series)
    return slice(data.arrays.offsets[index], data.arrays.offsets[index + 1])


def test_gaps_become_missing_rows_with_observed_indicators(masked):
    arrays = masked.arrays
    s1 = series_rows(masked, "s1")
    times = arrays.times[s1]
    assert len(times) == 60  # the 3 absent days are back, as rows
    assert (np.diff(times) == np.timedelta64(1, "D")).all()
    assert np.isnan(arrays.target[s1][30:33]).all()
    # Every column with a missing value gets an indicator; promo never misses.
    assert masked.indicators == {
        "target": ["sales"], "past": ["temperature"], "future": ["promo"],
    }  # fmt: skip
    names = masked.feature_names()
    assert names["dynamic"] == [
        "sales", "temperature", "sales_observed", "temperature_observed",
    ]  # fmt: skip
    assert names["future"] == [
        "promo", "day_of_week_sin", "day_of_week_cos", "promo_observed",
    ]  # fmt: skip
    assert masked.model_dims()["dynamic_input_dim"] == 4
    sales_observed = arrays.dynamic[s1, 2]
    assert sales_observed[30:33].tolist() == [0.0] * 3
    assert sales_observed.sum() == 57
    assert arrays.future_rows(s1)[30:33, 3].tolist() == [0.0] * 3
    s2 = series_rows(masked, "s2")
    assert arrays.dynamic[s2, 3].tolist() == [1.0] * 5 + [0.0] + [1.0] * 54
    assert (
        np.isfinite(arrays.dynamic).all()
        and np.isfinite(arrays.future_rows(slice(None))).all()
    )


def test_missing_targets_stay_nan_in_y_and_inputs_carry_the_last_value(masked):
    windows = masked.windows("all")
    (static, dynamic, future), y = windows.materialize()
    assert np.isfinite(static).all() and np.isfinite(dynamic).all()
    assert np.isfinite(future).all()
    raw = windows.arrays.targets(windows.starts)
    assert np.isnan(y).any()
    np.testing.assert_array_equal(np.isnan(y), np.isnan(raw))
    # The lookback input reads the last observed value, scaled.
    s0 = series_rows(masked, "s0")
    carried = carry_forward(masked.arrays.target[s0], np.zeros(60, dtype=np.int64))
    assert (carried[20:30, 0] == masked.arrays.target[s0][19, 0]).all()
    scaled = masked.target_scaler.transform(carried, np.zeros(60, dtype=np.int64))
    np.testing.assert_allclose(masked.arrays.dynamic[s0, 0], scaled[:, 0], rtol=1e-6)


def test_windows_without_an_observed_horizon_are_dropped_and_counted(masked):
    every = masked.windows("all")
    # s0's targets are missing on days 20..29: windows whose 4 horizon days
    # all fall there start on days 12..18 (origin + 1 = 20..26).
    assert every.unobserved_windows == 7
    per_series = 60 - LOOKBACK - HORIZON + 1
    assert every.num_windows == 3 * per_series - 7
    ids, origins = every.arrays.forecast_origins(every.starts, every.window_series)
    s0_origins = pd.DatetimeIndex(origins[ids == "s0"])
    first = pd.Timestamp("2024-01-01")
    assert not any(first + pd.Timedelta(days=d) in s0_origins for d in range(19, 26))
    assert first + pd.Timedelta(days=18) in s0_origins  # its last step is day 22
    train = masked.windows("train")
    validation = masked.windows("validation")
    assert train.unobserved_windows == 7 and validation.unobserved_windows == 0


def test_scalers_use_the_observed_targets_only(masked):
    train_end = masked.boundaries.train_end
    for series in masked.series_ids:
        rows = series_rows(masked, series)
        values = masked.arrays.target[rows][masked.arrays.times[rows] < train_end]
        index = masked.series_ids.index(series)
        assert masked.target_scaler.loc[index, 0] == pytest.approx(np.nanmean(values))
        assert masked.target_scaler.scale[index, 0] == pytest.approx(np.nanstd(values))
    assert np.isfinite(masked.target_stats).all()


def test_window_scaling_statistics_ignore_missing_targets():
    data = fit(gappy_frame(), missing="mask", scaling="window")
    windows = data.windows("all")
    (static, dynamic, _), y = windows.materialize()
    assert np.isfinite(static).all() and np.isfinite(dynamic).all()
    loc, scale = windows.arrays.window_stats(windows.starts)
    assert np.isfinite(loc).all() and np.isfinite(scale).all() and (scale > 0).all()
    lookback = windows.arrays.target[windows.starts[:, None] + np.arange(LOOKBACK)]
    partly = np.isnan(lookback).any(axis=(1, 2)) & ~np.isnan(lookback).all(axis=(1, 2))
    assert partly.any()
    np.testing.assert_allclose(loc[partly], np.nanmean(lookback[partly], axis=1))
    spread = np.nanstd(lookback[partly], axis=1)  # one observed value: 0 -> 1
    np.testing.assert_allclose(scale[partly], np.where(spread > 0, spread, 1.0))
    np.testing.assert_array_equal(
        np.isnan(y), np.isnan(windows.arrays.targets(windows.starts))
    )


@pytest.mark.parametrize("scaling", ["series", "window"])
def test_the_mask_with_log_targets_reads_the_log_of_the_observed_values(scaling):
    frame = gappy_frame()
    frame["sales"] = frame["sales"].abs()
    data = fit(frame, missing="mask", scaling=scaling, target_transform="log1p")
    windows = data.windows("all")
    (static, dynamic, future), y = windows.materialize()
    assert np.isfinite(static).all() and np.isfinite(dynamic).all()
    assert np.isfinite(future).all()
    raw = windows.arrays.targets(windows.starts)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(raw))
    if scaling == "window":  # y is the window-scaled log of the target
        loc, scale = windows.arrays.window_stats(windows.starts)
        expected = (np.log1p(raw) - loc[:, None]) / scale[:, None]
        np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_default_raise_names_the_column_series_and_first_time():
    frame = make_frame(num_series=3, length=60)
    frame.loc[(frame["series"] == "s1") & (frame.index % 60 == 17), "sales"] = np.nan
    with pytest.raises(
        ValueError, match=r"'sales': 1 NaN in series 's1'.*first at 's1' 2024-01-18"
    ) as error:
        fit(frame)
    assert "missing='mask'" in str(error.value)
    with pytest.raises(ValueError, match=r"not regular.*'s1'.*missing='mask'"):
        fit(gappy_frame().dropna())


def test_mask_and_a_fill_policy_are_one_choice():
    with pytest.raises(ValueError, match=r"Choose one.*fill_missing='ffill'"):
        make_spec(missing="mask", fill_missing="ffill")
    with pytest.raises(ValueError, match=r"`missing` must be one of"):
        make_spec(missing="drop")


def test_a_column_without_an_indicator_must_be_observed_later():
    frame = make_frame(num_series=2, length=60)
    frame.loc[3, "sales"] = np.nan  # only sales misses: no other indicator
    data = fit(frame, missing="mask")
    assert data.indicators == {"target": ["sales"], "past": [], "future": []}
    later = frame.copy()
    later.loc[70, "temperature"] = np.nan
    with pytest.raises(
        ValueError,
        match=r"'temperature': 1 NaN in series 's1'.*no observed indicator input",
    ):
        data.transform(later)
    later.loc[70, "temperature"] = 15.0
    later.loc[75, "sales"] = np.nan
    assert np.isnan(data.transform(later).target[75, 0])


def test_prediction_windows_start_after_the_last_observed_target(masked):
    frame = gappy_frame()
    future = frame.groupby("series").tail(HORIZON).copy()
    future["time"] += pd.Timedelta(days=HORIZON)
    future["sales"] = np.nan
    windows = masked.prediction_windows(pd.concat([frame, future]))
    static, dynamic, future_input = windows.materialize()
    assert np.isfinite(dynamic).all() and np.isfinite(future_input).all()
    assert dynamic.shape == (3, LOOKBACK, 4)
    _, origins = windows.arrays.forecast_origins(windows.starts, windows.window_series)
    assert (origins == pd.Timestamp("2024-02-29")).all()


def test_save_and_load_keep_the_indicators(masked, tmp_path):
    masked.save(tmp_path / "dataset.json")
    loaded = ForecastDataset.load(tmp_path / "dataset.json")
    assert loaded.indicators == masked.indicators
    assert loaded.spec.missing == "mask"
    again = loaded.windows("all", frame=gappy_frame())
    assert again.unobserved_windows == 7
    np.testing.assert_array_equal(
        again.materialize()[0][1], masked.windows("all").materialize()[0][1]
    )


def test_a_lookback_without_observed_targets_is_not_blown_up_by_round_off():
    # Rows 60..119 are missing: a lookback of 48 of them reads 48 copies of
    # the 0.1 carried from row 59, whose standard deviation is float
    # round-off (1.4e-17), not 0. Scaling by it would blow the window up.
    frame = make_frame(num_series=1, length=200)
    frame["sales"] = 0.1 + np.random.default_rng(0).normal(0, 0.01, 200)
    frame.loc[59, "sales"] = 0.1
    frame.loc[60:119, "sales"] = np.nan
    spec = make_spec(lookback=48, forecast_horizon=4, missing="mask")
    data = ForecastDataset(spec.replace(scaling="window")).fit(frame)
    windows = data.windows("all")
    _, scale = windows.arrays.window_stats(windows.starts)
    assert (scale == 1.0).any() and scale.min() > 1e-6
    assert np.nanmax(np.abs(windows.materialize()[1])) < 1e3
