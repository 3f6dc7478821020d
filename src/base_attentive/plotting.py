"""Plots of forecasts, explanations and training, with matplotlib.

matplotlib is optional (`pip install "base-attentive[plot]"`) and imported
inside the functions, so importing this module costs nothing. Figures are
built with `matplotlib.figure.Figure`, not `pyplot`: nothing opens a window,
no display is needed (saving renders with Agg), and no figure is left in a
global registry. Every function returns the `Figure` (Jupyter shows it when
it is the cell's result) and, given `path`, also saves it there (the format
follows the file extension, e.g. `.png`, `.svg`, `.pdf`).

Functions:
- `plot_forecast`: fan chart of one quantile forecast, with history and
  actuals.
- `plot_variable_importance`: mean variable-selection weights per input
  group, from `BaseAttentive.explain`.
- `plot_attention`: heat map of one attention level (horizon step x
  attended position), from `BaseAttentive.explain`.
- `plot_history`: training and validation loss per epoch.

Example:

```python
from base_attentive.plotting import plot_history
plot_history({"loss": [1.0, 0.7, 0.6], "val_loss": [1.1, 0.8, 0.75]},
             path="history.png")
```
"""

from __future__ import annotations

import os

import numpy as np

from base_attentive.quantiles import (
    central_intervals,
    find_median,
    validate_quantiles,
)

__all__ = [
    "plot_attention",
    "plot_forecast",
    "plot_history",
    "plot_variable_importance",
]

_GROUP_TITLES = {
    "static": "static",
    "dynamic": "past-observed (dynamic)",
    "future": "known-future",
}


