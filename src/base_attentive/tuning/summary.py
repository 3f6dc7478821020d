"""The summary of a tuning search: what `Forecaster.tune` keeps in
`tuning_` and a run folder in `tuning.json`.

Keys: `study_name`, `storage` (without password), `objective` (what the
trials minimise), `validation` (start and number of the shared windows),
`search_space`, `sampler`, `pruner`, `budget` (`n_trials`,
`time_budget_minutes`), `search_seconds` and `trials_run_here` (this
process), `counts` (trials per outcome over the whole study), `best`
(trial number, value, configuration, epochs, seconds), `importances`
(parameter importances of the completed trials by Optuna's default
evaluator; empty with fewer than `MIN_TRIALS_FOR_IMPORTANCE` of them) and
`trials` (one entry per trial: number, state, outcome, value, params,
epochs, seconds, worker; the validation loss after each epoch in
`intermediate`).
"""

from __future__ import annotations

import warnings

from base_attentive.tuning.study import describe_storage, import_optuna

OBJECTIVE = (
    "mean quantile loss (pinball, original units) on the shared validation "
    "windows, lower is better"
)
MIN_TRIALS_FOR_IMPORTANCE = 3


def _trial_entry(trial, space):
    attrs = trial.user_attrs
    return {
        "number": trial.number,
        "state": trial.state.name.lower(),
        "outcome": attrs.get("outcome"),
        "value": trial.value,
        "params": space.decode(trial.params),
        "epochs": attrs.get("epochs"),
        "seconds": attrs.get("seconds"),
        "worker": attrs.get("worker"),
        "retry_of": attrs.get("retry_of", trial.system_attrs.get("failed_trial")),
        "error": attrs.get("error"),
        "intermediate": [
            trial.intermediate_values[step]
            for step in sorted(trial.intermediate_values)
        ],
    }


def importances(study):
    """Parameter importances of the completed trials (Optuna's default
    evaluator), largest first; `{}` with too few trials.

    Returns:
        `(importances, evaluator name)`.
    """
    optuna = import_optuna()
    complete = study.get_trials(
        deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)
    )
    if len(complete) < MIN_TRIALS_FOR_IMPORTANCE:
        return {}, None
    evaluator = optuna.importance.PedAnovaImportanceEvaluator()
    with warnings.catch_warnings():
        # "too few trials, importances will be equal": the small-study case.
        warnings.simplefilter("ignore", UserWarning)
        values = optuna.importance.get_param_importances(study, evaluator=evaluator)
    return {name: float(value) for name, value in values.items()}, type(
        evaluator
    ).__name__


def summarize(study, space, *, storage, shared, budget, pruner, seconds, run_here):
    """The summary of `study` (see the module docstring).

    Args:
        study: the Optuna study after the search.
        space: its `SearchSpace`.
        storage: the storage (for its description).
        shared: the `SharedValidation`.
        budget: dict `n_trials`, `time_budget_minutes`.
        pruner: the pruner (its class name is recorded).
        seconds: seconds this process searched.
        run_here: numbers of the trials this process ran.
    """
    optuna = import_optuna()
    trials = study.get_trials(deepcopy=False)
    counts = {}
    for trial in trials:
        outcome = trial.user_attrs.get("outcome")
        if trial.state == optuna.trial.TrialState.RUNNING:
            outcome = "running"
        elif outcome is None:
            outcome = trial.state.name.lower()  # e.g. failed without a heartbeat
        counts[outcome] = counts.get(outcome, 0) + 1
    best = study.best_trial
    weights, evaluator = importances(study)
    return {
        "study_name": study.study_name,
        "storage": describe_storage(storage),
        "objective": OBJECTIVE,
        "validation": {
            "start": shared.start,
            "windows": shared.num_windows,
            "windows_of_lookback": shared.lookback,
        },
        "search_space": space.to_dict(),
        "sampler": type(study.sampler).__name__,
        "pruner": type(pruner).__name__,
        "budget": budget,
        "search_seconds": seconds,
        "trials_run_here": len(run_here),
        "counts": counts,
        "best": {
            "trial": best.number,
            "value": best.value,
            "params": space.decode(best.params),
            "epochs": best.user_attrs.get("epochs"),
            "seconds": best.user_attrs.get("seconds"),
        },
        "importances": weights,
        "importance_evaluator": evaluator,
        "trials": [_trial_entry(trial, space) for trial in trials],
    }
