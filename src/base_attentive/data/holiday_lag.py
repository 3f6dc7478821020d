"""The yearly seasonal lag aligned on public holidays.

A yearly lag of 52 weeks (364 days) gives each day the same weekday a year
before: right for ordinary days, wrong for holidays on a fixed date
(Independence Day, Veterans Day, Christmas fall on another weekday every
year) and for half the weekday holidays (Labor Day, the first Monday of
September, is 364 or 371 days after the last one). Holidays differ widely
(ridership falls to a third on Labor Day and barely moves on Veterans Day),
so the value on *the same holiday* a year before is what tells a model what
this holiday does to this series. `DatasetSpec(holiday_lag=364)` makes the
364-step lag read that value on holidays (every other day keeps the
ordinary lag).

Holidays are matched by name in the `holidays` calendar of the country
("Labor Day" to "Labor Day"; an observed day such as "Independence Day
(observed)" to the same holiday), taking the occurrence nearest to one year
before, and only when it fell on the same weekday: a holiday on a fixed
date that fell on another weekday (Veterans Day 2013, a Monday, after
Sunday 11 November 2012) keeps the ordinary lag, the same weekday 52 weeks
before, since a Sunday's ridership says little about a Monday holiday's
(on the Chicago year 2013-08 .. 2014-08 reading it quadrupled that day's
error; docs/accuracy.md, round 12). The lag moves where the 52-week lag
misses a holiday on a set weekday: Labor Day 2015 (371 days after Labor
Day 2014), Thanksgiving 2013. A holiday with no such occurrence keeps the
ordinary lag.

The same move has a mirror image: an ordinary day whose 52-week lag lands
on last year's holiday (Monday 31 August 2015 on Labor Day 2014, which
moved a week) would read a holiday's value for a working day. Such a day
reads 53 weeks back instead, the same weekday a week earlier, when that
is not a holiday either (`yearly_lag_source`). A day next to a holiday
keeps last year's holiday: the eve of one behaves much like one
(Christmas Eve 2014 read on an ordinary Wednesday instead of Christmas
2013 more than quadrupled that day's error on the Chicago development
year; docs/accuracy.md, round 13).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# How far the same holiday may be from exactly 365 days before (calendar
# days): weekday holidays move by up to a week, fixed dates by a leap day.
MAX_SHIFT_DAYS = 10


def same_holiday_last_year(times, country="US"):
    """For each time on a public holiday, the same time of day on the same
    holiday a year before when that fell on the same weekday; NaT for other
    times.

    Args:
        times: `pandas.DatetimeIndex` (or datetime64 array).
        country: country code of `holidays.country_holidays`.

    Returns:
        `datetime64[ns]` array of `len(times)`.

    Example:

    >>> import pandas as pd
    >>> days = pd.to_datetime(["2015-09-07", "2015-09-08"])  # Labor Day
    >>> same_holiday_last_year(days)
    array(['2014-09-01T00:00:00.000000000',                           'NaT'],
          dtype='datetime64[ns]')
    """
    from base_attentive.data.calendar import holiday_base_name, holiday_calendar

    times = pd.DatetimeIndex(np.asarray(times, dtype="datetime64[ns]"))
    result = np.full(len(times), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not len(times):
        return result
    years = range(int(times.year.min()) - 1, int(times.year.max()) + 1)
    calendar = holiday_calendar(years, country)
    by_name = {}
    for day, name in calendar.items():
        by_name.setdefault(holiday_base_name(name), []).append(np.datetime64(day, "D"))
    days = times.values.astype("datetime64[D]")
    unique_days, inverse = np.unique(days, return_inverse=True)
    previous = np.full(len(unique_days), np.datetime64("NaT"), dtype="datetime64[D]")
    for index, day in enumerate(unique_days):
        name = calendar.get(day.astype(object))
        if name is None:
            continue
        candidates = np.array(by_name[holiday_base_name(name)], dtype="datetime64[D]")
        target = day - np.timedelta64(365, "D")
        distance = np.abs((candidates - target).astype(np.int64))
        best = int(np.argmin(distance))
        same_weekday = (day - candidates[best]).astype(np.int64) % 7 == 0
        if distance[best] <= MAX_SHIFT_DAYS and candidates[best] < day and same_weekday:
            previous[index] = candidates[best]
    shift = (unique_days - previous)[inverse.reshape(-1)]
    valid = ~np.isnat(shift)
    result[valid] = times.values[valid] - shift[valid].astype("timedelta64[ns]")
    return result


def yearly_lag_source(times, country="US"):
    """For each time, the time the holiday-aligned yearly lag reads instead
    of the same time 52 weeks before; NaT where it keeps that one.

    A holiday reads the same holiday a year before (`same_holiday_last_year`);
    an ordinary day whose 52-week lag is a holiday reads 53 weeks back, when
    that is an ordinary day too and the day is not next to a holiday.

    Args:
        times: `pandas.DatetimeIndex` (or datetime64 array).
        country: country code of `holidays.country_holidays`.

    Returns:
        `datetime64[ns]` array of `len(times)`.

    Example:

    >>> import pandas as pd
    >>> days = pd.to_datetime(["2015-09-07", "2015-08-31", "2015-09-08"])
    >>> yearly_lag_source(days)  # Labor Day; a Monday a year after Labor Day
    array(['2014-09-01T00:00:00.000000000', '2014-08-25T00:00:00.000000000',
                                     'NaT'], dtype='datetime64[ns]')
    """
    from base_attentive.data.calendar import holiday_calendar

    times = pd.DatetimeIndex(np.asarray(times, dtype="datetime64[ns]"))
    result = same_holiday_last_year(times, country)
    if not len(times):
        return result
    days = times.values.astype("datetime64[D]")
    years = range(int(times.year.min()) - 2, int(times.year.max()) + 1)
    calendar = holiday_calendar(years, country)
    holiday_days = np.array(sorted(calendar), dtype="datetime64[D]")
    week = np.timedelta64(7, "D")
    day = np.timedelta64(1, "D")
    year_ago = days - 52 * week
    mirror = (
        ~np.isin(days, holiday_days)
        & ~np.isin(days - day, holiday_days)
        & ~np.isin(days + day, holiday_days)
        & np.isin(year_ago, holiday_days)
        & ~np.isin(year_ago - week, holiday_days)
    )
    result[mirror] = times.values[mirror] - np.timedelta64(53 * 7, "D").astype(
        "timedelta64[ns]"
    )
    return result


def holiday_source_rows(times, offsets, country="US"):
    """Row the holiday-aligned yearly lag reads, for each row of a frame.

    Args:
        times: `(N,)` `datetime64[ns]` times of the rows, series after
            series, each series in time order.
        offsets: `(num_series + 1,)` row offsets of the series.
        country: country code of the holiday calendar.

    Returns:
        int64 array `(N,)`: the row of the same series at the time
        `yearly_lag_source` gives (for a row on a holiday, the same holiday
        a year before; for a row whose 52-week lag is a holiday, 53 weeks
        back); -1 for other rows and where that time is not a row of the
        series.
    """
    times = np.asarray(times, dtype="datetime64[ns]")
    source = np.full(len(times), -1, dtype=np.int64)
    wanted = yearly_lag_source(times, country)
    for series in range(len(offsets) - 1):
        start, stop = int(offsets[series]), int(offsets[series + 1])
        targets = wanted[start:stop]
        rows = np.flatnonzero(~np.isnat(targets))
        if not len(rows):
            continue
        series_times = times[start:stop]
        found = np.searchsorted(series_times, targets[rows])
        inside = found < len(series_times)
        exact = np.zeros(len(rows), dtype=bool)
        exact[inside] = series_times[found[inside]] == targets[rows][inside]
        source[start + rows[exact]] = start + found[exact]
    return source
