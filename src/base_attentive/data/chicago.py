"""The bundled Chicago "L" ridership dataset and its default column roles."""

from __future__ import annotations

import importlib.resources

import numpy as np
import pandas as pd

from base_attentive.data.calendar import holidays_available
from base_attentive.data.spec import DatasetSpec

WEATHER_COLUMNS = (
    "temp_min",
    "temp",
    "temp_max",
    "temp_change",
    "dew",
    "humidity",
    "pressure",
    "pressure_change",
    "wind",
    "wind_max",
    "gust",
    "gust_max",
    "precip",
    "precip_max",
    "weather_rain",
    "weather_snow",
    "weather_cloud",
    "weather_storm",
)
SPORTS_COLUMNS = tuple(
    f"{team}_{venue}"
    for team in ("Blackhawks", "Bulls", "Bears", "WhiteSox", "Cubs")
    for venue in ("Away", "Home")
)


def _read_bundled(name):
    resource = importlib.resources.files("base_attentive.data").joinpath(
        "bundled", name
    )
    with resource.open("rb") as handle:
        return pd.read_csv(handle, compression="gzip", parse_dates=["date"])


def load_chicago_ridership(
    stations=None, start=None, end=None, include_future_covariates=False
):
    """Loads the bundled Chicago "L" daily ridership dataset (offline).

    Daily entries at 20 CTA "L" stations, 2001-01-22 .. 2016-08-14, in long
    format (113,680 rows), with city-wide daily covariates merged by date:
    weather (`temp_min` .. `weather_storm`, 18 columns) and sports schedules
    (`Blackhawks_Away` .. `Cubs_Home`, 10 columns of 0/1). No missing values;
    some days have 0.0 rides (station closures), which is real.

    Provenance and licence: compiled by M. Kuhn and K. Johnson for *Feature
    Engineering and Selection: A Practical Approach for Predictive Models*
    (CRC Press, 2019, section 1.3) from City of Chicago open data (CTA
    ridership) and weather and sports-schedule records; distributed as the
    `Chicago` table of the R package `modeldata` (MIT licence). That table
    stores each station's ridership lagged by 14 days; the bundled file
    shifts it back so each row holds the ridership of its own date.

    Args:
        stations: station name(s) to keep, e.g. `["Clark_Lake", "Austin"]`
            (default all 20).
        start: first date to keep (inclusive), anything `pandas.Timestamp`
            accepts. Default: the first date.
        end: last date to keep (inclusive). Default: the last date.
        include_future_covariates: also append, per station, the 14 dates
            after the last ride (2016-08-15 .. 2016-08-28) with `rides`
            missing and the covariates known, so that
            `ForecastDataset.prediction_windows(frame)` can forecast beyond
            the data. Default `False`.

    Returns:
        `pandas.DataFrame` with columns `date` (datetime64), `station`
        (str), `rides` (float, thousands of entries) and the 28 covariates,
        sorted by station then date.

    Example:

    >>> frame = load_chicago_ridership()
    >>> frame.shape
    (113680, 31)
    """
    rides = _read_bundled("rides.csv.gz")
    covariates = _read_bundled("daily_covariates.csv.gz")
    if stations is not None:
        stations = [stations] if isinstance(stations, str) else list(stations)
        known = sorted(rides["station"].unique())
        unknown = [station for station in stations if station not in known]
        if unknown:
            raise ValueError(f"Unknown station(s) {unknown}. Known stations: {known}")
        rides = rides[rides["station"].isin(stations)]
    if include_future_covariates:
        last = rides["date"].max()
        future_dates = covariates.loc[covariates["date"] > last, "date"]
        names = rides["station"].unique()
        future = pd.DataFrame(
            {
                "date": np.tile(future_dates.to_numpy(), len(names)),
                "station": np.repeat(names, len(future_dates)),
                "rides": np.nan,
            }
        )
        rides = pd.concat([rides, future], ignore_index=True)
    frame = rides.merge(covariates, on="date", how="left", validate="many_to_one")
    if start is not None:
        frame = frame[frame["date"] >= pd.Timestamp(start)]
    if end is not None:
        frame = frame[frame["date"] <= pd.Timestamp(end)]
    frame = frame.sort_values(["station", "date"], kind="stable")
    return frame.reset_index(drop=True)


def chicago_ridership_spec(
    lookback=28,
    forecast_horizon=14,
    *,
    mode=None,
    weather_as="past",
    include_holidays=None,
    target_scaler="standard",
):
    """The documented default column roles for `load_chicago_ridership()`.

    - target: `rides`, scaled per station;
    - static: `station` (one-hot), plus each station's training mean and log
      standard deviation of rides (`static_target_stats=True`);
    - past-observed: the 18 weather columns (weather is *observed*; with
      `weather_as="future"` it is treated as a perfect weather forecast
      instead, which is optimistic);
    - known-future: the 10 sports-schedule columns and the calendar
      features day of week, day of year and month (sin/cos), US public
      holidays (0/1) and the days to the next / since the last holiday.

    Args:
        lookback: past days the model sees. Default 28.
        forecast_horizon: days to forecast. Default 14 (the bundled
            covariates extend 14 days past the last ride).
        mode: `None` or `"tft"` (see `DatasetSpec`).
        weather_as: `"past"` (default) or `"future"`.
        include_holidays: add the US holiday flag and holiday proximity;
            `None` (default) adds them when the `holidays` package is
            installed, `True` requires it.
        target_scaler: `"standard"` (default), `"robust"` or `"none"`.

    Returns:
        `DatasetSpec`.

    Example:

    >>> spec = chicago_ridership_spec(lookback=56, forecast_horizon=7)
    """
    if weather_as not in ("past", "future"):
        raise ValueError(
            f"`weather_as` must be 'past' or 'future'. Received: weather_as={weather_as!r}"
        )
    if include_holidays is None:
        include_holidays = holidays_available()
    calendar = ("day_of_week", "day_of_year", "month")
    if include_holidays:
        calendar += ("holiday", "holiday_proximity")
    weather_is_past = weather_as == "past"
    return DatasetSpec(
        time_column="date",
        id_column="station",
        target_columns=("rides",),
        lookback=lookback,
        forecast_horizon=forecast_horizon,
        categorical_columns=("station",),
        past_columns=WEATHER_COLUMNS if weather_is_past else (),
        future_columns=SPORTS_COLUMNS + (() if weather_is_past else WEATHER_COLUMNS),
        calendar_features=calendar,
        holiday_country="US",
        freq="D",
        mode=mode,
        target_scaler=target_scaler,
        static_target_stats=True,
    )
