"""`DatasetSpec(target_transform="log1p")`: the model sees log targets and
forecasts come back in original units, exactly for quantiles."""

import numpy as np
import pytest

from base_attentive.data import DatasetSpec, ForecastDataset
from base_attentive.data.target_transform import forward, inverse


def _horizon_rows(windows, spec):
    return windows.starts[:, None] + spec.lookback + np.arange(spec.forecast_horizon)


@pytest.mark.parametrize("scaling", ["series", "window"])
def test_log1p_targets_round_trip_to_original_units(frame, spec, scaling):
    logged = spec.replace(target_transform="log1p", scaling=scaling)
    data = ForecastDataset(logged).fit(frame)
    windows = data.windows("all", batch_size=1000)
    _, y = windows.materialize()
    actual = windows.arrays.target[_horizon_rows(windows, spec), 0]
    np.testing.assert_allclose(
        data.to_original_units(y, windows)[..., 0], actual, rtol=1e-5
    )
    # Quantiles in the log scale come back as quantiles: ordered, and the
    # median exactly expm1 of the log median (not the mean of the spread).
    quantiles = np.stack([y - 0.5, y, y + 0.5], axis=2)
    table = data.forecast_frame(quantiles, windows, quantiles=[0.1, 0.5, 0.9])
    np.testing.assert_allclose(table["q0.5"], table["actual"], rtol=1e-5)
    assert (table["q0.1"] < table["q0.5"]).all() and (
        table["q0.5"] < table["q0.9"]
    ).all()
    assert (table["q0.1"] > -1.0).all()  # expm1 never goes below -1


def test_window_scaling_of_log1p_targets_uses_log_lookback_statistics(frame, spec):
    data = ForecastDataset(
        spec.replace(target_transform="log1p", scaling="window")
    ).fit(frame)
    windows = data.windows("all", batch_size=1000)
    (_, dynamic, _), y = windows.materialize()
    raw = windows.arrays.target[windows.starts[:, None] + np.arange(spec.lookback), 0]
    logged = np.log1p(raw)
    loc, scale = logged.mean(axis=1), logged.std(axis=1)
    expected = (logged - loc[:, None]) / scale[:, None]
    np.testing.assert_allclose(dynamic[..., 0], expected, rtol=1e-4, atol=1e-5)
    future = np.log1p(windows.arrays.target[_horizon_rows(windows, spec), 0])
    np.testing.assert_allclose(
        y[..., 0], (future - loc[:, None]) / scale[:, None], rtol=1e-4, atol=1e-5
    )


def test_series_scaler_is_fitted_on_log_targets(frame, spec):
    data = ForecastDataset(spec.replace(target_transform="log1p")).fit(frame)
    first = frame[frame["series"] == "s0"]["sales"].to_numpy()
    np.testing.assert_allclose(data.target_scaler.loc[0, 0], np.log1p(first).mean())
    back = data.inverse_transform(np.zeros((1, 2, 1)), ["s0"])
    np.testing.assert_allclose(back, np.expm1(np.log1p(first).mean()))


def test_log1p_refuses_negative_targets_naming_the_column(frame, spec):
    bad = frame.copy()
    bad.loc[3, "sales"] = -2.5
    with pytest.raises(ValueError, match=r"'sales' holds 1 negative value.*-2\.5"):
        ForecastDataset(spec.replace(target_transform="log1p")).fit(bad)
    data = ForecastDataset(spec.replace(target_transform="log1p")).fit(frame)
    with pytest.raises(ValueError, match="needs targets >= 0"):
        data.windows("all", frame=bad)


def test_unknown_transform_is_refused():
    with pytest.raises(ValueError, match=r"one of \['none', 'log1p'\]"):
        DatasetSpec(
            time_column="t", target_columns="y", lookback=2, forecast_horizon=1,
            target_transform="log",
        )  # fmt: skip
    assert inverse(forward(np.array([[0.0], [9.0]]), "log1p"), "log1p")[1, 0] == (
        pytest.approx(9.0)
    )


def test_saved_dataset_keeps_the_transform(frame, spec, tmp_path):
    data = ForecastDataset(spec.replace(target_transform="log1p")).fit(frame)
    data.save(tmp_path / "dataset.json")
    loaded = ForecastDataset.load(tmp_path / "dataset.json")
    assert loaded.spec.target_transform == "log1p"
    windows = loaded.windows("all", frame=frame, batch_size=1000)
    _, y = windows.materialize()
    back = loaded.to_original_units(y, windows)[..., 0]
    np.testing.assert_allclose(
        back, windows.arrays.target[_horizon_rows(windows, spec), 0], rtol=1e-5
    )


def test_static_window_statistics_are_those_of_the_log_target(frame, spec):
    # With window scaling the static input holds each window's lookback
    # mean and log standard deviation, standardised like the series'
    # training statistics: with log1p, all of them are of log(1 + y).
    logged = spec.replace(target_transform="log1p", scaling="window")
    data = ForecastDataset(logged).fit(frame)
    first = frame[frame["series"] == "s0"]["sales"].to_numpy()
    train = np.log1p(first)
    np.testing.assert_allclose(
        data.target_stats[0], [train.mean(), np.log(train.std())]
    )
    windows = data.windows("all", batch_size=1000)
    (static, _, _), _ = windows.materialize()
    raw = windows.arrays.target[windows.starts[:, None] + np.arange(spec.lookback), 0]
    column = len(logged.static_numeric_columns)
    loc, scale = data.static_scaler.loc[0, column], data.static_scaler.scale[0, column]
    np.testing.assert_allclose(
        static[:, column],
        (np.log1p(raw).mean(axis=1) - loc) / scale,
        rtol=1e-4,
        atol=1e-5,
    )
