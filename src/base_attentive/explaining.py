"""What drove a `Forecaster`'s forecasts: variable-selection weights per
named variable and attention weights per level, averaged over windows."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Windows averaged when a frame yields more (spread evenly over them).
MAX_WINDOWS = 256


def _feature_names(dataset, group, count):
    names = dataset.feature_names()
    listed = list(names.get(group, ()))
    if group == "dynamic" and len(listed) + len(names["future"]) == count:
        listed += list(names["future"])  # mode="tft": past known-future too
    return listed if len(listed) == count else [f"{group} {i}" for i in range(count)]


def explain(forecaster, frame, start=None, max_windows=MAX_WINDOWS):
    """See `Forecaster.explain`."""
    forecaster._require_fitted("explain")
    dataset = forecaster.dataset_
    if start is None:
        windows = dataset.prediction_windows(frame)
    else:
        windows = dataset.backtest_windows(frame, start)
    chosen = np.unique(
        np.linspace(0, windows.num_windows - 1, min(max_windows, windows.num_windows))
        .round()
        .astype(np.int64)
    )
    starts, series = windows.starts[chosen], windows.window_series[chosen]
    inputs = windows.arrays.gather(starts, series, with_targets=False)
    raw = forecaster.model_.explain(list(inputs))
    rows = []
    for group, weights in raw["variable_selection"].items():
        means = np.asarray(weights).reshape(-1, weights.shape[-1]).mean(axis=0)
        names = _feature_names(dataset, group, means.size)
        rows += [
            {"group": group, "variable": name, "importance": float(value)}
            for name, value in zip(names, means, strict=True)
        ]
    ids, origins = windows.arrays.forecast_origins(starts, series)
    return {
        "variable_importance": pd.DataFrame(
            rows, columns=["group", "variable", "importance"]
        ),
        "variable_selection": raw["variable_selection"],
        "attention": raw["attention"],
        "feature_names": dataset.feature_names(),
        "windows": pd.DataFrame({"series_id": ids, "forecast_origin": origins}),
    }


def plot_forecast(
    forecaster,
    frame,
    series=None,
    target=None,
    *,
    forecasts=None,
    origin=None,
    history=None,
    title=None,
    path=None,
    ax=None,
):
    """See `Forecaster.plot_forecast`."""
    from base_attentive import plotting
    from base_attentive.data.forecast_frame import quantile_column_name

    forecaster._require_fitted("plot_forecast")
    if forecasts is None:
        forecasts = forecaster.predict(frame)
    id_col, time_col = forecaster.id_col, forecaster.time_col
    rows = forecasts
    if id_col is not None:
        known = list(pd.unique(forecasts[id_col]))
        series = known[0] if series is None else series
        if series not in known:
            raise ValueError(
                f"`series` {series!r} is not in the forecasts. Known series: "
                f"{known[:20]}"
            )
        rows = rows[rows[id_col] == series]
    target = forecaster.target[0] if target is None else target
    if target not in forecaster.target:
        raise ValueError(
            f"`target` must be one of {forecaster.target}. Received: {target!r}"
        )
    rows = rows[rows["target"] == target]
    origin = rows["forecast_origin"].max() if origin is None else pd.Timestamp(origin)
    rows = rows[rows["forecast_origin"] == origin].sort_values("horizon_step")
    if rows.empty:
        raise ValueError(f"No forecast from origin {origin} for this series.")
    past = frame if id_col is None else frame[frame[id_col] == series]
    times = pd.to_datetime(past[time_col])
    past = past[times <= origin].assign(**{time_col: times}).sort_values(time_col)
    past = past.tail(forecaster.lookback if history is None else history)
    columns = [quantile_column_name(q) for q in forecaster.quantiles]
    actual = rows["actual"].to_numpy(dtype=np.float64)
    name = "" if id_col is None else f"{series}: "
    return plotting.plot_forecast(
        rows[time_col].to_numpy(),
        rows[columns].to_numpy(dtype=np.float64),
        forecaster.quantiles,
        actual=None if np.isnan(actual).all() else actual,
        history_time=past[time_col].to_numpy(),
        history=past[target].to_numpy(dtype=np.float64),
        title=title or f"{name}{target}, forecast from {origin:%Y-%m-%d %H:%M}",
        ylabel=target,
        ax=ax,
        path=path,
    )
