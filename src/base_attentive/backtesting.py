"""Rolling-origin backtests of a `Forecaster`, and their scoring.

`backtest` forecasts a frame from a grid of forecast origins (every
`stride` steps from `start`) with the fitted model, or with copies refitted
on the rows up to each fold's first origin; its tidy result carries, for
each row, the seasonal-naive baseline's quantiles and the series' MASE
scale from the training period of the model that made it, so that
`evaluate` can score it alone.

MASE with refitted folds: the forecasts of one series by one fold are
scaled by that fold's training period, and every (fold, series) pair counts
as one series in the mean (see `base_attentive.metrics.mase`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from base_attentive import evaluation
from base_attentive.data.forecast_frame import quantile_column_name
from base_attentive.data.validation import naive_time, time_zone_of, to_datetime_ns

NAIVE_PREFIX = "naive_"
FORECASTS = ("model", "seasonal_naive")


def _default_start(forecaster):
    forecaster._require_fitted("backtest (without `start`, or with refit=False)")
    return pd.Timestamp(forecaster.data_["last_time"])


def _origins(forecaster, frame, start, stride):
    """The forecast origins of the backtest grid in `frame` that a full
    horizon of time steps follows."""
    times = np.unique(to_datetime_ns(frame[forecaster.time_col], forecaster.time_col))
    first = np.searchsorted(times, np.datetime64(start, "ns"))
    last = len(times) - 1 - forecaster.horizon
    return times[first : last + 1 : stride]


def backtest(forecaster, frame, start=None, stride=1, refit=False, verbose=0):
    """See `Forecaster.backtest`."""
    if isinstance(refit, bool):
        every = 1 if refit else None
    elif isinstance(refit, int) and refit >= 1:
        every = refit
    else:
        raise ValueError(
            "`refit` must be False, True or an integer >= 1 (refit every N "
            f"origins). Received: refit={refit!r}"
        )
    if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
        raise ValueError(f"`stride` must be an integer >= 1. Received: {stride!r}")
    if forecaster.is_fitted:
        forecaster._check_zone(frame)
    column = frame[forecaster.time_col]
    start = (
        _default_start(forecaster)
        if start is None
        else naive_time(start, time_zone_of(column) is not None)
    )
    if every is None:
        return _forecast_fold(forecaster, forecaster, frame, start, stride, None, 0)
    origins = _origins(forecaster, frame, start, stride)
    if not len(origins):
        raise ValueError(
            f"No time step of the frame is at or after start={start}: nothing "
            "to backtest."
        )
    from base_attentive.forecaster import Forecaster

    parts = []
    for fold, first in enumerate(range(0, len(origins), every)):
        fold_origins = origins[first : first + every]
        time_col = forecaster.time_col
        history = frame[to_datetime_ns(frame[time_col], time_col) <= fold_origins[0]]
        model = Forecaster(**forecaster.get_config())
        model.fit(history, validation=None, verbose=verbose)
        end = fold_origins[-1]
        parts.append(
            _forecast_fold(forecaster, model, frame, fold_origins[0], stride, end, fold)
        )
    return pd.concat(parts, ignore_index=True)


def _forecast_fold(forecaster, model, frame, start, stride, end, fold):
    """The rows of one fold: origins from `start` (up to `end`, if given)."""
    dataset = model.dataset_
    windows = dataset.backtest_windows(
        frame, start, stride=stride, end=end, batch_size=model.training.batch_size
    )
    scaled = model.predict_windows(windows)
    rows = dataset.forecast_frame(scaled, windows, quantiles=model.quantiles)
    rows.insert(0, "fold", fold)
    # Series unseen in training: baseline and MASE scale from their own rows
    # up to the first origin.
    history_end = np.datetime64(start, "ns") + np.timedelta64(1, "ns")
    baseline = model.baseline_.covering(windows.arrays, history_end)
    naive = baseline.predict(windows)  # (N, H, Q, O)
    flat = np.moveaxis(naive, 2, 3).reshape(-1, naive.shape[2])
    for index, level in enumerate(model.quantiles):
        rows[NAIVE_PREFIX + quantile_column_name(level)] = flat[:, index]
    scale = baseline.mase_scale[baseline.series_index(windows)]
    horizon = dataset.spec.forecast_horizon
    rows["mase_scale"] = np.repeat(scale[:, None, :], horizon, axis=1).ravel()
    return rows


def _arrays(forecaster, result):
    """`(y_true, model, naive, series, scale)` arrays of a backtest frame."""
    quantiles = forecaster.quantiles
    columns = [quantile_column_name(q) for q in quantiles]
    naive_columns = [NAIVE_PREFIX + name for name in columns]
    needed = ["fold", "forecast_origin", "horizon_step", "target", "actual"]
    needed += columns + naive_columns + ["mase_scale"]
    missing = [name for name in needed if name not in result.columns]
    if missing:
        raise ValueError(
            "`evaluate` needs the output of `backtest` (or a frame to backtest); "
            f"the frame given lacks the column(s) {missing}."
        )
    targets = list(forecaster.target)
    horizon = forecaster.horizon
    keys = ["fold"] + ([forecaster.id_col] if forecaster.id_col else [])
    order = result.assign(_target=result["target"].map(targets.index)).sort_values(
        keys + ["forecast_origin", "horizon_step", "_target"], kind="stable"
    )
    per_window = horizon * len(targets)
    if len(order) % per_window:
        raise ValueError(
            f"A backtest frame holds {per_window} rows per window ({horizon} steps "
            f"x {len(targets)} targets). Received: {len(order)} rows."
        )
    count = len(order) // per_window
    steps = order["horizon_step"].to_numpy().reshape(count, horizon, len(targets))
    if not (steps == np.arange(1, horizon + 1)[None, :, None]).all():
        raise ValueError("The backtest frame has incomplete windows.")

    def cube(names):
        values = order[names].to_numpy(dtype=np.float64)
        return values.reshape(count, horizon, len(targets), len(names)).swapaxes(2, 3)

    y_true = order["actual"].to_numpy(np.float64).reshape(count, horizon, -1)
    first_rows = order.iloc[::per_window]
    window_keys = pd.MultiIndex.from_frame(first_rows[keys])
    series, unique = pd.factorize(window_keys)
    scale = np.full((len(unique), len(targets)), np.nan)
    scale_rows = order["mase_scale"].to_numpy(np.float64).reshape(count, horizon, -1)
    scale[series] = scale_rows[:, 0, :]
    ids = [str(key[-1]) if forecaster.id_col else "series" for key in unique]
    return y_true, cube(columns), cube(naive_columns), series, scale, ids


def evaluate(forecaster, frame_or_backtest):
    """See `Forecaster.evaluate`."""
    result = frame_or_backtest
    if "naive_" + quantile_column_name(0.5) not in result.columns:
        result = backtest(forecaster, result)
    y_true, model, naive, series, scale, ids = _arrays(forecaster, result)
    tables = []
    for name, forecast in zip(FORECASTS, (model, naive), strict=True):
        table = evaluation.score(
            y_true,
            forecast,
            forecaster.quantiles,
            series=series,
            scale=scale,
            series_ids=ids,
        )
        table.insert(0, "forecast", name)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)
