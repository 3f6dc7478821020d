"""Calendar features generated from timestamps (known in advance by nature).

Periodic features are encoded as a sin/cos pair so that the end of a cycle
sits next to its start (Sunday next to Monday, 31 December next to 1
January); holidays are a 0/1 flag from the `holidays` package, and
`holiday_proximity` tells how near the closest holidays are (the days
around Christmas, or a bridge day before Independence Day, behave neither
like holidays nor like ordinary days), and `holiday_day_of_year` and
`holiday_name` which holiday it is (their effects differ widely);
`holiday_neighbours` which holiday is tomorrow or was yesterday (Christmas
Eve is half a holiday, the day before Thanksgiving is not).
"""

from __future__ import annotations

import functools
import importlib.util

import numpy as np
import pandas as pd

CALENDAR_FEATURES = (
    "hour",
    "day_of_week",
    "day_of_month",
    "day_of_year",
    "month",
    "holiday",
    "holiday_proximity",
    "holiday_day_of_year",
    "holiday_name",
    "holiday_neighbours",
)
PROXIMITY_DAYS = 7  # `holiday_proximity` saturates a week away
# The years whose holidays give the `holiday_name` columns: a fixed span, so
# the columns of a country do not depend on the years of a table.
HOLIDAY_NAME_YEARS = range(1970, 2051)
_OBSERVED = " (observed)"


def holidays_available():
    """Returns whether the optional `holidays` package is installed."""
    return importlib.util.find_spec("holidays") is not None


def calendar_feature_names(features, holiday_country="US"):
    """Names of the columns `calendar_features` produces, in order.

    Args:
        features: sequence of names from `CALENDAR_FEATURES`.
        holiday_country: country code whose holidays name the
            `"holiday_name"` columns. Default `"US"`.

    Returns:
        list of str: `"<feature>_sin"`, `"<feature>_cos"` for periodic
        features, `"holiday"` for the holiday flag, `"holiday=<name>"` for
        each of `holiday_names(holiday_country)`.

    Example:

    >>> calendar_feature_names(["day_of_week", "holiday"])
    ['day_of_week_sin', 'day_of_week_cos', 'holiday']
    """
    names = []
    for feature in features:
        if feature == "holiday":
            names.append("holiday")
        elif feature == "holiday_proximity":
            names.extend(["days_to_holiday", "days_since_holiday"])
        elif feature == "holiday_day_of_year":
            names.extend(["holiday_day_of_year_sin", "holiday_day_of_year_cos"])
        elif feature == "holiday_name":
            names.extend(f"holiday={name}" for name in holiday_names(holiday_country))
        elif feature == "holiday_neighbours":
            known = holiday_names(holiday_country)
            names.extend(f"before={name}" for name in known)
            names.extend(f"after={name}" for name in known)
        else:
            names.extend([f"{feature}_sin", f"{feature}_cos"])
    return names


def _phase(times, feature):
    """Position in the cycle, in [0, 1), for a periodic calendar feature."""
    if feature == "hour":
        return (times.hour + times.minute / 60.0) / 24.0
    if feature == "day_of_week":
        return times.dayofweek / 7.0
    if feature == "day_of_month":
        return (times.day - 1) / times.days_in_month
    if feature == "day_of_year":
        return (times.dayofyear - 1) / (365.0 + times.is_leap_year)
    if feature == "month":
        return (times.month - 1) / 12.0
    raise ValueError(
        f"Unknown calendar feature {feature!r}. Expected one of {CALENDAR_FEATURES}"
    )


def holiday_calendar(years, country):
    """The `holidays` calendar of `country` for `years` (date -> name).

    Raises:
        ImportError: if the `holidays` package is not installed.
        ValueError: if `holidays` does not know `country`.
    """
    if not holidays_available():
        raise ImportError(
            "The holiday calendar features and `holiday_lag` need the "
            "`holidays` package. Install it with `pip install holidays` (or "
            "`pip install base-attentive[all]`), or remove them."
        )
    import holidays

    try:
        return holidays.country_holidays(country, years=years)
    except NotImplementedError:
        raise ValueError(
            "`holiday_country` must be a country code known to the `holidays` "
            f"package (e.g. 'US', 'FR'). Received: holiday_country={country!r}"
        ) from None


def holiday_base_name(name):
    """The holiday of a `holidays` calendar entry: the first of several
    names, without the observed marker ("Independence Day (observed)" is
    "Independence Day")."""
    first = str(name).split("; ")[0]
    return first.removesuffix(_OBSERVED)


@functools.cache
def holiday_names(country="US"):
    """The public holidays of `country`, by name, sorted: those of its
    `holidays` calendar in `HOLIDAY_NAME_YEARS` (observed days count as
    their holiday).

    The span is fixed so that the `holiday_name` columns of a country are
    the same for every table; they may change with the version of the
    `holidays` package (a saved model then refuses the new columns).

    Returns:
        tuple of str.

    Raises:
        ImportError: if the `holidays` package is not installed.
        ValueError: if `holidays` does not know `country`.
    """
    calendar = holiday_calendar(HOLIDAY_NAME_YEARS, country)
    return tuple(sorted({holiday_base_name(name) for name in calendar.values()}))


