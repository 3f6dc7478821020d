import numpy as np
import pandas as pd
import pytest

from base_attentive.data import calendar
from base_attentive.data.calendar import calendar_feature_names, calendar_features


def test_names_follow_the_requested_order():
    names = calendar_feature_names(["month", "holiday", "hour"])
    assert names == ["month_sin", "month_cos", "holiday", "hour_sin", "hour_cos"]


def test_day_of_week_is_a_unit_circle_with_a_weekly_period():
    times = pd.date_range("2024-01-01", periods=15, freq="D")  # a Monday
    values = calendar_features(times, ["day_of_week"])
    assert values.shape == (15, 2) and values.dtype == np.float32
    np.testing.assert_allclose(values[0], [0.0, 1.0], atol=1e-7)
    np.testing.assert_allclose(values[:7], values[7:14], atol=1e-6)
    np.testing.assert_allclose((values**2).sum(axis=1), 1.0, atol=1e-6)


def test_year_end_is_next_to_year_start():
    times = pd.to_datetime(["2023-12-31", "2024-01-01", "2024-07-01"])
    values = calendar_features(times, ["day_of_year"])
    assert np.linalg.norm(values[0] - values[1]) < 0.05
    assert np.linalg.norm(values[0] - values[2]) > 1.5


def test_no_features_gives_a_zero_width_array():
    times = pd.date_range("2024-01-01", periods=3, freq="D")
    assert calendar_features(times, []).shape == (3, 0)


def test_us_holidays_are_flagged():
    pytest.importorskip("holidays")
    times = pd.to_datetime(["2024-07-04 00:00", "2024-07-05 09:00", "2024-12-25 18:00"])
    flags = calendar_features(times, ["holiday"], holiday_country="US")
    assert flags.ravel().tolist() == [1.0, 0.0, 1.0]


def test_unknown_holiday_country_names_the_argument():
    pytest.importorskip("holidays")
    times = pd.date_range("2024-01-01", periods=3, freq="D")
    with pytest.raises(ValueError, match="holiday_country='XX'"):
        calendar_features(times, ["holiday"], holiday_country="XX")


def test_missing_holidays_package_names_the_install(monkeypatch):
    monkeypatch.setattr(calendar, "holidays_available", lambda: False)
    times = pd.date_range("2024-01-01", periods=3, freq="D")
    with pytest.raises(ImportError, match="pip install holidays"):
        calendar_features(times, ["holiday"])
