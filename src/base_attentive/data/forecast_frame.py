"""Model outputs back to a tidy long DataFrame, in original units."""

from __future__ import annotations

import numpy as np
import pandas as pd


def quantile_column_name(quantile):
    """Column name of one quantile in a forecast frame: `0.1` -> `"q0.1"`."""
    return f"q{quantile:g}"


def forecast_frame(dataset, predictions, windows, quantiles=None):
    """Builds the long forecast table of a batch of windows.

    Args:
        dataset: the fitted `ForecastDataset` the windows come from.
        predictions: model output for `windows`, scaled units: point
            forecasts `(N, H, O)` or quantile forecasts `(N, H, Q, O)`.
        windows: the `WindowDataset` that produced the predictions, with
            `shuffle=False` (predictions follow its window order).
        quantiles: the Q quantile levels, required for 4-D predictions.

    Returns:
        `pandas.DataFrame`, one row per (window, horizon step, target):
        the series id column (absent for a single series),
        `forecast_origin` (time of the last lookback step), the time column
        (target time), `horizon_step` (1..H), `target` (target column name),
        `actual` (observed value in original units, NaN when unknown) and
        one column per quantile (`q0.1`, `q0.5`, ...) or `prediction`, in
        original units.
    """
    spec = dataset.spec
    if windows.shuffle:
        raise ValueError(
            "`windows` must have shuffle=False: predictions are matched to "
            "windows by order. Build them with `ForecastDataset.windows(..., "
            "shuffle=False)`."
        )
    predictions = np.asarray(predictions)
    num_windows, horizon = windows.num_windows, spec.forecast_horizon
    output_dim = len(spec.target_columns)
    if predictions.ndim == 3:
        expected = (num_windows, horizon, output_dim)
        value_columns = ["prediction"]
    elif predictions.ndim == 4:
        expected = (num_windows, horizon, predictions.shape[2], output_dim)
        if quantiles is None or len(quantiles) != predictions.shape[2]:
            raise ValueError(
                "Quantile predictions (N, H, Q, O) need `quantiles` with Q = "
                f"{predictions.shape[2]} levels. Received: quantiles={quantiles!r}"
            )
        value_columns = [quantile_column_name(q) for q in quantiles]
    else:
        expected = "(N, H, O) or (N, H, Q, O)"
    if predictions.shape != expected:
        raise ValueError(
            f"`predictions` must have shape {expected} (N = {num_windows} windows, "
            f"H = forecast_horizon = {horizon}, O = {output_dim} targets). "
            f"Received: shape={predictions.shape}"
        )
    arrays = windows.arrays
    values = dataset.to_original_units(predictions, windows)
    values = np.moveaxis(values, 2, 3) if values.ndim == 4 else values[..., None]
    target_rows = arrays.target_rows(windows.starts)
    per_window = horizon * output_dim
    columns = {}
    if spec.id_column is not None:
        ids = np.asarray(arrays.series_ids, dtype=object)[windows.window_series]
        columns[spec.id_column] = np.repeat(ids, per_window)
    origins = arrays.times[arrays.origin_rows(windows.starts)]
    columns["forecast_origin"] = np.repeat(origins, per_window)
    columns[spec.time_column] = np.repeat(arrays.times[target_rows].ravel(), output_dim)
    columns["horizon_step"] = np.tile(
        np.repeat(np.arange(1, horizon + 1), output_dim), num_windows
    )
    columns["target"] = np.tile(
        np.asarray(spec.target_columns, dtype=object), num_windows * horizon
    )
    columns["actual"] = arrays.target[target_rows].ravel()
    flat = values.reshape(-1, len(value_columns))
    for index, name in enumerate(value_columns):
        columns[name] = flat[:, index]
    return pd.DataFrame(columns)