def holiday_name_flags(times, country="US"):
    """One 0/1 column per holiday of `holiday_names(country)`: is the date
    that holiday (or the day it is observed).

    A network told only "a holiday" learns one effect for all of them; a
    column per holiday lets it learn that ridership falls by two thirds on
    Labor Day and not at all on Veterans Day, which a day-of-year encoding
    places next to Thanksgiving.

    Args:
        times: `pandas.DatetimeIndex`.
        country: country code understood by `holidays.country_holidays`.

    Returns:
        float32 array `(len(times), len(holiday_names(country)))`.

    Raises:
        ImportError: if the `holidays` package is not installed.
        ValueError: if `holidays` does not know `country`.
    """
    names = holiday_names(country)
    flags = np.zeros((len(times), len(names)), dtype=np.float32)
    if not len(times):
        return flags
    years = range(int(times.year.min()), int(times.year.max()) + 1)
    column = {name: index for index, name in enumerate(names)}
    days = times.values.astype("datetime64[D]")
    for day, name in holiday_calendar(years, country).items():
        index = column.get(holiday_base_name(name))
        if index is not None:
            flags[days == np.datetime64(day, "D"), index] = 1.0
    return flags


def holiday_neighbours(times, country="US"):
    """Which holiday is next door: per holiday of `holiday_names(country)`,
    a 0/1 column `before=<name>` (the holiday is tomorrow) and a 0/1 column
    `after=<name>` (it was yesterday).

    `holiday_proximity` says a holiday is a day away, not which: Christmas
    Eve (ridership halves), the Wednesday before Thanksgiving (an ordinary
    working day) and the Friday after it (a bridge day) read the same, and
    only the month told them apart. The holiday itself reads 0 in both
    (`holiday_name` flags it). Holidays of the year before and after the
    times are looked at, so 31 December sees the coming New Year's Day.

    Some seeds train a model that forgets the holidays themselves with it
    (on the Chicago data one in eight: the holidays forecast as ordinary
    days, its validation loss 35% above the others'); the bundled run
    averages three models and leaves such a one out
    (`TrainingSettings.ensemble_tolerance`; docs/accuracy.md, round 14).

    Args:
        times: `pandas.DatetimeIndex`.
        country: country code understood by `holidays.country_holidays`.

    Returns:
        float32 array `(len(times), 2 * len(holiday_names(country)))`: the
        `before=` columns, then the `after=` columns, each in the order of
        `holiday_names(country)`.

    Raises:
        ImportError: if the `holidays` package is not installed.
        ValueError: if `holidays` does not know `country`.
    """
    names = holiday_names(country)
    flags = np.zeros((len(times), 2 * len(names)), dtype=np.float32)
    if not len(times):
        return flags
    years = range(int(times.year.min()) - 1, int(times.year.max()) + 2)
    column = {name: index for index, name in enumerate(names)}
    days = times.values.astype("datetime64[D]")
    one_day = np.timedelta64(1, "D")
    for day, name in holiday_calendar(years, country).items():
        index = column.get(holiday_base_name(name))
        if index is not None:
            holiday = np.datetime64(day, "D")
            flags[days == holiday - one_day, index] = 1.0
            flags[days == holiday + one_day, len(names) + index] = 1.0
    return flags


def _holiday_days(years, country):
    """Sorted `datetime64[D]` public holidays of `country` in `years`."""
    calendar = holiday_calendar(years, country)
    return np.array(sorted(calendar.keys()), dtype="datetime64[D]")


def holiday_proximity(times, country="US"):
    """Days to the next and since the last public holiday, scaled to [0, 1].

    Each count is in calendar days (0 on a holiday), capped at
    `PROXIMITY_DAYS` (7) and divided by it, so a day a week or more away
    from any holiday reads `(1, 1)`. Holidays of the year before and after
    the times are looked at, so the first days of January see the last
    Christmas.

    Args:
        times: `pandas.DatetimeIndex`.
        country: country code understood by `holidays.country_holidays`.

    Returns:
        float32 array `(len(times), 2)`: days to the next holiday, days
        since the last one.

    Raises:
        ImportError: if the `holidays` package is not installed.
        ValueError: if `holidays` does not know `country`.
    """
    years = range(int(times.year.min()) - 1, int(times.year.max()) + 2)
    holiday_days = _holiday_days(years, country).astype(np.int64)
    days = times.values.astype("datetime64[D]").astype(np.int64)
    following = np.searchsorted(holiday_days, days, side="left")
    previous = np.searchsorted(holiday_days, days, side="right") - 1
    far = np.int64(PROXIMITY_DAYS)
    until = np.where(
        following < len(holiday_days),
        holiday_days[np.minimum(following, len(holiday_days) - 1)] - days,
        far,
    )
    since = np.where(previous >= 0, days - holiday_days[np.maximum(previous, 0)], far)
    both = np.stack([until, since], axis=1)
    return (np.minimum(both, far) / PROXIMITY_DAYS).astype(np.float32)


