"""`DatasetSpec(target_transform="log1p")` and `static_window_stats`: the
model sees log targets and forecasts come back in original units; the
window's level reaches the static input."""

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


def test_window_stats_reach_the_static_input(frame, spec):
    plain = ForecastDataset(spec.replace(scaling="window")).fit(frame)
    data = ForecastDataset(
        spec.replace(scaling="window", static_window_stats=True)
    ).fit(frame)
    names = data.feature_names()["static"]
    assert names[-2:] == ["sales_window_loc", "sales_window_log_scale"]
    assert data.model_dims()["static_input_dim"] == (
        plain.model_dims()["static_input_dim"] + 2
    )
    windows = data.windows("all", batch_size=1000)
    (static, _, _), _ = windows.materialize()
    (plain_static, _, _), _ = plain.windows("all", batch_size=1000).materialize()
    np.testing.assert_array_equal(static[:, :-2], plain_static)
    raw = windows.arrays.target[windows.starts[:, None] + np.arange(spec.lookback), 0]
    level = static[:, -2]
    # Standardised, and ordered like the lookback means: the busier window
    # has the larger input, within a series and across series.
    order = np.argsort(raw.mean(axis=1))
    assert (np.diff(level[order]) >= -1e-6).all()
    assert abs(level.mean()) < 1.0 and 0.5 < level.std() < 2.0
    spread = np.log(raw.std(axis=1))
    np.testing.assert_allclose(
        static[:, -1] - spread, (static[:, -1] - spread)[0], atol=1e-5
    )
