"""Bad-data checks: each raises an error naming the column or series at fault,
what was expected, what was received and, when known, the fix."""

from __future__ import annotations

import numpy as np
import pandas as pd

_MAX_LISTED = 5

# How to fix a data problem, in the words of the Python API (`DatasetSpec`).
# The command line says the same with its options
# (`base_attentive.commands.tables.CLI_REMEDIES`, same keys).
REMEDIES = {
    "gaps": "Pass `missing='mask'` in the DatasetSpec (the missing time steps "
    "become rows of missing values, marked as such), or `fill_gaps=True` (with "
    "a `fill_missing` policy) to reindex to the frequency and fill the new "
    "rows, or set `freq` if it was inferred wrongly.",
    "missing": "Clean them, pass `missing='mask'` in the DatasetSpec (observed "
    "indicators; missing targets are not trained on nor scored), or choose a "
    "fill policy with `fill_missing` ('ffill', 'zero' or 'interpolate').",
    "short": "Pass `skip_short_series=True` in the DatasetSpec to drop them.",
    "late": "Move the split later, or pass `skip_short_series=True` in the "
    "DatasetSpec to drop them.",
    "unknown_series": "Fit again on data that includes these series, or use "
    "scaling='window' (each window scaled by its own lookback, no per-series "
    "statistics), which forecasts series not seen in training.",
}


class DataError(ValueError):
    """A problem in the data, with a remedy named by a key of `REMEDIES`.

    `str(error)` is the problem followed by the remedy in the Python API's
    words; the command line prints `problem` with the remedy in its own
    options' words, so nobody is told to pass an argument they cannot give.

    Args:
        problem: what is wrong (column, series, place, count).
        remedy: a key of `REMEDIES`.
    """

    def __init__(self, problem, remedy):
        self.problem = problem
        self.remedy = remedy
        super().__init__(f"{problem} {REMEDIES[remedy]}")


