"""`DatasetSpec(holiday_lag=...)`: the yearly lag reads the same holiday a
year before on holidays when it fell on the same weekday, 53 weeks before
on ordinary days whose 52-week lag is a holiday, the same weekday 52 weeks
before on other days."""

import numpy as np
import pandas as pd
import pytest

from base_attentive.data import ForecastDataset
from base_attentive.data.calendar import holidays_available
from base_attentive.data.holiday_lag import (
    holiday_source_rows,
    same_holiday_last_year,
    yearly_lag_source,
)
from tests.data.conftest import make_frame, make_spec

pytestmark = pytest.mark.skipif(
    not holidays_available(), reason="the holidays package is an optional extra"
)


def test_each_holiday_maps_to_the_same_holiday_a_year_before():
    days = pd.to_datetime(
        [
            "2015-07-04",  # Independence Day on a Saturday, a Friday before
            "2015-07-03",  # ... observed on the Friday: the Friday before
            "2015-09-07",  # Labor Day, first Monday of September: 371 days
            "2015-11-26",  # Thanksgiving: 364 days
            "2013-11-11",  # Veterans Day, a Monday; a Sunday in 2012
            "2016-07-04",  # a Monday; a Saturday in 2015 (observed Friday)
            "2015-09-08",  # an ordinary day
        ]
    )
    found = same_holiday_last_year(days)
    expected = pd.to_datetime(
        ["NaT", "2014-07-04", "2014-09-01", "2014-11-27", "NaT", "NaT", "NaT"]
    )
    np.testing.assert_array_equal(found, expected.values)


def test_ordinary_days_skip_last_years_holiday():
    days = pd.to_datetime(
        [
            "2015-08-31",  # 52 weeks after Labor Day 2014: 53 weeks back
            "2016-05-23",  # 52 weeks after Memorial Day 2015: 53 weeks back
            "2015-09-07",  # Labor Day itself: Labor Day 2014
            "2014-12-31",  # 52 weeks after New Year, 53 after Christmas 2013
            "2015-12-24",  # 52 weeks after Christmas, but Christmas Eve
            "2015-09-01",  # an ordinary day a year after an ordinary day
        ]
    )
    found = yearly_lag_source(days)
    expected = pd.to_datetime(
        ["2014-08-25", "2015-05-18", "2014-09-01", "NaT", "NaT", "NaT"]
    )
    np.testing.assert_array_equal(found, expected.values)
    hourly = yearly_lag_source(pd.to_datetime(["2015-08-31 08:00"]))
    assert pd.Timestamp(hourly[0]) == pd.Timestamp("2014-08-25 08:00")


def test_hourly_times_keep_their_hour():
    found = same_holiday_last_year(pd.to_datetime(["2015-11-26 17:00"]))
    assert pd.Timestamp(found[0]) == pd.Timestamp("2014-11-27 17:00")


def test_source_rows_stay_in_their_series():
    times = pd.date_range("2014-06-01", "2015-07-10", freq="D").values
    length = len(times)
    offsets = np.array([0, length, 2 * length])
    source = holiday_source_rows(np.concatenate([times, times]), offsets)
    july3 = int(np.searchsorted(times, np.datetime64("2015-07-03")))  # observed
    last_year = int(np.searchsorted(times, np.datetime64("2014-07-04")))
    assert source[july3] == last_year
    assert source[length + july3] == length + last_year
    # A holiday whose last occurrence is before the data has no source.
    assert source[last_year] == -1
    assert (source[source >= 0] < np.arange(2 * length)[source >= 0]).all()


def _two_years():
    # To 2015-10-02: Labor Day 2015 is 371 days after Labor Day 2014.
    frame = make_frame(num_series=2, length=520, start="2014-05-01")
    return frame, make_spec(
        lookback=14,
        forecast_horizon=7,
        seasonal_lags=(7, 364),
        scaling="window",
        calendar_features=("day_of_week", "holiday"),
    )


def test_the_yearly_lag_reads_last_years_holiday_on_holidays_only():
    frame, spec = _two_years()
    plain = ForecastDataset(spec).fit(frame).windows("all", batch_size=4096)
    aligned_data = ForecastDataset(spec.replace(holiday_lag=364)).fit(frame)
    aligned = aligned_data.windows("all", batch_size=4096)
    # A holiday on a set weekday can be 53 weeks back: each series' first
    # week of windows goes (they could not read it); the rest are the same.
    assert len(aligned.starts) == len(plain.starts) - 2 * 7
    shared = np.isin(plain.starts, aligned.starts)
    np.testing.assert_array_equal(plain.starts[shared], aligned.starts)
    (_, _, future_plain), _ = plain.materialize()
    future_plain = future_plain[shared]
    (_, _, future_aligned), _ = aligned.materialize()
    # Only the last column (lag 364) changes, and only on the days
    # `yearly_lag_source` moves: holidays and the days 52 weeks after one.
    np.testing.assert_array_equal(future_plain[..., :-1], future_aligned[..., :-1])
    arrays = aligned.arrays
    rows = aligned.starts[:, None] + spec.lookback + np.arange(spec.forecast_horizon)
    times = arrays.times[rows]
    source = yearly_lag_source(times.reshape(-1)).reshape(times.shape)
    moved = ~np.isnat(source) & (times - source != np.timedelta64(364, "D"))
    changed = future_plain[..., -1] != future_aligned[..., -1]
    assert changed.any()
    np.testing.assert_array_equal(changed, moved)
    # The changed values are last year's holiday, in original units.
    holiday = future_aligned[
        ..., aligned_data.feature_names()["future"].index("holiday")
    ]
    window, step = np.argwhere(changed & (holiday == 1.0))[0]
    when = pd.Timestamp(times[window, step])
    source = pd.Timestamp(same_holiday_last_year(pd.DatetimeIndex([when]))[0])
    series_rows = slice(arrays.offsets[aligned.window_series[window]], None)
    row = np.flatnonzero(arrays.times[series_rows] == np.datetime64(source))[0]
    expected = arrays.target[series_rows][row, 0]
    original = aligned_data.to_original_units(future_aligned[..., -1:], aligned)
    np.testing.assert_allclose(original[window, step, 0], expected, rtol=1e-5)
    # Labor Day 2015 (371 days after Labor Day 2014) reads it on every step.
    labor_day = times == np.datetime64("2015-09-07")
    assert labor_day.sum() == 2 * spec.forecast_horizon
    assert changed[labor_day].all()
    # The Monday before, 52 weeks after Labor Day 2014, reads 53 weeks back.
    assert changed[times == np.datetime64("2015-08-31")].all()


def test_holiday_lag_survives_save_and_load(tmp_path):
    frame, spec = _two_years()
    data = ForecastDataset(spec.replace(holiday_lag=364)).fit(frame)
    data.save(tmp_path / "dataset.json")
    loaded = ForecastDataset.load(tmp_path / "dataset.json")
    assert loaded.spec.holiday_lag == 364
    again = loaded.windows("all", frame=frame, batch_size=4096).materialize()
    original = data.windows("all", batch_size=4096).materialize()
    np.testing.assert_array_equal(original[0][2], again[0][2])


def test_holiday_lag_must_be_a_seasonal_lag():
    with pytest.raises(ValueError, match="holiday_lag"):
        make_spec(seasonal_lags=(7,), holiday_lag=364)
