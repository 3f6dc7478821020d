"""The plot of a tuning search: optimisation history and parameter
importances, from its summary (`Forecaster.tuning_` or `tuning.json`).

matplotlib is imported inside the function (see `base_attentive.plotting`
for the conventions: a `Figure` without pyplot, saved when given `path`).
"""

from __future__ import annotations

import numpy as np

from base_attentive.plotting import _finish, _new_figure

__all__ = ["plot_tuning"]


def plot_tuning(summary, *, title=None, path=None):
    """Optimisation history (left) and parameter importances (right).

    Left: the validation loss of every trial by trial number (completed
    trials as dots, pruned ones as crosses at their last reported loss) and
    the best loss so far as a step line. Right: the importances of the
    searched settings over the completed trials (a note when there are too
    few trials to estimate them).

    Args:
        summary: the tuning summary (`Forecaster.tuning_`, or `tuning.json`
            read as a dict).
        title: optional figure title.
        path: optional file to save the figure to.

    Returns:
        `matplotlib.figure.Figure`.

    Example:

    A summary as `Forecaster.tuning_` holds it (only the keys drawn here):

    >>> summary = {
    ...     "trials": [
    ...         {"number": 0, "state": "complete", "value": 0.12,
    ...          "intermediate": [0.2, 0.12]},
    ...         {"number": 1, "state": "pruned", "value": None,
    ...          "intermediate": [0.3]},
    ...         {"number": 2, "state": "complete", "value": 0.10,
    ...          "intermediate": [0.18, 0.10]},
    ...     ],
    ...     "importances": {"learning_rate": 0.7, "hidden_units": 0.3},
    ... }
    >>> figure = plot_tuning(summary, path="tuning.png")
    >>> len(figure.axes)
    2
    """
    if not isinstance(summary, dict) or "trials" not in summary:
        raise TypeError(
            "`summary` must be a tuning summary (Forecaster.tuning_ or "
            f"tuning.json). Received: {type(summary).__name__}"
        )
    figure = _new_figure(figsize=(11.0, 4.5))
    history, weights = figure.subplots(1, 2, width_ratios=[3, 2])
    complete = [
        (t["number"], t["value"]) for t in summary["trials"] if t["value"] is not None
    ]
    pruned = [
        (t["number"], t["intermediate"][-1])
        for t in summary["trials"]
        if t["state"] == "pruned" and t["intermediate"]
    ]
    if complete:
        numbers, values = np.asarray(complete, dtype=np.float64).T
        history.plot(numbers, values, "o", label="completed trial")
        best = np.minimum.accumulate(values)
        history.step(numbers, best, where="post", color="C3", label="best so far")
    if pruned:
        numbers, values = np.asarray(pruned, dtype=np.float64).T
        history.plot(numbers, values, "x", color="0.5", label="pruned (last epoch)")
    from matplotlib.ticker import MaxNLocator

    history.xaxis.set_major_locator(MaxNLocator(integer=True))
    history.set_xlabel("trial")
    history.set_ylabel("validation loss (mean quantile loss)")
    history.grid(alpha=0.3)
    history.legend(loc="best", fontsize="small")
    history.set_title("Optimisation history")
    importances = summary.get("importances") or {}
    if importances:
        names = list(importances)[::-1]
        weights.barh(names, [importances[name] for name in names], color="C0")
        weights.set_xlabel("importance")
        weights.set_title("Parameter importances")
    else:
        weights.set_axis_off()
        weights.text(
            0.5,
            0.5,
            "Too few completed trials\nto estimate importances",
            ha="center",
            va="center",
        )
    if title:
        figure.suptitle(title)
    return _finish(figure, path)
