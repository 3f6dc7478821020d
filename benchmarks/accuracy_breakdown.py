"""Where forecasts lose: MAE of the median by station and by kind of day.

Used by `benchmarks/accuracy.py --breakdown` on the test windows of a table.
Each target (window, horizon step) is put in the groups it belongs to:

- `holiday`: a public holiday of the dataset's `holiday_country` (when its
  calendar has a holiday feature);
- `holiday +-3 days`: within three days of one (not a holiday itself);
- `home game`: any `*_Home` known-future column is 1 (sports schedules);
- `weekend` / `weekday` (other days);
- `closure`: the actual value is below 20% of the station's test median
  (stations closed or nearly closed);
- each series (station).

For every group it prints the MAE of each forecast and the share of the
total absolute error that group carries, so a large ratio on a group that
carries little error matters little.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from base_attentive.data.calendar import holiday_flags


def day_groups(data):
    """Boolean masks `(N, H)` of the test targets, by kind of day."""
    windows = data.test
    arrays = windows.arrays
    spec = data.dataset.spec
    rows = windows.starts[:, None] + spec.lookback + np.arange(spec.forecast_horizon)
    names = data.dataset.feature_names()["future"]
    times = pd.DatetimeIndex(arrays.times[rows].ravel())
    groups = {}
    future = arrays.future_rows(slice(None))  # calendar columns included
    if any(feature.startswith("holiday") for feature in spec.calendar_features):
        every_row = pd.DatetimeIndex(np.asarray(arrays.times))
        holiday = holiday_flags(every_row, spec.holiday_country) > 0.5
        near = np.zeros_like(holiday)
        for shift in (1, 2, 3):
            near[shift:] |= holiday[:-shift]
            near[:-shift] |= holiday[shift:]
        groups["holiday"] = holiday[rows]
        groups["holiday +-3 days"] = (near & ~holiday)[rows]
    home = [i for i, name in enumerate(names) if name.endswith("_Home")]
    if home:
        groups["home game"] = future[:, home].max(axis=1)[rows] > 0.5
    weekend = np.asarray(times.dayofweek >= 5).reshape(rows.shape)
    groups["weekend"] = weekend
    groups["weekday"] = ~weekend
    actual = arrays.target[rows, 0]
    series = windows.window_series
    median = np.zeros(len(arrays.series_ids))
    for index in np.unique(series):
        median[index] = np.median(actual[series == index])
    groups["closure (< 20% of median)"] = actual < 0.2 * median[series][:, None]
    return groups


def breakdown(data, forecasts, quantiles):
    """Table of MAE by group for each forecast `(N, H, Q, 1)`."""
    windows = data.test
    arrays = windows.arrays
    spec = data.dataset.spec
    rows = windows.starts[:, None] + spec.lookback + np.arange(spec.forecast_horizon)
    actual = arrays.target[rows, 0]
    middle = quantiles.index(0.5)
    errors = {
        name: np.abs(forecast[:, :, middle, 0] - actual)
        for name, forecast in forecasts.items()
    }
    groups = day_groups(data)
    for index, series in enumerate(arrays.series_ids):
        groups[f"station {series}"] = np.broadcast_to(
            (windows.window_series == index)[:, None], rows.shape
        )
    table = []
    for group, mask in groups.items():
        row = {"group": group, "targets": int(mask.sum())}
        for name, error in errors.items():
            row[f"MAE {name}"] = float(error[mask].mean()) if mask.any() else np.nan
            row[f"share {name}"] = float(error[mask].sum() / error.sum())
        table.append(row)
    return pd.DataFrame(table)


def format_breakdown(table):
    """The breakdown as a Markdown table: MAE (share of the error) per
    forecast."""
    names = [c[len("MAE ") :] for c in table.columns if c.startswith("MAE ")]
    lines = [
        "| group | targets | " + " | ".join(names) + " |",
        "|" + " --- |" * (2 + len(names)),
    ]
    for _, row in table.iterrows():
        cells = [
            f"{row[f'MAE {name}']:.3f} ({row[f'share {name}']:.0%})" for name in names
        ]
        lines.append(
            f"| {row['group']} | {row['targets']:,} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)
