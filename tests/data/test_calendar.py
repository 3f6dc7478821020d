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


def test_holiday_proximity_counts_days_to_and_since_holidays():
    pytest.importorskip("holidays")
    times = pd.to_datetime(
        [
            "2015-12-23 00:00",
            "2015-12-25 08:00",
            "2015-12-27 00:00",
            "2016-01-02 00:00",
            "2016-02-01 00:00",
        ]
    )
    assert calendar_feature_names(["holiday_proximity"]) == [
        "days_to_holiday",
        "days_since_holiday",
    ]
    days = calendar_features(times, ["holiday_proximity"]) * calendar.PROXIMITY_DAYS
    np.testing.assert_allclose(
        days,
        # to the next / since the last holiday, capped at a week:
        # Dec 23 is 2 days before Christmas; Jan 2 is a day after New Year;
        # Feb 1 is two weeks after Martin Luther King Day and before Presidents' Day.
        [[2, 7], [0, 0], [5, 2], [7, 1], [7, 7]],
        atol=1e-5,
    )


def test_holiday_proximity_sees_holidays_across_the_year_boundary():
    pytest.importorskip("holidays")
    days = calendar_features(pd.to_datetime(["2016-01-03"]), ["holiday_proximity"])
    np.testing.assert_allclose(days * calendar.PROXIMITY_DAYS, [[7, 2]], atol=1e-5)
    days = calendar_features(pd.to_datetime(["2015-12-30"]), ["holiday_proximity"])
    np.testing.assert_allclose(days * calendar.PROXIMITY_DAYS, [[2, 5]], atol=1e-5)


def test_holiday_proximity_without_the_package_names_the_install(monkeypatch):
    monkeypatch.setattr(calendar, "holidays_available", lambda: False)
    times = pd.date_range("2024-01-01", periods=3, freq="D")
    with pytest.raises(ImportError, match="pip install holidays"):
        calendar_features(times, ["holiday_proximity"])


def test_holiday_day_of_year_tells_holidays_apart_and_is_zero_elsewhere():
    pytest.importorskip("holidays")
    times = pd.to_datetime(["2015-09-07 00:00", "2015-11-11 00:00", "2015-11-12 00:00"])
    assert calendar_feature_names(["holiday_day_of_year"]) == [
        "holiday_day_of_year_sin",
        "holiday_day_of_year_cos",
    ]
    values = calendar_features(times, ["holiday_day_of_year"])
    day_of_year = calendar_features(times, ["day_of_year"])
    np.testing.assert_allclose(values[:2], day_of_year[:2], atol=1e-6)
    assert not np.allclose(values[0], values[1])  # Labor Day vs Veterans Day
    np.testing.assert_array_equal(values[2], [0.0, 0.0])


def test_holiday_name_gives_one_column_per_holiday_observed_days_included():
    pytest.importorskip("holidays")
    names = calendar_feature_names(["holiday_name"], holiday_country="US")
    assert "holiday=Labor Day" in names and "holiday=Veterans Day" in names
    assert names == sorted(names) and len(names) == len(set(names))
    times = pd.to_datetime(
        [
            "2015-09-07 00:00",  # Labor Day
            "2015-11-11 08:00",  # Veterans Day, any time of the day
            "2015-11-12 00:00",  # an ordinary day
            "2021-07-05 00:00",  # Independence Day (observed)
        ]
    )
    values = calendar_features(times, ["holiday_name"], holiday_country="US")
    assert values.shape == (4, len(names))
    expected = np.zeros_like(values)
    expected[0, names.index("holiday=Labor Day")] = 1.0
    expected[1, names.index("holiday=Veterans Day")] = 1.0
    expected[3, names.index("holiday=Independence Day")] = 1.0
    np.testing.assert_array_equal(values, expected)


def test_holiday_name_columns_do_not_depend_on_the_years_of_the_table():
    pytest.importorskip("holidays")
    early = calendar_features(pd.to_datetime(["2012-01-02"]), ["holiday_name"])
    late = calendar_features(pd.to_datetime(["2024-06-19"]), ["holiday_name"])
    names = calendar_feature_names(["holiday_name"])
    assert early.shape == late.shape == (1, len(names))
    # Juneteenth became a US holiday in 2021: a column in every table.
    assert late[0, names.index("holiday=Juneteenth National Independence Day")] == 1
    assert early.sum() == 1  # New Year's Day (observed) on a Monday


