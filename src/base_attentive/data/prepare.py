"""From a long DataFrame to sorted, validated, regular per-row arrays.

`prepare_frame` is the single entry point: it checks columns and types,
sorts by (series, time), rejects duplicates, checks (or repairs) the time
grid, handles missing values and too-short series, and returns a
`PreparedFrame` of float64 NumPy arrays in original units. Scaling and
encoding happen later, in `ForecastDataset`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from base_attentive.data import table_checks, validation
from base_attentive.data.filling import fill_missing
from base_attentive.data.time_grid import (
    infer_frequency,
    make_regular,
    regular_times,
    to_offset,
)


@dataclasses.dataclass
class PreparedFrame:
    """Validated arrays of one frame, rows sorted by series then time.

    Row arrays have one entry per row; series arrays one per series; rows of
    series `i` are `offsets[i]:offsets[i + 1]`.
    """

    series_ids: list
    offsets: np.ndarray
    times: np.ndarray
    target: np.ndarray
    past: np.ndarray
    future: np.ndarray
    static_numeric: np.ndarray
    static_categorical: np.ndarray
    freq: str
    skipped_series: list = dataclasses.field(default_factory=list)
    # Categorical past / future columns: (N, k) object arrays of the raw
    # values (None or NaN: missing, encoded as the unknown code).
    past_categorical: np.ndarray | None = None
    future_categorical: np.ndarray | None = None

    _ROW_FIELDS = (
        "target",
        "past",
        "future",
        "past_categorical",
        "future_categorical",
    )

    @property
    def num_series(self):
        return len(self.series_ids)

    @property
    def lengths(self):
        return np.diff(self.offsets)

    @property
    def row_series(self):
        """Series index of every row, `(N,)` int64."""
        return np.repeat(np.arange(self.num_series), self.lengths)

    def regroup(self, row_index, lengths, times):
        """Rebuilds the rows from `row_index` (-1 = new row: values missing,
        NaN for numbers, None for categories)."""
        new = row_index < 0
        safe = np.where(new, 0, row_index)

        def take(values):
            if values is None:
                return None
            out = values[safe]
            out[new] = None if out.dtype == object else np.nan
            return out

        return dataclasses.replace(
            self,
            offsets=_offsets(lengths),
            times=times,
            **{name: take(getattr(self, name)) for name in self._ROW_FIELDS},
        )

    def select_series(self, keep):
        """Keeps the series where `keep` is True; the others join `skipped_series`."""
        rows = keep[self.row_series]

        def take(values):
            return None if values is None else values[rows]

        return dataclasses.replace(
            self,
            series_ids=[s for s, k in zip(self.series_ids, keep, strict=True) if k],
            offsets=_offsets(self.lengths[keep]),
            times=self.times[rows],
            static_numeric=self.static_numeric[keep],
            static_categorical=self.static_categorical[keep],
            skipped_series=self.skipped_series
            + [s for s, k in zip(self.series_ids, keep, strict=True) if not k],
            **{name: take(getattr(self, name)) for name in self._ROW_FIELDS},
        )


def _offsets(lengths):
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def prepare_frame(
    frame,
    spec,
    *,
    freq=None,
    for_prediction=False,
    times=None,
    allow_empty=False,
    checked=False,
):
    """Validates a long DataFrame against a spec and returns its arrays.

    Args:
        frame: pandas DataFrame, one row per (series, time step).
        spec: the `DatasetSpec`.
        freq: frequency to enforce (a fitted dataset passes its own);
            default `spec.freq`, else inferred.
        for_prediction: if `True`, each series keeps its last `lookback`
            rows with an observed target followed by `forecast_horizon`
            horizon rows (targets may be missing there; known-future columns
            must be present, or are generated when the spec has none).
        times: the time column already parsed (`datetime64[ns]`, one per
            row of `frame`), or None: parsed here.
        allow_empty: return a frame without series when every series is
            too short (and `spec.skip_short_series`), instead of raising:
            for one group of a larger frame (`series_groups`).
        checked: the frame already passed these checks (a group prepared
            again): skip the checks that only raise or warn on values
            (constant static columns, magnitudes and outliers).

    Returns:
        `PreparedFrame`.

    Raises:
        TypeError, ValueError: on bad data, with a message naming the
        column or series.
    """
    validation.check_frame(frame)
    validation.check_columns(frame, spec)
    if times is None:
        times = validation.to_datetime_ns(frame[spec.time_column], spec.time_column)
    codes, series_ids = series_codes(frame, spec)
    order = np.lexsort((times.view(np.int64), codes))
    if np.array_equal(order, np.arange(len(order))):
        order = slice(None)  # already sorted: index without copying
    codes, times = codes[order], times[order]
    validation.check_duplicates(codes, times, series_ids)
    offsets = _offsets(np.bincount(codes, minlength=len(series_ids)))

    def numeric(columns, role):
        return validation.to_float_matrix(frame, list(columns), role)[order]

    def categories(columns):
        if not columns:  # no role's columns: skip pandas' selection
            return np.empty((len(frame), 0), dtype=object)
        return frame[list(columns)].to_numpy(dtype=object)[order]

    static_rows = numeric(spec.static_numeric_columns, "static_columns")
    categorical_rows = categories(spec.static_categorical_columns)
    if not checked:
        _check_static(static_rows, categorical_rows, spec, codes, offsets, series_ids)
    frequency = freq or spec.freq or infer_frequency(times, codes, offsets)
    prepared = PreparedFrame(
        series_ids=series_ids,
        offsets=offsets,
        times=times,
        target=numeric(spec.target_columns, "target_columns"),
        past=numeric(spec.past_numeric_columns, "past_columns"),
        future=numeric(spec.future_numeric_columns, "future_columns"),
        static_numeric=static_rows[offsets[:-1]],
        static_categorical=categorical_rows[offsets[:-1]],
        freq=to_offset(frequency).freqstr,
        past_categorical=categories(spec.past_categorical_columns),
        future_categorical=categories(spec.future_categorical_columns),
    )
    if not checked:
        table_checks.check_values(prepared, spec)
    prepared = make_regular(prepared, spec)
    if for_prediction:
        return _prediction_rows(prepared, spec, allow_empty)
    prepared = _drop_short(
        prepared,
        prepared.lengths,
        minimum_rows(spec),
        spec,
        short_what(spec),
        allow_empty,
    )
    return _fill_and_check(prepared, spec, slice(None))


def series_codes(frame, spec):
    """Series index per row (sorted ids) and the ids as JSON-friendly scalars."""
    if spec.id_column is None:
        return np.zeros(len(frame), dtype=np.int64), [0]
    ids = frame[spec.id_column]
    if ids.isna().any():
        raise ValueError(
            f"Series id column {spec.id_column!r} has {int(ids.isna().sum())} "
            "missing value(s); every row needs a series id."
        )
    if isinstance(ids.dtype, pd.CategoricalDtype):
        # `pd.factorize(ids, sort=True)` (the categories present, in the
        # categories' order) from the category codes: no hash table of
        # every row.
        category_codes = ids.cat.codes.to_numpy()
        present = np.bincount(category_codes, minlength=len(ids.cat.categories)) > 0
        codes = (np.cumsum(present) - 1)[category_codes]
        uniques = ids.cat.categories[present]
    else:
        try:
            codes, uniques = pd.factorize(ids, sort=True)
        except TypeError:
            codes, uniques = pd.factorize(ids, sort=False)
    series_ids = []
    for value in uniques:
        value = value.item() if isinstance(value, np.generic) else value
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise TypeError(
                f"Series ids in {spec.id_column!r} must be strings or numbers. "
                f"Received: {value!r} ({type(value).__name__})"
            )
        series_ids.append(value)
    return codes.astype(np.int64, copy=False), series_ids


def _check_static(static_rows, categorical_rows, spec, codes, offsets, series_ids):
    """Static columns must be constant within each series; numeric ones must
    also be present (a missing static category is the unknown code)."""
    first = offsets[:-1][codes]
    problems = []
    for values, columns, categorical in (
        (static_rows, spec.static_numeric_columns, False),
        (categorical_rows, spec.static_categorical_columns, True),
    ):
        for index, column in enumerate(columns):
            column_values = pd.Series(values[:, index])
            missing = column_values.isna().to_numpy()
            if missing.any() and not categorical:
                raise ValueError(
                    f"Static column {column!r} has missing values; numeric "
                    "static columns must be known for every series."
                )
            raw = column_values.to_numpy()
            changed = np.flatnonzero((raw != raw[first]) & ~(missing & missing[first]))
            if len(changed):
                problems.append(
                    f"{column!r} in series {series_ids[codes[changed[0]]]!r}"
                )
    if problems:
        raise ValueError(
            "Static columns must be constant within each series; they vary in: "
            + ", ".join(problems)
            + ". Move time-varying columns to `past_columns` or `future_columns`."
        )


def minimum_rows(spec, for_prediction=False):
    """Rows a series needs: for a training window, or (`for_prediction`)
    the observed rows of a forecast's lookback."""
    if for_prediction:
        return spec.history_rows + spec.lookback
    return spec.history_rows + spec.lookback + spec.forecast_horizon


