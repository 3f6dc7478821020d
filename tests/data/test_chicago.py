import socket

import numpy as np
import pandas as pd
import pytest

from base_attentive.data import (
    ChronologicalSplit,
    ForecastDataset,
    chicago_ridership_spec,
    load_chicago_ridership,
)
from base_attentive.data.chicago import SPORTS_COLUMNS, WEATHER_COLUMNS


@pytest.fixture(scope="module")
def chicago():
    return load_chicago_ridership()


def test_bundled_dataset_loads_offline(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("load_chicago_ridership tried to open a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    frame = load_chicago_ridership(stations=["Austin"])
    assert len(frame) == 5684


def test_bundled_dataset_has_20_stations_and_all_rows(chicago):
    assert chicago.shape == (113680, 31)
    assert chicago["station"].nunique() == 20
    assert chicago.groupby("station").size().eq(5684).all()
    assert pd.api.types.is_datetime64_any_dtype(chicago["date"])
    assert chicago["date"].min() == pd.Timestamp("2001-01-22")
    assert chicago["date"].max() == pd.Timestamp("2016-08-14")
    assert not chicago.isna().any().any()
    assert set(WEATHER_COLUMNS + SPORTS_COLUMNS) <= set(chicago.columns)


def test_covariates_are_merged_by_date(chicago):
    one_day = chicago[chicago["date"] == "2001-01-22"]
    assert one_day["station"].nunique() == 20
    assert one_day["temp"].nunique() == 1 and one_day["temp"].iloc[0] == 19.45


def test_stations_and_dates_can_be_selected():
    frame = load_chicago_ridership(
        stations=["Clark_Lake", "Austin"], start="2010-01-01", end="2010-01-31"
    )
    assert sorted(frame["station"].unique()) == ["Austin", "Clark_Lake"]
    assert len(frame) == 62


def test_unknown_station_lists_the_known_ones():
    with pytest.raises(
        ValueError, match=r"Unknown station\(s\) \['Nowhere'\].*Clark_Lake"
    ):
        load_chicago_ridership(stations=["Nowhere"])


def test_future_covariates_cover_14_days_after_the_last_ride():
    frame = load_chicago_ridership(stations="Austin", include_future_covariates=True)
    future = frame[frame["rides"].isna()]
    assert len(future) == 14
    assert future["date"].min() == pd.Timestamp("2016-08-15")
    assert not future[list(SPORTS_COLUMNS)].isna().any().any()


def test_default_spec_assigns_the_documented_roles():
    spec = chicago_ridership_spec(include_holidays=False)
    assert spec.target_columns == ("rides",)
    assert spec.id_column == "station" and spec.categorical_columns == ("station",)
    assert spec.past_columns == WEATHER_COLUMNS
    assert spec.future_columns == SPORTS_COLUMNS
    assert spec.calendar_features == ("day_of_week", "day_of_year", "month")
    weather_ahead = chicago_ridership_spec(weather_as="future")
    assert weather_ahead.past_columns == ()
    assert set(WEATHER_COLUMNS) <= set(weather_ahead.future_columns)


def test_default_spec_forecasts_the_two_weeks_after_the_data(chicago):
    pytest.importorskip("holidays")
    spec = chicago_ridership_spec(lookback=28, forecast_horizon=14)
    data = ForecastDataset(spec).fit(
        chicago, ChronologicalSplit(validation=0.1, test=0.1)
    )
    assert data.model_dims() == {
        "static_input_dim": 22,  # 2 target stats + 20 one-hot stations
        "dynamic_input_dim": 19,  # rides + 18 weather columns
        "future_input_dim": 19,  # 10 sports + 3 x (sin, cos) + holiday + proximity (2)
        "output_dim": 1,
        "static_cardinalities": None,  # the stations: one-hot, real features
        "dynamic_cardinalities": None,
        "future_cardinalities": None,
        "static_one_hot": [0, 0] + [1] * 20,  # the stations: one block
    }
    future = load_chicago_ridership(include_future_covariates=True)
    windows = data.prediction_windows(future)
    ((static, dynamic, future_inputs),) = windows[0]
    assert static.shape == (20, 22) and dynamic.shape == (20, 28, 19)
    # Each station's window: a 1 in its own column only (sorted stations).
    np.testing.assert_array_equal(static[:, 2:], np.eye(20))
    assert data.feature_names()["static"][2] == "station=Addison"
    assert future_inputs.shape == (20, 14, 19)
    assert np.isfinite(dynamic).all() and np.isfinite(future_inputs).all()
    assert (
        windows.window_index()["forecast_origin"] == pd.Timestamp("2016-08-14")
    ).all()