def _new_figure(figsize=(8.0, 4.5)):
    """A new `matplotlib.figure.Figure` (no pyplot, no display needed)."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            "Plotting needs matplotlib. Install it with "
            '`pip install "base-attentive[plot]"` (or `pip install matplotlib`).'
        ) from error
    return Figure(figsize=figsize, layout="constrained")


def _finish(figure, path):
    """Saves `figure` to `path` when given; returns the figure."""
    if path is not None:
        figure.savefig(os.fspath(path), dpi=100)
    return figure


def _as_float_array(value, name, ndim):
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"`{name}` must be array-like of numbers. Received: "
            f"type {type(value).__name__}"
        ) from error
    if array.ndim not in ndim:
        raise ValueError(
            f"`{name}` must have {' or '.join(map(str, ndim))} dimension(s). "
            f"Received: shape {array.shape}"
        )
    return array


def plot_forecast(
    time,
    forecast,
    quantiles=None,
    *,
    actual=None,
    history_time=None,
    history=None,
    title=None,
    ylabel=None,
    ax=None,
    path=None,
):
    """Fan chart of one forecast: history, actuals, median, quantile bands.

    Each symmetric central interval `(q, 1 - q)` found in `quantiles` is a
    shaded band (inner bands darker); the median line is the level 0.5
    (none without it; see `base_attentive.quantiles`).

    Args:
        time: `(H,)` times (or step numbers) of the forecast horizon.
        forecast: `(H, Q)` quantile forecasts, or `(H,)` a point forecast.
        quantiles: the Q increasing levels in (0, 1); required for `(H, Q)`.
        actual: optional `(H,)` observed values over the horizon (NaN for
            unknown).
        history_time, history: optional `(T,)` times and values observed
            before the forecast, drawn as a line.
        title, ylabel: optional texts.
        ax: optional matplotlib `Axes` to draw into; default a new figure.
        path: optional file to save the figure to.

    Returns:
        `matplotlib.figure.Figure`.

    Example:

    >>> import numpy as np
    >>> fig = plot_forecast(np.arange(14), np.random.rand(14, 3).cumsum(1),
    ...                     [0.1, 0.5, 0.9], path="forecast.png")
    """
    forecast = _as_float_array(forecast, "forecast", (1, 2))
    time = np.asarray(time)
    if time.shape != forecast.shape[:1]:
        raise ValueError(
            "`time` must have one entry per horizon step of `forecast`. "
            f"Received: time.shape={time.shape}, forecast.shape={forecast.shape}"
        )
    if forecast.ndim == 2:
        if quantiles is None:
            raise ValueError(
                "A quantile forecast `(H, Q)` needs its `quantiles`. Received: "
                f"forecast.shape={forecast.shape}, quantiles=None"
            )
        levels = np.asarray(validate_quantiles(quantiles))
        if levels.size != forecast.shape[1]:
            raise ValueError(
                f"`forecast` has {forecast.shape[1]} quantile columns but "
                f"`quantiles` has {levels.size} levels: {levels.tolist()}"
            )
    if ax is None:
        figure = _new_figure()
        ax = figure.add_subplot()
    else:
        figure = ax.figure
    if history is not None:
        if history_time is None:
            raise ValueError("`history` needs `history_time`. Received: None")
        ax.plot(history_time, history, color="0.35", linewidth=1.2, label="history")
    if forecast.ndim == 1:
        ax.plot(time, forecast, color="C0", linewidth=1.8, label="forecast")
    else:
        pairs = central_intervals(levels)
        for rank, (low, high, nominal) in enumerate(pairs):
            ax.fill_between(
                time,
                forecast[:, low],
                forecast[:, high],
                color="C0",
                alpha=0.18 + 0.5 * (rank + 1) / (len(pairs) + 1),
                linewidth=0,
                label=f"{100 * nominal:g}% interval",
            )
        median = find_median(levels)
        if median is not None:
            ax.plot(
                time, forecast[:, median], color="C0", linewidth=1.8, label="median"
            )
    if actual is not None:
        ax.plot(time, actual, color="black", linewidth=1.2, marker=".", label="actual")
    ax.set_title(title or "Forecast")
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    if np.issubdtype(time.dtype, np.datetime64):
        ax.tick_params(axis="x", labelrotation=30)
    return _finish(figure, path)


def _selection_weights(explanation):
    """The `variable_selection` dict of an `explain()` result (or itself)."""
    if not isinstance(explanation, dict):
        raise TypeError(
            "`explanation` must be the dict returned by `model.explain(...)` or "
            f"its 'variable_selection' entry. Received: {type(explanation).__name__}"
        )
    weights = explanation.get("variable_selection", explanation)
    groups = {key: weights[key] for key in _GROUP_TITLES if key in weights}
    if not groups:
        raise ValueError(
            "`explanation` holds no variable-selection weights (expected keys "
            f"among {list(_GROUP_TITLES)}). Received keys: {sorted(weights)}. "
            "A model built with use_vsn=False has none."
        )
    return groups


def plot_variable_importance(explanation, feature_names=None, *, title=None, path=None):
    """Horizontal bars of the mean variable-selection weight of each feature.

    The weights of each input group (static `(B, S)`, dynamic `(B, T, D)`,
    future `(B, H, F)`) are averaged over every axis but the last, giving one
    weight per feature (each group sums to 1). One panel per group, features
    sorted by weight.

    Args:
        explanation: the dict returned by `model.explain(inputs)`, or its
            `"variable_selection"` entry.
        feature_names: optional dict group -> list of names (e.g.
            `ForecastDataset.feature_names()`); missing names or a length
            that does not match fall back to `"<group> 0"`, ... With
            `mode="tft"` the dynamic group covers the past dynamic features
            then the known-future ones.
        title: optional figure title.
        path: optional file to save the figure to.

    Returns:
        `matplotlib.figure.Figure`.

    Example:

    >>> def weights(*shape):  # selection weights sum to 1 over the variables
    ...     w = np.random.rand(*shape)
    ...     return w / w.sum(axis=-1, keepdims=True)
    >>> explanation = {"variable_selection": {  # as model.explain(x) returns
    ...     "static": weights(8, 2), "dynamic": weights(8, 12, 3),
    ...     "future": weights(8, 4, 1)}}
    >>> names = {"static": ["capacity", "line"], "future": ["holiday"],
    ...          "dynamic": ["rides", "rain", "temperature"]}
    >>> fig = plot_variable_importance(explanation, names, path="vsn.png")
    """
    groups = _selection_weights(explanation)
    feature_names = feature_names or {}
    means = {}
    for group, weights in groups.items():
        array = _as_float_array(weights, f"variable_selection[{group!r}]", (2, 3))
        means[group] = array.reshape(-1, array.shape[-1]).mean(axis=0)
    rows = [len(values) for values in means.values()]
    figure = _new_figure(figsize=(8.0, 1.2 + 0.28 * sum(rows) + 0.5 * len(rows)))
    axes = figure.subplots(len(means), 1, squeeze=False, height_ratios=rows)[:, 0]
    for ax, (group, values) in zip(axes, means.items(), strict=True):
        names = _feature_labels(feature_names, group, values.size)
        order = np.argsort(values)
        ax.barh(np.arange(values.size), values[order], color="C0")
        ax.set_yticks(np.arange(values.size), [names[i] for i in order])
        ax.set_title(_GROUP_TITLES[group], loc="left", fontsize="medium")
        ax.tick_params(axis="y", labelsize="small")
        ax.grid(axis="x", alpha=0.3)
    axes[-1].set_xlabel("mean selection weight")
    figure.suptitle(title or "Variable importance (variable selection weights)")
    return _finish(figure, path)


def _feature_labels(feature_names, group, count):
    names = list(feature_names.get(group) or ())
    if len(names) == count:
        return [str(name) for name in names]
    if group == "dynamic" and len(names) + len(feature_names.get("future") or ()) == (
        count
    ):  # mode="tft": past dynamic then past known-future features
        return [str(name) for name in names + list(feature_names["future"])]
    return [f"{group} {index}" for index in range(count)]


def plot_attention(
    explanation,
    level=None,
    *,
    position_labels=None,
    title=None,
    path=None,
):
    """Heat map of attention weights: horizon step x attended position.

    Args:
        explanation: the dict returned by `model.explain(inputs)` (or its
            `"attention"` entry), or an array `(B, H, L)` / `(H, L)` of
            weights. Weights are averaged over the batch.
        level: which attention level of a dict: `"cross"`,
            `"hierarchical"` or `"memory"`; default the first one present.
        position_labels: optional labels of the L attended positions (e.g.
            lookback offsets); default `0 .. L-1`.
        title: optional figure title.
        path: optional file to save the figure to.

    Returns:
        `matplotlib.figure.Figure`.

    Example:

    >>> weights = np.random.rand(8, 4, 12)  # (B, H, L), as model.explain(x) gives
    >>> explanation = {"attention": {"cross": weights / weights.sum(-1, keepdims=True)}}
    >>> fig = plot_attention(explanation, "cross", path="attention.png")
    """
    weights, level = _attention_weights(explanation, level)
    array = _as_float_array(weights, "attention weights", (2, 3))
    if array.ndim == 3:
        array = array.mean(axis=0)
    horizon, positions = array.shape
    figure = _new_figure(figsize=(min(14.0, 4.0 + 0.12 * positions), 4.5))
    ax = figure.add_subplot()
    image = ax.imshow(array, aspect="auto", cmap="viridis", interpolation="nearest")
    figure.colorbar(image, ax=ax, label="mean attention weight")
    ax.set_yticks(np.arange(horizon), np.arange(1, horizon + 1))
    ax.set_ylabel("horizon step")
    ax.set_xlabel("attended position")
    if position_labels is not None:
        if len(position_labels) != positions:
            raise ValueError(
                f"`position_labels` must have {positions} entries (one per "
                f"attended position). Received: {len(position_labels)}"
            )
        ticks = np.unique(np.linspace(0, positions - 1, min(positions, 12)).round())
        ticks = ticks.astype(int)
        ax.set_xticks(ticks, [str(position_labels[i]) for i in ticks])
    name = f"{level} attention" if level else "attention"
    ax.set_title(title or f"Mean {name} weights")
    return _finish(figure, path)


def _attention_weights(explanation, level):
    if not isinstance(explanation, dict):
        return explanation, level
    attention = explanation.get("attention", explanation)
    if not attention:
        raise ValueError("`explanation` holds no attention weights.")
    if level is None:
        level = next(iter(attention))
    if level not in attention:
        raise ValueError(
            f"`level` must be one of the levels present {list(attention)}. "
            f"Received: level={level!r}"
        )
    return attention[level], level


def plot_history(history, *, title=None, path=None):
    """Training and validation loss per epoch (and the best epoch).

    Args:
        history: the `keras.callbacks.History` returned by `model.fit`, or
            its `.history` dict (`{"loss": [...], "val_loss": [...], ...}`).
            Every `<name>` / `val_<name>` series is drawn; the epoch with the
            lowest `val_loss` (else `loss`) is marked.
        title: optional figure title.
        path: optional file to save the figure to.

    Returns:
        `matplotlib.figure.Figure`.

    Example:

    >>> history = {"loss": [1.0, 0.6, 0.5], "val_loss": [1.1, 0.8, 0.9]}
    >>> fig = plot_history(history, path="history.png")  # or model.fit(...)
    """
    curves = getattr(history, "history", history)
    if not isinstance(curves, dict) or not curves:
        raise TypeError(
            "`history` must be a keras History or a non-empty dict of "
            f"per-epoch values. Received: {type(history).__name__}"
        )
    figure = _new_figure()
    ax = figure.add_subplot()
    for name, values in curves.items():
        values = _as_float_array(values, f"history[{name!r}]", (1,))
        epochs = np.arange(1, values.size + 1)
        style = "--" if name.startswith("val_") else "-"
        ax.plot(epochs, values, style, marker="o", markersize=3, label=name)
    best_key = "val_loss" if "val_loss" in curves else "loss"
    if best_key in curves and len(curves[best_key]):
        best = int(np.nanargmin(np.asarray(curves[best_key], dtype=np.float64)))
        ax.axvline(best + 1, color="0.5", linestyle=":", label=f"best {best_key}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    ax.set_title(title or "Training history")
    return _finish(figure, path)