def short_what(spec, for_prediction=False):
    """What `minimum_rows` counts, for error messages."""
    what = (
        "lookback (observed rows)" if for_prediction else "lookback + forecast_horizon"
    )
    return what + (" + seasonal-lag history" if spec.history_rows else "")


def raise_all_short(count, minimum, what):
    """Raises: all `count` series are shorter than `minimum` rows."""
    raise ValueError(
        f"All {count} series are shorter than {what} = {minimum} rows; "
        "nothing is left to window."
    )


def _drop_short(prepared, lengths, minimum, spec, what, allow_empty=False):
    short = lengths < minimum
    if not short.any():
        return prepared
    if not spec.skip_short_series:
        validation.raise_for_short_series(lengths, minimum, prepared.series_ids, what)
    if short.all() and not allow_empty:
        raise_all_short(len(lengths), minimum, what)
    return prepared.select_series(~short)


def _fill_and_check(prepared, spec, rows):
    """Applies the fill policy to the `rows` (a mask, or `slice(None)` for all)
    of each numeric role, then checks for NaN. Categorical columns are not
    filled: a missing category is encoded as the unknown code. With
    `missing="mask"` the values stay missing: `data.missing` fills the inputs
    and checks the columns."""
    if spec.masked:
        return prepared
    codes = prepared.row_series[rows]
    times = prepared.times[rows]
    for attribute, columns, role in (
        ("target", spec.target_columns, "target_columns"),
        ("past", spec.past_numeric_columns, "past_columns"),
        ("future", spec.future_numeric_columns, "future_columns"),
    ):
        values = getattr(prepared, attribute)
        subset = values[rows]
        if spec.fill_missing != "raise":
            subset = fill_missing(subset, codes, spec.fill_missing)
            values[rows] = subset
        validation.check_missing(
            subset, list(columns), codes, times, prepared.series_ids, role
        )
    return prepared


