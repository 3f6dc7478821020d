"""`DatasetSpec(holiday_lag=...)`: the yearly lag reads the same holiday a
year before on holidays, the same weekday 52 weeks before on other days."""

import numpy as np
import pandas as pd
import pytest

from base_attentive.data import ForecastDataset
from base_attentive.data.calendar import holidays_available
from base_attentive.data.holiday_lag import holiday_source_rows, same_holiday_last_year
from tests.data.conftest import make_frame, make_spec

pytestmark = pytest.mark.skipif(
    not holidays_available(), reason="the holidays package is an optional extra"
)


def test_each_holiday_maps_to_the_same_holiday_a_year_before():
    days = pd.to_datetime(
        [
            "2015-07-04",  # Independence Day: a fixed date, 365 days
            "2015-07-03",  # ... observed on the Friday: the holiday itself
            "2015-09-07",  # Labor Day, first Monday of September: 371 days
            "2015-11-26",  # Thanksgiving: 364 days
            "2016-07-04",  # after a leap day: 366 days
            "2015-09-08",  # an ordinary day
        ]
    )
    found = same_holiday_last_year(days)
    expected = pd.to_datetime(
        ["2014-07-04", "2014-07-04", "2014-09-01", "2014-11-27", "2015-07-04", "NaT"]
    )
    np.testing.assert_array_equal(found, expected.values)


def test_hourly_times_keep_their_hour():
    found = same_holiday_last_year(pd.to_datetime(["2015-12-25 17:00"]))
    assert pd.Timestamp(found[0]) == pd.Timestamp("2014-12-25 17:00")


def test_source_rows_stay_in_their_series():
    times = pd.date_range("2014-06-01", "2015-07-10", freq="D").values
    length = len(times)
    offsets = np.array([0, length, 2 * length])
    source = holiday_source_rows(np.concatenate([times, times]), offsets)
    july4 = int(np.searchsorted(times, np.datetime64("2015-07-04")))
    last_year = int(np.searchsorted(times, np.datetime64("2014-07-04")))
    assert source[july4] == last_year
    assert source[length + july4] == length + last_year
    # A holiday whose last occurrence is before the data has no source.
    assert source[last_year] == -1
    assert (source[source >= 0] < np.arange(2 * length)[source >= 0]).all()


def _two_years():
    frame = make_frame(num_series=2, length=480, start="2014-05-01")
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
    np.testing.assert_array_equal(plain.starts, aligned.starts)
    (_, _, future_plain), _ = plain.materialize()
    (_, _, future_aligned), _ = aligned.materialize()
    # Only the last column (lag 364) changes, and only on holidays.
    np.testing.assert_array_equal(future_plain[..., :-1], future_aligned[..., :-1])
    holiday = future_aligned[
        ..., aligned_data.feature_names()["future"].index("holiday")
    ]
    changed = future_plain[..., -1] != future_aligned[..., -1]
    assert changed.any() and holiday[changed].min() == 1.0
    # The changed values are last year's holiday, in original units.
    arrays = aligned.arrays
    rows = aligned.starts[:, None] + spec.lookback + np.arange(spec.forecast_horizon)
    times = arrays.times[rows]
    window, step = np.argwhere(changed)[0]
    when = pd.Timestamp(times[window, step])
    source = pd.Timestamp(same_holiday_last_year(pd.DatetimeIndex([when]))[0])
    series_rows = slice(arrays.offsets[aligned.window_series[window]], None)
    row = np.flatnonzero(arrays.times[series_rows] == np.datetime64(source))[0]
    expected = arrays.target[series_rows][row, 0]
    original = aligned_data.to_original_units(future_aligned[..., -1:], aligned)
    np.testing.assert_allclose(original[window, step, 0], expected, rtol=1e-5)


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
