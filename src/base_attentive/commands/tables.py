"""The CLI's table: the user's file (or the bundled data), filtered by the
settings, with errors that name the command-line option at fault; and the
settings as `Forecaster` arguments.
"""

from __future__ import annotations

import warnings

import pandas as pd

from base_attentive.commands.settings import (
    BUNDLED,
    MODEL_SETTINGS,
    TRAINING_SETTINGS,
)
from base_attentive.data.io import read_table
from base_attentive.data.validation import DataError, local_zone, to_datetime

# The remedies of `data.validation.REMEDIES` (same keys) in the command
# line's words: a CLI user has options, not `DatasetSpec` arguments.
CLI_REMEDIES = {
    "gaps": "Give --missing mask to add the missing time steps as missing "
    "values, or --fill-missing ffill, zero or interpolate to add them and fill "
    "them, or --freq if the frequency was inferred wrongly.",
    "missing": "Clean them, give --missing mask (observed indicators; missing "
    "targets are not trained on nor scored), or --fill-missing ffill, zero or "
    "interpolate.",
    "short": "Remove those series from the table, keep the others with "
    "--series, or shorten --lookback / --horizon.",
    "late": "Remove those series from the table, keep the others with --series, "
    "or shorten the validation and test periods (--validation, --test).",
    "unknown_series": "The run was trained without them and scales each "
    "series by statistics of its own training period: predict only the run's "
    "series, train a run on a table that includes them, or train with "
    "--scaling window (each window scaled by its own lookback), which "
    "forecasts series not seen in training.",
}


def cli_message(error):
    """The text of a user error for the command line.

    A `data.validation.DataError` is told with the CLI's remedy; other
    errors as they are.
    """
    if isinstance(error, DataError):
        return f"{error.problem} {CLI_REMEDIES[error.remedy]}"
    return str(error)


# `--time-format` values for numbers counted from 1970, and their unit.
EPOCH_UNITS = {"unix-s": "s", "unix-ms": "ms", "unix-us": "us", "unix-ns": "ns"}
_COLUMN_OPTIONS = {
    "time_col": "--time-col",
    "id_col": "--id-col",
    "target": "--target",
    "static": "--static",
    "past": "--past",
    "future": "--future",
    "categorical": "--categorical",
}


def load_frame(settings, data=None, *, filter_period=True, future_rows=False):
    """The frame of a run: the bundled data or `data`, filtered by settings.

    Args:
        settings: resolved settings (`data`, columns, `series`, `start`,
            `end`).
        data: a file to read instead of `settings["data"]`.
        filter_period: apply `start` / `end`.
        future_rows: for the bundled data, add the 14 days after the last
            ride with known covariates (to forecast beyond the data).

    Returns:
        `(frame, description)`: the DataFrame (time column parsed) and a
        short text naming the source.
    """
    source = data or settings["data"]
    if source == BUNDLED:
        from base_attentive.data import load_chicago_ridership

        frame = load_chicago_ridership(include_future_covariates=future_rows)
        description = 'bundled Chicago "L" ridership'
    else:
        frame = read_table(source, "--data", text_columns=[settings["id_col"]])
        description = str(source)
    check_columns(frame, settings, description)
    time_col, id_col = settings["time_col"], settings["id_col"]
    frame[time_col] = parse_times(
        frame[time_col], time_col, settings.get("time_format"), settings.get("timezone")
    )
    if settings["series"] is not None and id_col is None:
        raise ValueError(
            "--series selects series by their id: it needs --id-col. Received: "
            f"series={settings['series']}, id_col=None"
        )
    if settings["series"] is not None:
        known = frame[id_col].astype(str)
        unknown = sorted(set(settings["series"]) - set(known.unique()))
        if unknown:
            raise ValueError(
                f"--series names series not in {description}: {unknown[:10]}. "
                f"Known series: {sorted(known.unique())[:20]}"
            )
        frame = frame[known.isin(settings["series"])]
    if filter_period:
        if settings["start"] is not None:
            frame = frame[
                frame[time_col] >= column_time(settings["start"], frame[time_col])
            ]
        if settings["end"] is not None:
            frame = frame[
                frame[time_col] <= column_time(settings["end"], frame[time_col])
            ]
    if frame.empty:
        filters = [("series", "--series")]
        if filter_period:
            filters += [("start", "--start"), ("end", "--end")]
        given = [f"{flag} {settings[key]}" for key, flag in filters if settings[key]]
        raise ValueError(
            f"No rows left in {description} after the filter(s) {', '.join(given)}."
            if given
            else f"{description} has no rows."
        )
    return frame.reset_index(drop=True), description


