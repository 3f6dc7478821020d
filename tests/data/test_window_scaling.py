"""`DatasetSpec(scaling="window")` and `seasonal_lags`: what a user sees."""

import numpy as np
import pandas as pd
import pytest

from base_attentive.data import ChronologicalSplit, DatasetSpec, ForecastDataset
from base_attentive.data.window_arrays import history_rows, lag_offsets

SPLIT = ChronologicalSplit(validation=0.2, test=0.2)


def _raw_lookback(arrays, starts):
    return arrays.target[starts[:, None] + np.arange(arrays.lookback), 0]


def test_window_scaling_normalises_each_lookback(frame, spec):
    data = ForecastDataset(spec.replace(scaling="window")).fit(frame)
    windows = data.windows("all", batch_size=1000)
    (_, dynamic, _), y = windows.materialize()
    target = dynamic[..., 0]
    np.testing.assert_allclose(target.mean(axis=1), 0.0, atol=1e-5)
    np.testing.assert_allclose(target.std(axis=1), 1.0, atol=1e-4)
    raw = _raw_lookback(windows.arrays, windows.starts)
    loc, scale = raw.mean(axis=1), raw.std(axis=1)
    rows = windows.starts[:, None] + spec.lookback + np.arange(spec.forecast_horizon)
    expected = (windows.arrays.target[rows, 0] - loc[:, None]) / scale[:, None]
    np.testing.assert_allclose(y[..., 0], expected, rtol=1e-5, atol=1e-5)


def test_window_scaling_round_trips_to_original_units(frame, spec):
    data = ForecastDataset(spec.replace(scaling="window")).fit(frame)
    windows = data.windows("all", batch_size=1000)
    _, y = windows.materialize()
    rows = windows.starts[:, None] + spec.lookback + np.arange(spec.forecast_horizon)
    back = data.to_original_units(y, windows)
    np.testing.assert_allclose(back[..., 0], windows.arrays.target[rows, 0], rtol=1e-5)
    quantiles = np.stack([y - 1.0, y, y + 1.0], axis=2)  # (N, H, Q, O)
    table = data.forecast_frame(quantiles, windows, quantiles=[0.1, 0.5, 0.9])
    np.testing.assert_allclose(table["q0.5"], table["actual"], rtol=1e-5)
    assert (table["q0.1"] < table["q0.5"]).all()


def test_window_scaling_follows_a_level_shift():
    """A series that triples after training: window-scaled inputs stay in
    range, per-series-scaled ones do not."""
    times = pd.date_range("2024-01-01", periods=120, freq="D")
    level = np.where(np.arange(120) < 80, 10.0, 30.0)
    values = level + np.sin(np.arange(120) * 2 * np.pi / 7)
    frame = pd.DataFrame({"time": times, "y": values})
    base = DatasetSpec(
        time_column="time", target_columns="y", lookback=14, forecast_horizon=7
    )
    split = ChronologicalSplit(test=20)
    inputs = {}
    for scaling in ("series", "window"):
        data = ForecastDataset(base.replace(scaling=scaling)).fit(frame, split=split)
        (_, dynamic, _), _ = data.windows("test", batch_size=100).materialize()
        inputs[scaling] = np.abs(dynamic[..., 0]).max()
    assert inputs["window"] < 2.0 < inputs["series"]


def test_constant_lookback_is_centred_not_divided_by_zero(spec):
    times = pd.date_range("2024-01-01", periods=30, freq="D")
    frame = pd.DataFrame({"time": times, "y": np.r_[np.full(20, 5.0), np.arange(10.0)]})
    data = ForecastDataset(
        DatasetSpec(
            time_column="time",
            target_columns="y",
            lookback=8,
            forecast_horizon=2,
            scaling="window",
        )
    ).fit(frame)
    windows = data.windows("all", batch_size=100)
    (_, dynamic, _), y = windows.materialize()
    assert np.isfinite(y).all()
    np.testing.assert_array_equal(dynamic[0, :, 0], 0.0)  # constant: centred
    np.testing.assert_allclose(data.to_original_units(y, windows)[0, :, 0], 5.0)


def test_robust_window_scaling_uses_median_and_iqr(frame, spec):
    data = ForecastDataset(spec.replace(scaling="window", target_scaler="robust")).fit(
        frame
    )
    windows = data.windows("all", batch_size=1000)
    (_, dynamic, _), _ = windows.materialize()
    raw = _raw_lookback(windows.arrays, windows.starts)
    q25, median, q75 = np.percentile(raw, [25, 50, 75], axis=1)
    expected = (raw - median[:, None]) / (q75 - q25)[:, None]
    np.testing.assert_allclose(dynamic[..., 0], expected, rtol=1e-4, atol=1e-5)


def test_inverse_transform_by_series_refuses_window_scaling(frame, spec):
    data = ForecastDataset(spec.replace(scaling="window")).fit(frame)
    with pytest.raises(ValueError, match="to_original_units"):
        data.inverse_transform(np.zeros((1, 4, 1)), ["s0"])


@pytest.mark.parametrize("scaling", ["series", "window"])
def test_seasonal_lags_give_the_latest_value_at_the_same_phase(frame, spec, scaling):
    lagged = spec.replace(seasonal_lags=(3, 10), scaling=scaling)
    data = ForecastDataset(lagged).fit(frame)
    names = data.feature_names()["future"]
    assert names[-2:] == ["sales_lag3", "sales_lag10"]
    windows = data.windows("all", batch_size=1000)
    (_, _, future), _ = windows.materialize()
    origin = windows.starts + spec.lookback - 1
    steps = np.arange(1, spec.forecast_horizon + 1)
    for column, lag in ((-2, 3), (-1, 10)):
        back = lag * np.ceil(steps / lag).astype(int)  # 3,3,3,6 / 10,10,10,10
        assert (back >= steps).all()
        expected = windows.arrays.target[origin[:, None] + steps - back, 0]
        original = data.to_original_units(
            future[..., column : column + 1 or None], windows
        )
        np.testing.assert_allclose(original[..., 0], expected, rtol=1e-5)