def test_holiday_name_follows_the_country():
    pytest.importorskip("holidays")
    names = calendar_feature_names(["holiday_name"], holiday_country="FR")
    assert "holiday=Armistice Day" in names
    assert "holiday=Thanksgiving Day" not in names
    with pytest.raises(ValueError, match="holiday_country"):
        calendar_feature_names(["holiday_name"], holiday_country="XX")


def test_holiday_neighbours_say_which_holiday_is_tomorrow_or_was_yesterday():
    pytest.importorskip("holidays")
    names = calendar_feature_names(["holiday_neighbours"])
    known = calendar_feature_names(["holiday_name"])
    assert len(names) == 2 * len(known) == len(set(names))
    times = pd.date_range("2015-12-20", "2016-01-05", freq="D")
    values = calendar_features(times, ["holiday_neighbours"])
    assert values.shape == (len(times), len(names))
    by_day = {
        day.strftime("%m-%d"): [names[j] for j in np.flatnonzero(row)]
        for day, row in zip(times, values, strict=True)
    }
    christmas, new_year = "Christmas Day", "New Year's Day"
    assert by_day["12-23"] == [] and by_day["12-27"] == []
    assert by_day["12-24"] == [f"before={christmas}"]
    assert by_day["12-25"] == [] and by_day["01-01"] == []  # the holidays
    assert by_day["12-26"] == [f"after={christmas}"]
    # 31 December sees the New Year's Day of the next year.
    assert by_day["12-31"] == [f"before={new_year}"]
    assert by_day["01-02"] == [f"after={new_year}"]
    assert set(np.unique(values)) == {0.0, 1.0}


def test_holiday_neighbours_tell_apart_days_holiday_proximity_confuses():
    pytest.importorskip("holidays")
    names = calendar_feature_names(["holiday_neighbours"])
    # Thanksgiving 2015 was Thursday 26 November; 4 July 2015 a Saturday,
    # observed on Friday 3 July.
    times = pd.to_datetime(["2015-11-25 00:00", "2015-11-27 00:00", "2015-07-02 18:00"])
    values = calendar_features(times, ["holiday_neighbours"])
    assert values[0, names.index("before=Thanksgiving Day")] == 1.0
    assert values[1, names.index("after=Thanksgiving Day")] == 1.0
    assert values[2, names.index("before=Independence Day")] == 1.0
    assert (values > 0).sum(axis=1).tolist() == [1, 1, 1]
    proximity = calendar_features(times[:2], ["holiday_proximity"])
    assert proximity[0, 0] == proximity[1, 1]  # the older feature: alike


def test_a_dataset_feeds_the_holiday_name_columns_at_the_forecast_steps():
    pytest.importorskip("holidays")
    from base_attentive.data import ForecastDataset
    from tests.data.conftest import make_frame, make_spec

    frame = make_frame(num_series=2, length=120, start="2015-08-01")
    spec = make_spec(
        lookback=14, forecast_horizon=7, calendar_features=("holiday_name",)
    )
    data = ForecastDataset(spec).fit(frame)
    names = data.feature_names()["future"]
    assert names[-len(holiday_names_us()) :] == holiday_names_us()
    windows = data.windows("all", batch_size=4096)
    (_, _, future), _ = windows.materialize()
    rows = windows.starts[:, None] + spec.lookback + np.arange(spec.forecast_horizon)
    days = pd.DatetimeIndex(windows.arrays.times[rows].reshape(-1))
    labor_day = names.index("holiday=Labor Day")
    flags = future[..., labor_day].reshape(-1)
    np.testing.assert_array_equal(flags == 1.0, days == pd.Timestamp("2015-09-07"))
    assert (days == pd.Timestamp("2015-09-07")).any()


def holiday_names_us():
    return calendar_feature_names(["holiday_name"], holiday_country="US")
