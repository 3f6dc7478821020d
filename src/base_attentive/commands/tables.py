"""The CLI's table: the user's file (or the bundled data), filtered by the
settings, with errors that name the command-line option at fault; and the
settings as `Forecaster` arguments.
"""

from __future__ import annotations

import pandas as pd

from base_attentive.commands.settings import (
    BUNDLED,
    MODEL_SETTINGS,
    TRAINING_SETTINGS,
)
from base_attentive.data.io import read_table

_COLUMN_OPTIONS = {
    "time_col": "--time-col",
    "id_col": "--id-col",
    "target": "--target",
    "static": "--static",
    "past": "--past",
    "future": "--future",
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
        frame = read_table(source, argument="--data")
        description = str(source)
    check_columns(frame, settings, description)
    time_col, id_col = settings["time_col"], settings["id_col"]
    frame[time_col] = _parse_times(frame[time_col], time_col)
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
            frame = frame[frame[time_col] >= pd.Timestamp(settings["start"])]
        if settings["end"] is not None:
            frame = frame[frame[time_col] <= pd.Timestamp(settings["end"])]
    if frame.empty:
        raise ValueError(
            f"No rows left in {description} after the --series / --start / "
            "--end filters."
        )
    return frame.reset_index(drop=True), description


def _parse_times(column, name):
    if pd.api.types.is_datetime64_any_dtype(column):
        return column
    try:
        return pd.to_datetime(column)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"--time-col {name}: the values must be dates or times. Received "
            f"values such as {column.astype(str).head(3).tolist()} ({error})"
        ) from None


def check_columns(frame, settings, description):
    """Every column named by an option exists in `frame`, else a clear error."""
    available = list(frame.columns)
    for key, flag in _COLUMN_OPTIONS.items():
        value = settings[key]
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
        "freq": settings["freq"],
        "quantiles": settings["quantiles"],
        "calendar": settings["calendar"],
        "model": {setting.key: settings[setting.key] for setting in MODEL_SETTINGS},
        "seed": settings["seed"],
        "training": training,
        "season": settings["season"],
        "holiday_country": settings["holiday_country"],
        "fill_missing": settings["fill_missing"],
        "scaling": settings["scaling"],
        "seasonal_lags": settings["seasonal_lags"],
        "holiday_lag": settings["holiday_lag"],
    }