def test_a_lag_beyond_the_lookback_starts_windows_later(frame, spec):
    plain = ForecastDataset(spec).fit(frame).windows("all")
    lagged = ForecastDataset(spec.replace(seasonal_lags=(20,))).fit(frame)
    windows = lagged.windows("all")
    assert lagged.spec.history_rows == 20 - spec.lookback  # 12 earlier rows
    assert windows.num_windows == plain.num_windows - 3 * 12
    first = windows.arrays.offsets[windows.window_series]
    assert (windows.starts - first >= 12).all()


def test_lag_geometry_of_the_tft_future_input():
    # Lookback rows (positions <= 0) take the value one season before.
    np.testing.assert_array_equal(
        lag_offsets(7, [-2, 0, 1, 7, 8, 14]), [7, 7, 7, 7, 14, 14]
    )
    assert history_rows(56, 14, (7, 364)) == 308
    assert history_rows(56, 14, (7,)) == 0
    assert history_rows(56, 14, (7,), mode="tft") == 7


def test_prediction_windows_read_the_lag_history(frame, spec):
    lagged = spec.replace(seasonal_lags=(20,), scaling="window")
    data = ForecastDataset(lagged).fit(frame)
    future_rows = []
    for _, group in frame.groupby("series"):
        extra = group.tail(spec.forecast_horizon).copy()
        extra["time"] = extra["time"] + pd.Timedelta(days=spec.forecast_horizon)
        extra["sales"] = np.nan
        extra["temperature"] = np.nan
        future_rows.append(extra)
    extended = pd.concat([frame, *future_rows], ignore_index=True)
    windows = data.prediction_windows(extended)
    static, dynamic, future = windows.materialize()
    assert future.shape == (3, spec.forecast_horizon, 3 + 1)
    last = frame.groupby("series")["sales"].apply(lambda s: s.to_numpy())
    for index, series in enumerate(["s0", "s1", "s2"]):
        values = last[series]
        raw = values[-spec.lookback :]
        scaled = (values[len(values) - 20 + np.arange(4)] - raw.mean()) / raw.std()
        np.testing.assert_allclose(future[index, :, -1], scaled, rtol=1e-4)


def test_save_load_keeps_scaling_and_lags(frame, spec, tmp_path):
    data = ForecastDataset(spec.replace(scaling="window", seasonal_lags=(3,))).fit(
        frame
    )
    data.save(tmp_path / "dataset.json")
    loaded = ForecastDataset.load(tmp_path / "dataset.json")
    assert loaded.spec.scaling == "window" and loaded.spec.seasonal_lags == (3,)
    original = data.windows("all", batch_size=1000).materialize()
    again = loaded.windows("all", frame=frame, batch_size=1000).materialize()
    for a, b in zip(original[0], again[0], strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"scaling": "global"}, ValueError, "scaling"),
        ({"scaling": "window", "target_scaler": "none"}, ValueError, "target_scaler"),
        ({"seasonal_lags": (7, 0)}, ValueError, "positive integers"),
        ({"seasonal_lags": (7, 7)}, ValueError, "twice"),
        ({"seasonal_lags": "7"}, ValueError, "positive integers"),
        ({"seasonal_lags": 7.5}, TypeError, "sequence"),
    ],
)
def test_bad_scaling_and_lags_are_rejected(spec, changes, error, message):
    with pytest.raises(error, match=message):
        spec.replace(**changes)


def test_seasonal_lags_accept_one_integer(spec):
    assert spec.replace(seasonal_lags=7).seasonal_lags == (7,)


def test_a_series_unseen_in_training_is_forecast_with_window_scaling(frame, spec):
    spec = spec.replace(
        scaling="window", categorical_columns=("series", "region"), future_columns=()
    )
    data = ForecastDataset(spec).fit(frame[frame["series"] != "s2"], SPLIT)
    assert data.series_ids == ["s0", "s1"]
    windows = data.prediction_windows(frame)
    assert windows.window_index()["series_id"].tolist() == ["s0", "s1", "s2"]
    ((static, dynamic, _),) = windows[0]
    names = data.feature_names()["static"]
    # The ids seen in training are one-hot; the new id is all zeros.
    ids = [names.index("series=s0"), names.index("series=s1")]
    np.testing.assert_array_equal(static[:, ids], [[1, 0], [0, 1], [0, 0]])
    assert np.isfinite(static).all() and np.isfinite(dynamic).all()
    # Each window's own lookback statistics stand in for the series'.
    assert (
        static[2, names.index("sales_window_mean")]
        > static[1, names.index("sales_window_mean")]
    )
    # Perfect scaled forecasts come back as the new series' actuals.
    test = data.windows("test", frame=frame)
    _, y = test.materialize()
    forecasts = data.forecast_frame(y, test)
    unseen = forecasts[forecasts["series"] == "s2"]
    assert len(unseen) and np.allclose(unseen["prediction"], unseen["actual"])


def test_a_series_unseen_in_training_with_series_scaling_names_it(frame, spec):
    spec = spec.replace(future_columns=())
    data = ForecastDataset(spec).fit(frame[frame["series"] != "s2"], SPLIT)
    with pytest.raises(
        ValueError, match=r"Unknown series id\(s\) 's2'.*scaling='window'"
    ):
        data.prediction_windows(frame)
