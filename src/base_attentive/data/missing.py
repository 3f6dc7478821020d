"""Missing values kept as missing: `DatasetSpec(missing="mask")`.

With the default `missing="raise"`, every value must be present once the
fill policies (`fill_missing`, `fill_gaps`) have repaired the data, and a
filled value counts as observed: a forward-filled outage is trained on as
a flat line. With `missing="mask"` a missing value stays missing:

- gaps in the regular time grid become rows whose values are all missing
  (`time_grid.make_regular`);
- every target, past and future column with a missing value in the frame
  given to `fit` gets an observed-indicator input (1.0 observed, 0.0
  missing) in its role: target and past indicators after the past
  covariates of the dynamic input, future indicators after the calendar
  features of the future input (`indicator_columns`);
- the inputs carry the last observed value forward within a series
  (never backward: a lookback never sees a later value); before a series'
  first observed value an input takes the training mean, 0 once scaled
  (`masked_inputs`);
- targets stay NaN in `y` (the losses give them zero weight) and in the
  actuals of forecast tables (the metrics leave them out);
- scalers are fitted on the observed values only (`fit_observed`);
- a window whose horizon has no observed target, or without an observed
  target up to its origin, is dropped and counted (`usable_windows`).

Everything here is NumPy; `ForecastDataset` calls it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from base_attentive.data import validation
from base_attentive.data.scaling import SeriesScaler

# The roles whose columns may be missing: the `PreparedFrame` attribute and
# the `DatasetSpec` property naming its (numeric) columns. A missing
# category is not masked: it is the unknown code of its vocabulary.
ROLES = (
    ("target", "target_columns"),
    ("past", "past_numeric_columns"),
    ("future", "future_numeric_columns"),
)


def carry_forward(values, codes):
    """Carries the last observed value forward within each series.

    Args:
        values: float array `(N, C)`, rows sorted by series then time.
        codes: int array `(N,)`, the series of each row.

    Returns:
        float array `(N, C)`; NaN stays only before a series' first observed
        value of a column.
    """
    if not np.isnan(values).any():
        return values
    return pd.DataFrame(values).groupby(codes, sort=False).ffill().to_numpy()


def indicator_columns(prepared, spec):
    """The columns that get an observed indicator: those with a missing value.

    Args:
        prepared: the `PreparedFrame` given to `ForecastDataset.fit`.
        spec: its `DatasetSpec`.

    Returns:
        dict `{"target": [...], "past": [...], "future": [...]}` of column
        names, in spec order.
    """
    indicators = {}
    for attribute, field in ROLES:
        missing = np.isnan(getattr(prepared, attribute)).any(axis=0)
        columns = getattr(spec, field)
        indicators[attribute] = [c for c, m in zip(columns, missing, strict=True) if m]
    return indicators


def indicator_names(indicators):
    """Feature names of the indicators: `(dynamic, future)` lists."""
    dynamic = [f"{c}_observed" for c in indicators["target"] + indicators["past"]]
    return dynamic, [f"{c}_observed" for c in indicators["future"]]


def check_indicated(prepared, spec, indicators, lookback_rows=None):
    """Raises if a column without an indicator has a missing value.

    A column that had no missing value at fit has no indicator input, so a
    missing value there could not be shown to the model.

    Args:
        prepared: a `PreparedFrame` to transform with a fitted dataset.
        spec: the `DatasetSpec`.
        indicators: the fitted `indicator_columns`.
        lookback_rows: bool `(N,)`, the rows read as targets and past
            covariates (a prediction frame's lookback), or None for all.
            Future columns are checked on every row.

    Raises:
        ValueError: naming the column, the series and the first time.
    """
    rows = slice(None) if lookback_rows is None else lookback_rows
    for attribute, field in ROLES:
        columns = list(getattr(spec, field))
        unindicated = [
            i for i, c in enumerate(columns) if c not in indicators[attribute]
        ]
        if not unindicated:
            continue
        part = rows if attribute != "future" else slice(None)
        try:
            validation.check_missing(
                getattr(prepared, attribute)[part][:, unindicated],
                [columns[i] for i in unindicated],
                prepared.row_series[part],
                prepared.times[part],
                prepared.series_ids,
                f"{attribute}_columns",
            )
        except validation.DataError as error:
            raise ValueError(
                f"{error.problem} These columns had no missing value in the "
                "data the dataset was fitted on, so the model has no observed "
                "indicator input for them. Fill them, or fit again on data "
                "in which they have missing values."
            ) from None


def masked_inputs(prepared, spec, indicators):
    """The inputs of a masked frame: values carried forward, and indicators.

    Args:
        prepared: the `PreparedFrame` (NaN where missing).
        spec: the `DatasetSpec`.
        indicators: the fitted `indicator_columns`.

    Returns:
        `(values, dynamic_indicators, future_indicators)`: `values` a dict
        with `target`, `past`, `future` (float64 `(N, C)`, carried forward;
        NaN before a series' first observed value), the indicators float32
        `(N, k)` arrays (1.0 observed, 0.0 missing) in `indicator_names`
        order.
    """
    codes = prepared.row_series
    values, blocks = {}, {}
    for attribute, field in ROLES:
        raw = getattr(prepared, attribute)
        values[attribute] = carry_forward(raw, codes)
        columns = list(getattr(spec, field))
        chosen = [columns.index(c) for c in indicators[attribute]]
        blocks[attribute] = (~np.isnan(raw[:, chosen])).astype(np.float32)
    dynamic = np.concatenate([blocks["target"], blocks["past"]], axis=1)
    return values, dynamic, blocks["future"]


def fit_observed(scaler, values, group_index, num_groups, names, group_names=None):
    """Fits `scaler` on the observed (non-NaN) values of each group and column.

    Args:
        scaler: an unfitted `SeriesScaler` (its `method` is kept).
        values: float array `(N, C)`, NaN where missing.
        group_index: int array `(N,)`.
        num_groups: number of groups.
        names: the C column names (for errors).
        group_names: the name of each group (series ids), or None for the
            single group of a covariate scaler.

    Returns:
        `scaler`, fitted; every location and scale is finite.

    Raises:
        ValueError: if a group has no observed value of a column in the
            training period, naming the column (and the series).
    """
    values = np.asarray(values, dtype=np.float64)
    if not np.isnan(values).any():
        return scaler.fit(values, group_index, num_groups)
    loc = np.zeros((num_groups, values.shape[1]))
    scale = np.ones((num_groups, values.shape[1]))
    for column in range(values.shape[1]):
        observed = ~np.isnan(values[:, column])
        counts = np.bincount(group_index[observed], minlength=num_groups)
        if (counts == 0).any():
            where = ""
            if group_names is not None:
                empty = [repr(group_names[g]) for g in np.flatnonzero(counts == 0)]
                where = f" of series {', '.join(empty[:5])}"
            raise ValueError(
                f"Column {names[column]!r}{where} has no observed value in the "
                "training period, so no scaler can be fitted for it. Move the "
                "split later, or leave out the column (or the series)."
            )
        part = SeriesScaler(scaler.method).fit(
            values[observed, column : column + 1], group_index[observed], num_groups
        )
        loc[:, column], scale[:, column] = part.loc[:, 0], part.scale[:, 0]
    scaler.loc, scaler.scale = loc, scale
    return scaler


def usable_windows(arrays, starts):
    """Whether each window has observed targets to learn from and to read.

    A window is usable when its horizon holds at least one observed target
    and some target is observed at or before its origin (its lookback
    reads it, or a value carried forward from it).

    Args:
        arrays: the `WindowArrays`.
        starts: int array `(B,)`, first lookback row of each window.

    Returns:
        bool array `(B,)`.
    """
    starts = np.asarray(starts)
    observed = np.isfinite(arrays.target).any(axis=1)
    horizon = observed[arrays.target_rows(starts)].any(axis=1)
    row_series = np.repeat(np.arange(len(arrays.offsets) - 1), np.diff(arrays.offsets))
    first = np.full(len(arrays.offsets) - 1, np.iinfo(np.int64).max)
    np.minimum.at(first, row_series[observed], np.flatnonzero(observed))
    origins = arrays.origin_rows(starts)
    return horizon & (first[row_series[origins]] <= origins)