def parse_times(column, name, time_format=None, timezone=None):
    """Reads the time column: dates and times as text, or `time_format`.

    A numeric column is refused unless `time_format` says how to read it
    (pandas would read 20160101 as nanoseconds after 1970). Times whose UTC
    offsets differ between rows (daylight saving time) are read as UTC
    instants. With `timezone`, times with a zone are converted to it and
    times without one are taken as its local times.

    Args:
        column: the time column (`pandas.Series`).
        name: its name, for messages.
        time_format: `--time-format`: a strftime format, a key of
            `EPOCH_UNITS`, or None.
        timezone: `--timezone`, or None.

    Returns:
        the column as datetimes.
    """
    times = _read_times(column, name, time_format)
    if timezone is None:
        if str(getattr(times.dtype, "tz", None)) == "UTC" and not _is_utc(column):
            warnings.warn(
                f"The --time-col {name} times carry UTC offsets that change "
                "(daylight saving time?): they are read, and written in outputs, "
                "as UTC. Give --timezone (e.g. Europe/Paris) for local times.",
                UserWarning,
                stacklevel=2,
            )
        return times
    try:
        if isinstance(times.dtype, pd.DatetimeTZDtype):
            return times.dt.tz_convert(timezone)
        return times.dt.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
    except (ValueError, TypeError, KeyError) as error:
        raise ValueError(
            f"--timezone {timezone}: cannot place the --time-col {name} times in "
            f"this zone ({error}). Local times that repeat or do not exist at a "
            "daylight-saving change need their UTC offset (2016-10-30 "
            "02:30:00+02:00)."
        ) from None


def _is_utc(column):
    """Whether the text or times of `column` were UTC to begin with."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return True
    text = column.astype(str)
    return bool(text.str.endswith(("Z", "+00:00", "UTC")).all())


def _read_times(column, name, time_format):
    if time_format is None and pd.api.types.is_datetime64_any_dtype(column):
        return column
    if time_format is None and (
        pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
    ):
        raise ValueError(
            f"--time-col {name}: holds numbers (e.g. "
            f"{column.head(3).tolist()}), not dates. Give --time-format: a "
            "format such as %Y%m%d for 20160101, or unix-s / unix-ms for "
            "seconds / milliseconds since 1970."
        )
    try:
        if time_format in EPOCH_UNITS:
            return pd.to_datetime(column, unit=EPOCH_UNITS[time_format])
        if time_format is not None:
            return pd.to_datetime(column.astype(str), format=time_format)
        return to_datetime(column)
    except (ValueError, TypeError, OverflowError) as error:
        how = "" if time_format is None else f" with --time-format {time_format}"
        raise ValueError(
            f"--time-col {name}: the values must be dates or times{how}. Received "
            f"values such as {column.astype(str).head(3).tolist()} ({error})"
        ) from None


def column_time(value, column):
    """A time given on the command line or in a run (`--start`), comparable
    with the time `column`: a time without a zone is a local time of the
    column's zone."""
    stamp = pd.Timestamp(value)
    zone = getattr(column.dtype, "tz", None)
    if zone is not None and stamp.tzinfo is None:
        return stamp.tz_localize(zone)
    return stamp


def local_time(value, column):
    """A time of the library's zone-free timeline (`to_datetime_ns`: UTC for
    instants) in the zone of the time `column` (unchanged without one)."""
    stamp = pd.Timestamp(value)
    if local_zone(column) is None:
        return stamp
    return stamp.tz_localize("UTC").tz_convert(column.dt.tz)


def output_times(forecasts, column, time_col):
    """Forecasts with their times (`time_col`, `forecast_origin`) in the zone
    of the input's time `column`, as the input gave them."""
    if local_zone(column) is None:
        return forecasts
    forecasts = forecasts.copy()
    for name in (time_col, "forecast_origin"):
        if name in forecasts:
            forecasts[name] = (
                pd.to_datetime(forecasts[name])
                .dt.tz_localize("UTC")
                .dt.tz_convert(column.dt.tz)
            )
    return forecasts


def check_columns(frame, settings, description):
    """Every column named by an option exists in `frame`, else a clear error."""
    available = list(frame.columns)
    for key, flag in _COLUMN_OPTIONS.items():
        value = settings.get(key)
        names = [] if value is None else [value] if isinstance(value, str) else value
        missing = [name for name in names if name not in available]
        if missing:
            raise ValueError(
                f"{flag} names column(s) not in {description}: {missing}. "
                f"Available columns: {available}"
            )


def forecaster_arguments(settings):
    """The `Forecaster` arguments of resolved settings."""
    training = {
        setting.key: settings[setting.key]
        for setting in TRAINING_SETTINGS
        if setting.key != "seed"
    }
    return {
        "target": settings["target"],
        "time_col": settings["time_col"],
        "lookback": settings["lookback"],
        "horizon": settings["horizon"],
        "id_col": settings["id_col"],
        "static": settings["static"],
        "past": settings["past"],
        "future": settings["future"],
        "categorical": settings.get("categorical") or [],
        "freq": settings["freq"],
        "quantiles": settings["quantiles"],
        "calendar": settings["calendar"],
        "model": {setting.key: settings[setting.key] for setting in MODEL_SETTINGS},
        "seed": settings["seed"],
        "training": training,
        "season": settings["season"],
        "holiday_country": settings["holiday_country"],
        "fill_missing": settings["fill_missing"],
        "missing": settings["missing"],
        "scaling": settings["scaling"],
        "target_scaler": settings["target_scaler"],
        "seasonal_lags": settings["seasonal_lags"],
        "holiday_lag": settings["holiday_lag"],
        "target_transform": settings["target_transform"],
        "static_one_hot_max": settings["static_one_hot_max"],
    }
