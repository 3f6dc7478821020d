"""The seasonal-naive baseline: the value one season back, plus quantiles of
its own training residuals."""

import numpy as np
import pandas as pd
import pytest

from base_attentive.baselines import SeasonalNaive
from base_attentive.data import ChronologicalSplit, DatasetSpec, ForecastDataset

WEEK = np.array([5.0, 6.0, 6.0, 6.0, 7.0, 2.0, 1.0])


def _dataset(noise, days=140, test=28):
    frame = pd.DataFrame(
        {
            "day": np.tile(pd.date_range("2020-01-06", periods=days, freq="D"), 2),
            "id": np.repeat(["a", "b"], days),
            "y": np.concatenate([np.resize(WEEK, days), 10.0 * np.resize(WEEK, days)])
            + noise,
        }
    )
    spec = DatasetSpec("day", "y", lookback=14, forecast_horizon=10, id_column="id")
    return ForecastDataset(spec).fit(frame, split=ChronologicalSplit(test=test))


def _fit(dataset, quantiles=(0.1, 0.5, 0.9)):
    return SeasonalNaive.fit(
        dataset.arrays, dataset.boundaries.train_end, 7, list(quantiles), 10
    )


def test_an_exactly_weekly_series_is_forecast_exactly_with_zero_spread():
    dataset = _dataset(noise=0.0)
    baseline = _fit(dataset)
    windows = dataset.windows("test", batch_size=8)
    forecast = baseline.predict(windows)
    y = windows.materialize()[1]
    targets = dataset.inverse_transform(
        y, np.asarray(windows.arrays.series_ids)[windows.window_series]
    )
    assert forecast.shape == (windows.num_windows, 10, 3, 1)
    np.testing.assert_allclose(forecast[:, :, 1], targets, atol=1e-9)
    np.testing.assert_allclose(forecast[:, :, 0], forecast[:, :, 2])
    # MASE scale: mean |y_t - y_{t-7}| is 0, so MASE is undefined (NaN).
    assert np.isnan(baseline.mase_scale).all()


def test_quantiles_come_from_training_residuals_per_series_and_seasons_back(rng):
    noise = rng.normal(0.0, 1.0, size=280)
    dataset = _dataset(noise)
    baseline = _fit(dataset)
    train_end = dataset.boundaries.train_end
    arrays = dataset.arrays
    for series in range(2):
        rows = slice(arrays.offsets[series], arrays.offsets[series + 1])
        values = arrays.target[rows][arrays.times[rows] < train_end, 0]
        for k in (1, 2):  # horizon 10 needs one and two weeks back
            residuals = values[7 * k :] - values[: -7 * k]
            np.testing.assert_allclose(
                baseline.offsets[series, k - 1, :, 0],
                np.quantile(residuals, [0.1, 0.5, 0.9]),
            )
        np.testing.assert_allclose(
            baseline.mase_scale[series, 0], np.abs(values[7:] - values[:-7]).mean()
        )
    forecast = baseline.predict(dataset.windows("test"))
    assert (np.diff(forecast, axis=2) >= 0).all()  # levels never cross


def test_state_round_trips_through_json_ready_dict():
    baseline = _fit(_dataset(noise=0.0))
    again = SeasonalNaive.from_dict(baseline.to_dict())
    np.testing.assert_array_equal(again.offsets, baseline.offsets)
    np.testing.assert_array_equal(again.mase_scale, baseline.mase_scale)
    assert again.season == 7 and again.series_ids == ["a", "b"]


def test_a_training_period_shorter_than_the_lag_is_an_error():
    dataset = _dataset(noise=0.0, days=40, test=30)
    with pytest.raises(ValueError, match="training period is too short"):
        _fit(dataset)