def holiday_flags(times, country="US"):
    """0/1 flag per timestamp: is its date a public holiday in `country`.

    Args:
        times: `pandas.DatetimeIndex`.
        country: country code understood by `holidays.country_holidays`
            (e.g. `"US"`, `"FR"`, `"DE"`).

    Returns:
        float32 array of shape `(len(times),)`.

    Raises:
        ImportError: if the `holidays` package is not installed.
        ValueError: if `holidays` does not know `country`.
    """
    years = range(int(times.year.min()), int(times.year.max()) + 1)
    holiday_days = _holiday_days(years, country)
    days = times.values.astype("datetime64[D]")
    return np.isin(days, holiday_days).astype(np.float32)


def calendar_features(times, features, holiday_country="US", timezone=None):
    """Computes calendar features for a sequence of timestamps.

    Features are computed once per distinct timestamp and broadcast, so a
    long frame of many series sharing a time axis costs little.

    Args:
        times: datetime-like array or `pandas.DatetimeIndex`, shape `(N,)`.
        features: sequence of names from `CALENDAR_FEATURES`: `"hour"`,
            `"day_of_week"`, `"day_of_month"`, `"day_of_year"`, `"month"`
            (each a sin/cos pair), `"holiday"` (0/1),
            `"holiday_proximity"` (days to the next and since the last
            holiday, see `holiday_proximity`) and `"holiday_day_of_year"`
            (on holidays the day of year as a sin/cos pair, 0 on other
            days: tells one holiday from another, e.g. Veterans Day, a
            working day for most, from Labor Day) and `"holiday_name"`
            (a 0/1 column per holiday, see `holiday_name_flags`) and
            `"holiday_neighbours"` (per holiday, 0/1 columns for the day
            before and the day after it, see `holiday_neighbours`).
        holiday_country: country code for `"holiday"`. Default `"US"`.
        timezone: None, or the zone (e.g. `"Europe/Paris"`) of the local
            time the features describe, `times` being UTC: the hour, the
            day and the holidays of a place follow its clock.

    Returns:
        float32 array of shape `(N, len(calendar_feature_names(features)))`,
        columns in the order of `calendar_feature_names(features)`.

    Example:

    >>> import pandas as pd
    >>> times = pd.date_range("2024-01-01", periods=3, freq="D")
    >>> calendar_features(times, ["day_of_week"]).shape
    (3, 2)
    """
    names = calendar_feature_names(features, holiday_country)
    times = np.asarray(times, dtype="datetime64[ns]")
    if not names:
        return np.zeros((len(times), 0), dtype=np.float32)
    unique_times, inverse = np.unique(times, return_inverse=True)
    index = pd.DatetimeIndex(unique_times)
    if timezone is not None:
        index = index.tz_localize("UTC").tz_convert(timezone).tz_localize(None)
    columns = []
    for feature in features:
        if feature == "holiday":
            columns.append(holiday_flags(index, holiday_country))
            continue
        if feature == "holiday_proximity":
            columns.extend(holiday_proximity(index, holiday_country).T)
            continue
        if feature == "holiday_day_of_year":
            flags = holiday_flags(index, holiday_country)
            angle = 2.0 * np.pi * np.asarray(_phase(index, "day_of_year"))
            columns.extend([flags * np.sin(angle), flags * np.cos(angle)])
            continue
        if feature == "holiday_name":
            columns.extend(holiday_name_flags(index, holiday_country).T)
            continue
        if feature == "holiday_neighbours":
            columns.extend(holiday_neighbours(index, holiday_country).T)
            continue
        angle = 2.0 * np.pi * np.asarray(_phase(index, feature), dtype=np.float64)
        columns.extend([np.sin(angle), np.cos(angle)])
    table = np.stack(columns, axis=1).astype(np.float32)
    return table[inverse.reshape(-1)]


def default_calendar(step):
    """The calendar features of `calendar="auto"` for a time step: the
    cycles longer than the step and shorter than a year (hour and day of
    week for sub-daily data; day of week, day of year and month for daily
    data; ...), none for an unknown step (None) or yearly data.

    Returns:
        list of names from `CALENDAR_FEATURES`.
    """
    if step is None:
        return []
    if step < pd.Timedelta(days=1):
        return ["hour", "day_of_week"]
    if step == pd.Timedelta(days=1):
        return ["day_of_week", "day_of_year", "month"]
    if step < pd.Timedelta(days=28):
        return ["day_of_year", "month"]
    if step < pd.Timedelta(days=365):
        return ["month"]
    return []
