"""Reading the user's table (or the bundled data) and describing its columns.

Turns resolved settings (see `settings`) into a pandas DataFrame, a
`DatasetSpec` and a `ChronologicalSplit`, with errors that name the
command-line option at fault.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from base_attentive.commands.settings import BUNDLED
from base_attentive.data import ChronologicalSplit, DatasetSpec

_COLUMN_OPTIONS = {
    "time_col": "--time-col",
    "id_col": "--id-col",
    "target": "--target",
    "static": "--static",
    "past": "--past",
    "future": "--future",
}


def read_table(path):
    """Reads a long table from a CSV (optionally compressed) or Parquet file.

    Args:
        path: file path; `.csv`, `.csv.gz`, `.tsv`, `.txt` or `.parquet` /
            `.pq`.

    Returns:
        `pandas.DataFrame`.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--data {path}: no such file")
    suffixes = [suffix.lower() for suffix in path.suffixes]
    try:
        if suffixes and suffixes[-1] in (".parquet", ".pq"):
            try:
                return pd.read_parquet(path)
            except ImportError as error:
                raise ImportError(
                    f"--data {path}: reading Parquet needs pyarrow (`pip install "
                    'pyarrow`, or `pip install "base-attentive[all]"`).'
                ) from error
        if any(suffix in (".csv", ".tsv", ".txt") for suffix in suffixes):
            separator = "\t" if ".tsv" in suffixes else ","
            return pd.read_csv(path, sep=separator)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise ValueError(f"--data {path}: cannot read the table: {e}") from e
    except (OSError, ValueError) as error:  # pyarrow: not a Parquet file
        raise ValueError(f"--data {path}: cannot read the table: {error}") from error
    raise ValueError(
        f"--data {path}: expected a .csv (.csv.gz, .tsv) or .parquet file. "
        f"Received: {''.join(path.suffixes) or 'no extension'!r}"
    )


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
        frame = read_table(source)
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


def time_step(frame, time_col, id_col=None):
    """The most common step between consecutive times of a series."""
    order = [id_col, time_col] if id_col else [time_col]
    ordered = frame.sort_values(order)
    steps = ordered[time_col].diff()
    if id_col:
        steps = steps[ordered[id_col].eq(ordered[id_col].shift())]
    steps = steps[steps > pd.Timedelta(0)]
    return steps.mode().iloc[0] if len(steps) else None


def default_calendar(step):
    """Calendar features for a time step: the cycles shorter than a year."""
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


def default_season(step, lookback):
    """Season of the seasonal-naive baseline: a day of sub-daily steps, a
    week of days, a year of weeks, months or quarters; 1 (naive) when that
    exceeds the lookback or the step is irregular."""
    season = 1
    if step is not None and step < pd.Timedelta(days=1):
        season = max(1, round(pd.Timedelta(days=1) / step))
    elif step == pd.Timedelta(days=1):
        season = 7
    elif step == pd.Timedelta(weeks=1):
        season = 52
    elif step is not None and pd.Timedelta(days=28) <= step <= pd.Timedelta(days=31):
        season = 12
    elif step is not None and pd.Timedelta(days=89) <= step <= pd.Timedelta(days=92):
        season = 4
    return season if season <= lookback else 1


def build_spec(settings, frame):
    """The `DatasetSpec` of resolved settings (calendar 'auto' resolved).

    Static columns holding text (and the id column) are categorical (one-hot);
    numeric ones are scaled numbers.
    """
    id_col = settings["id_col"]
    calendar = settings["calendar"]
    if calendar == "auto":
        calendar = default_calendar(time_step(frame, settings["time_col"], id_col))
    numeric, categorical = [], []
    for column in settings["static"]:
        is_number = pd.api.types.is_numeric_dtype(frame[column])
        (numeric if is_number and column != id_col else categorical).append(column)
    return DatasetSpec(
        time_column=settings["time_col"],
        id_column=id_col,
        target_columns=tuple(settings["target"]),
        lookback=settings["lookback"],
        forecast_horizon=settings["horizon"],
        scaling=settings["scaling"],
        seasonal_lags=tuple(settings["seasonal_lags"]),
        static_columns=tuple(numeric),
        categorical_columns=tuple(categorical),
        past_columns=tuple(settings["past"]),
        future_columns=tuple(settings["future"]),
        calendar_features=tuple(calendar),
        holiday_country=settings["holiday_country"],
        freq=settings["freq"],
        fill_missing=settings["fill_missing"],
        fill_gaps=settings["fill_missing"] != "raise",
    )


def build_split(settings):
    """The `ChronologicalSplit` of the `validation` / `test` settings."""
    return ChronologicalSplit(validation=settings["validation"], test=settings["test"])


def series_count(frame, id_col):
    """Number of series in `frame`."""
    return 1 if id_col is None else int(np.unique(frame[id_col].astype(str)).size)