def _prediction_rows(prepared, spec, allow_empty=False):
    """Keeps, per series, `lookback` observed rows (plus the rows its
    seasonal lags reach back to) + `forecast_horizon` rows."""
    lookback, horizon = spec.history_rows + spec.lookback, spec.forecast_horizon
    observed = ~np.isnan(prepared.target).any(axis=1)
    positions = np.arange(len(prepared.times)) - prepared.offsets[prepared.row_series]
    last_observed = np.full(prepared.num_series, -1, dtype=np.int64)
    np.maximum.at(last_observed, prepared.row_series[observed], positions[observed])
    history = last_observed + 1
    short = history < lookback
    prepared = _drop_short(
        prepared,
        history,
        lookback,
        spec,
        short_what(spec, for_prediction=True),
        allow_empty,
    )
    if not prepared.num_series:
        return prepared
    history = history[~short]
    positions = np.arange(len(prepared.times)) - prepared.offsets[prepared.row_series]
    prepared = _fill_and_check(prepared, spec, positions < history[prepared.row_series])
    offset = to_offset(prepared.freq)
    row_index, new_times, missing_rows = [], [], []
    for series in range(prepared.num_series):
        start = prepared.offsets[series]
        available = min(horizon, prepared.lengths[series] - history[series])
        index = np.arange(
            start + history[series] - lookback, start + history[series] + available
        )
        times = prepared.times[index]
        if available < horizon:
            if spec.future_columns:
                missing_rows.append(
                    f"{prepared.series_ids[series]!r} ({available} of {horizon} rows "
                    f"after {validation.format_time(prepared.times[start + history[series] - 1])})"
                )
                continue
            extra = regular_times(times[-1], horizon - available + 1, offset)[1:]
            index = np.concatenate([index, np.full(len(extra), -1)])
            times = np.concatenate([times, extra])
        row_index.append(index)
        new_times.append(times)
    if missing_rows:
        raise ValueError(
            "Forecasting from the end of a series needs its known-future "
            f"columns {list(spec.future_columns)} for the {horizon} steps after "
            "the last observed target; the frame lacks rows for: "
            + ", ".join(missing_rows[:5])
            + (f" (+{len(missing_rows) - 5} more)" if len(missing_rows) > 5 else "")
            + ". Append those rows (target missing, future columns filled)."
        )
    prepared = prepared.regroup(
        np.concatenate(row_index),
        np.full(prepared.num_series, lookback + horizon),
        np.concatenate(new_times),
    )
    horizon_rows = np.tile(
        np.arange(lookback + horizon) >= lookback, prepared.num_series
    )
    if np.isnan(prepared.future[horizon_rows]).any() and not spec.masked:
        validation.check_missing(
            prepared.future[horizon_rows],
            list(spec.future_numeric_columns),
            prepared.row_series[horizon_rows],
            prepared.times[horizon_rows],
            prepared.series_ids,
            "future_columns (over the forecast horizon)",
        )
    return prepared