def _listing(items, limit=_MAX_LISTED):
    """`a, b, c (+N more)` for error messages."""
    items = list(items)
    shown = ", ".join(str(item) for item in items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def format_time(value):
    """A timestamp for messages: the date alone when the time is midnight."""
    timestamp = pd.Timestamp(value)
    if timestamp == timestamp.normalize():
        return timestamp.strftime("%Y-%m-%d")
    return str(timestamp)


def check_frame(frame):
    """Raises `TypeError` unless `frame` is a non-empty pandas DataFrame."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            "`frame` must be a pandas DataFrame in long format (one row per "
            f"series and time step). Received: {type(frame).__name__}"
        )
    if frame.empty:
        raise ValueError("`frame` is empty: it needs at least one row per series.")


def check_columns(frame, spec, roles=None):
    """Raises `ValueError` listing, per role, the spec columns absent from `frame`.

    Args:
        frame: the DataFrame.
        spec: the `DatasetSpec`.
        roles: spec fields to check; default all column roles.
    """
    roles = roles or (
        "time_column",
        "id_column",
        "target_columns",
        "static_columns",
        "categorical_columns",
        "past_columns",
        "future_columns",
    )
    problems = []
    for role in roles:
        columns = getattr(spec, role)
        if columns is None:
            continue
        columns = (columns,) if isinstance(columns, str) else columns
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            problems.append(f"`{role}`: {missing}")
    if problems:
        raise ValueError(
            "The frame lacks columns named by the DatasetSpec: "
            + "; ".join(problems)
            + f". Available columns: {_listing(frame.columns, 30)}"
        )


def to_datetime(column):
    """`pandas.to_datetime`, reading times whose UTC offsets differ between
    rows (daylight saving time) as UTC instead of refusing them."""
    try:
        return pd.to_datetime(column)
    except ValueError as error:
        if "Mixed timezones" not in str(error):
            raise
        return pd.to_datetime(column, utc=True)


def _is_dates(local):
    """Whether every (zone-free, local) time is at midnight."""
    return bool((local == local.dt.normalize()).all())


def local_zone(column):
    """The zone of a time column holding instants, else None.

    Times with a zone (`datetime64[ns, Europe/Paris]`, or offsets) are
    instants, except when every local time is midnight: those are dates, and
    a date has no zone.

    Returns:
        the zone's name (str), or None for times without a zone or dates.
    """
    if not isinstance(column.dtype, pd.DatetimeTZDtype):
        return None
    return None if _is_dates(column.dt.tz_localize(None)) else str(column.dt.tz)


def time_zone_of(column):
    """`local_zone` of a time column given in any form (text is parsed)."""
    if not pd.api.types.is_datetime64_any_dtype(column.dtype):
        if pd.api.types.is_numeric_dtype(column.dtype):
            return None
        try:
            column = to_datetime(column)
        except (ValueError, TypeError):
            return None  # `to_datetime_ns` reports it
    return local_zone(column)


def naive_time(value, instants):
    """A time given by a user (`start` of a backtest, ...) on the zone-free
    timeline of `to_datetime_ns`: UTC when the data's times are instants
    (`instants=True`), the local time otherwise."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        return stamp
    return stamp.tz_convert(None) if instants else stamp.tz_localize(None)


def to_datetime_ns(column, name):
    """Parses a time column to `datetime64[ns]` (time-zone-naive).

    Times with a zone become UTC (an hourly series stays regular across
    daylight-saving changes; `DatasetSpec.timezone` keeps the local clock
    for the calendar features), except dates (every local time at
    midnight), which keep their local date. Offsets that differ between
    rows are read as UTC.

    Raises:
        TypeError: naming the column and a value that is not a timestamp.
    """
    if not pd.api.types.is_datetime64_any_dtype(column.dtype):
        if pd.api.types.is_numeric_dtype(column.dtype):
            raise TypeError(
                f"Time column {name!r} must hold timestamps (datetime or date "
                f"strings). Received dtype {column.dtype}; convert it with "
                "`pandas.to_datetime` first."
            )
        try:
            column = to_datetime(column)
        except (ValueError, TypeError) as error:
            raise TypeError(
                f"Time column {name!r} must hold timestamps; some values do not "
                f"parse as dates ({error})."
            ) from None
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        local = column.dt.tz_localize(None)
        column = local if _is_dates(local) else column.dt.tz_convert(None)
    values = column.to_numpy(dtype="datetime64[ns]")
    if np.isnat(values).any():
        rows = np.flatnonzero(np.isnat(values))
        raise ValueError(
            f"Time column {name!r} has {len(rows)} missing timestamp(s), first "
            f"at row position(s) {_listing(rows)}."
        )
    return values


def to_float_matrix(frame, columns, role):
    """Reads numeric columns as a float64 `(N, len(columns))` array.

    Raises:
        TypeError: naming each column with non-numeric values and examples.
    """
    if not columns:
        return np.zeros((len(frame), 0), dtype=np.float64)
    problems = []
    matrix = np.empty((len(frame), len(columns)), dtype=np.float64)
    for index, column in enumerate(columns):
        series = frame[column]
        if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(
            series.dtype
        ):
            matrix[:, index] = series.to_numpy(dtype=np.float64, na_value=np.nan)
            continue
        numeric = pd.to_numeric(series, errors="coerce")
        bad = numeric.isna() & series.notna()
        if bad.any():
            examples = pd.unique(series[bad])[:3].tolist()
            problems.append(f"{column!r} (dtype {series.dtype}, e.g. {examples})")
            continue
        matrix[:, index] = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
    if problems:
        raise TypeError(
            f"Columns in `{role}` must be numeric. Non-numeric values in: "
            + "; ".join(problems)
            + ". Convert or drop them, or name columns of categories in "
            "`categorical_columns` (any role: static, past or future)."
        )
    return matrix


def check_duplicates(codes, times, series_ids):
    """Raises if a series has the same timestamp twice (rows sorted by series, time)."""
    duplicate = (codes[1:] == codes[:-1]) & (times[1:] == times[:-1])
    if duplicate.any():
        rows = np.flatnonzero(duplicate) + 1
        examples = [
            f"{series_ids[codes[row]]!r} at {format_time(times[row])}" for row in rows
        ]
        raise ValueError(
            f"Duplicate timestamps within a series ({len(rows)} row(s)): "
            f"{_listing(examples)}. Each (series, time) pair must appear once; "
            "aggregate or drop the duplicates first."
        )


def raise_for_gaps(messages, freq):
    raise DataError(
        f"Series are not regular at frequency {freq!r}: "
        + "; ".join(messages[:_MAX_LISTED])
        + (
            f" (+{len(messages) - _MAX_LISTED} more series)"
            if len(messages) > _MAX_LISTED
            else ""
        )
        + ".",
        "gaps",
    )


def check_missing(values, columns, codes, times, series_ids, role):
    """Raises if `values` holds NaN, naming columns, counts and first places.

    Args:
        values: float array `(N, C)`.
        columns: the C column names.
        codes: series index per row.
        times: timestamp per row.
        series_ids: id per series index.
        role: spec field the columns come from (for the message).
    """
    missing = np.isnan(values)
    if not missing.any():
        return
    problems = []
    for index in np.flatnonzero(missing.any(axis=0)):
        rows = np.flatnonzero(missing[:, index])
        first = rows[0]
        affected = pd.unique(np.asarray(series_ids, dtype=object)[codes[rows]])
        problems.append(
            f"{columns[index]!r}: {len(rows)} NaN in series {_listing(map(repr, affected), 3)}, "
            f"first at {series_ids[codes[first]]!r} {format_time(times[first])}"
        )
    raise DataError(
        f"Missing values (NaN) in `{role}`: " + "; ".join(problems) + ".",
        "missing",
    )


def raise_for_short_series(lengths, minimum, series_ids, what):
    short = [
        f"{series_ids[i]!r} ({lengths[i]} rows)"
        for i in np.flatnonzero(lengths < minimum)
    ]
    raise DataError(
        f"{len(short)} series are shorter than {what} = {minimum} rows: "
        f"{_listing(short)}.",
        "short",
    )


def check_known_series(series_ids, known_ids):
    """Raises if some series were not seen when the dataset was fitted."""
    known = set(known_ids)
    unknown = [series for series in series_ids if series not in known]
    if unknown:
        raise DataError(
            f"Unknown series id(s) {_listing(map(repr, unknown))}: the dataset "
            f"was fitted on {len(known)} series ({_listing(map(repr, known_ids))}) "
            "and has no scaler for them.",
            "unknown_series",
        )
