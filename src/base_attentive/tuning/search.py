"""The search of `Forecaster.tune`: one Optuna study over a search space,
every trial trained with the Forecaster's recipe and scored on the shared
validation windows (see `objective` and `study` for the rules)."""

from __future__ import annotations

import dataclasses
import math
import numbers
import time

import numpy as np

from base_attentive.data.split import ChronologicalSplit
from base_attentive.data.validation import format_time, to_datetime_ns
from base_attentive.tuning import study as studies
from base_attentive.tuning.objective import (
    InvalidConfiguration,
    Objective,
    SharedValidation,
)
from base_attentive.tuning.search_space import SearchSpace, default_search_space
from base_attentive.tuning.summary import summarize


@dataclasses.dataclass
class SearchResult:
    """What a search found.

    Attributes:
        study: the `optuna.Study`.
        space: the `SearchSpace`.
        params: the best trial's configuration (decoded values).
        validation_start: the first validation time step (a date string),
            to fit the best configuration with the same split.
        summary: the JSON-ready summary (`tuning.summary`).
    """

    study: object
    space: SearchSpace
    params: dict
    validation_start: str
    summary: dict


def check_budget(n_trials, time_budget):
    """Validates the budget; at least one of the two is needed."""
    if n_trials is not None and (
        isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1
    ):
        raise ValueError(
            f"`n_trials` must be an integer >= 1 or None. Received: n_trials={n_trials!r}"
        )
    if time_budget is not None and (
        isinstance(time_budget, bool)
        or not isinstance(time_budget, numbers.Real)
        or not 0 < time_budget < math.inf
    ):
        raise ValueError(
            "`time_budget` must be a positive number of minutes or None. "
            f"Received: time_budget={time_budget!r}"
        )
    if n_trials is None and time_budget is None:
        raise ValueError(
            "Tuning needs a budget: pass `n_trials` (trials in the study), "
            "`time_budget` (minutes), or both. (CLI: --n-trials, --time-budget)"
        )


def _space(search_space, forecaster):
    if search_space is None:
        return SearchSpace(default_search_space(forecaster.lookback))
    if isinstance(search_space, SearchSpace):
        return search_space
    return SearchSpace(search_space)


def _model_arguments():
    """The BaseAttentive arguments a Forecaster may set."""
    import inspect

    from base_attentive.forecaster import _DERIVED_MODEL_ARGUMENTS
    from base_attentive.models import BaseAttentive

    names = inspect.signature(BaseAttentive.__init__).parameters
    return [name for name in names if name not in ("self", *_DERIVED_MODEL_ARGUMENTS)]


def _validation_start(forecaster, frame, validation):
    """The first validation time step of `frame` as a date string."""
    times = to_datetime_ns(frame[forecaster.time_col], forecaster.time_col)
    boundaries = ChronologicalSplit(validation=validation).resolve(np.unique(times))
    return format_time(boundaries.validation_start)


def _setup(forecaster, frame, space, start):
    """What a stored study tunes (compared when it is resumed)."""
    config = forecaster.get_config()
    columns = [config["time_col"], config["id_col"], *config["target"]]
    columns += config["static"] + config["past"] + config["future"]
    return {
        "forecaster": config,
        "search_space": space.to_dict(),
        "validation_start": start,
        "data": studies.data_fingerprint(frame, [c for c in columns if c]),
    }


def _trial_line(trial, best):
    """One progress line per finished trial."""
    attrs = trial.user_attrs
    state = attrs.get("outcome") or trial.state.name.lower()
    params = ", ".join(f"{name}={value}" for name, value in trial.params.items())
    if state == "complete":
        text = f"loss {trial.value:.6g}"
        if best is not None and best.number != trial.number:
            text += f" (best {best.value:.6g}, trial {best.number})"
        text += f", {attrs.get('epochs')} epoch(s)"
    elif state == "pruned":
        last = trial.intermediate_values.get(max(trial.intermediate_values, default=0))
        text = f"pruned after epoch {attrs.get('epochs')} (loss {last:.6g})"
    else:
        text = f"{state}: {attrs.get('error', 'see the study')}"
    seconds = attrs.get("seconds")
    timing = f", {seconds:.0f} s" if seconds is not None else ""
    return f"trial {trial.number} {text}{timing}; {params}"


def search(
    forecaster,
    frame,
    *,
    n_trials=None,
    time_budget=None,
    search_space=None,
    storage=None,
    study_name=None,
    validation,
    pruner="median",
    report=None,
):
    """Runs (or resumes) a study; see `Forecaster.tune`.

    Returns:
        `SearchResult`.

    Raises:
        ValueError: if no trial of the study completed.
    """
    check_budget(n_trials, time_budget)
    studies.import_optuna()
    report = report or (lambda kind, text: None)
    started = time.perf_counter()
    space = _space(search_space, forecaster)
    space.check_names(_model_arguments())
    pruner = studies.make_pruner(pruner)
    storage = studies.open_storage(storage)
    study_name = study_name or studies.DEFAULT_STUDY_NAME
    start = _validation_start(forecaster, frame, validation)
    shared = SharedValidation(
        forecaster, frame, start, space.max_lookback(forecaster.lookback)
    )
    with studies.quiet_optuna() as optuna:
        sampler = optuna.samplers.TPESampler(
            n_startup_trials=studies.STARTUP_TRIALS,
            seed=forecaster.seed if storage is None else None,
        )
        study = studies.load_study(
            storage,
            study_name,
            sampler,
            pruner,
            _setup(forecaster, frame, space, start),
        )
        done = len(studies.counted_trials(study))
        budget = []
        if n_trials is not None:
            budget.append(f"until {n_trials} trials ({done} done)")
        if time_budget is not None:
            budget.append(f"{time_budget:g} min")
        report(
            "step",
            f"tuning: study {study_name!r} ({studies.describe_storage(storage)}), "
            f"{' or '.join(budget)}; {len(space.names)} settings searched; "
            f"{shared.num_windows:,} validation windows from {start}",
        )
        run_here = []

        def on_trial_end(study, trial):
            run_here.append(trial.number)
            complete = [
                t for t in study.get_trials(deepcopy=False) if t.value is not None
            ]
            best = min(complete, key=lambda t: t.value) if complete else None
            report("detail", _trial_line(trial, best))

        callbacks = [on_trial_end]
        if n_trials is not None:
            callbacks.append(studies.StopAfter(n_trials))
        # The budget counts from here (after the set-up); Optuna checks it
        # before each trial, so the first one always runs.
        timeout = None if time_budget is None else 60.0 * time_budget
        deadline = None if timeout is None else time.perf_counter() + timeout
        if n_trials is None or done < n_trials:
            study.optimize(
                Objective(forecaster, frame, space, shared, deadline),
                timeout=timeout,
                callbacks=callbacks,
                catch=(InvalidConfiguration,),
                gc_after_trial=True,
            )
        complete = study.get_trials(
            deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)
        )
        if not complete:
            counts = {}
            for trial in study.get_trials(deepcopy=False):
                key = trial.user_attrs.get("outcome") or trial.state.name.lower()
                counts[key] = counts.get(key, 0) + 1
            raise ValueError(
                f"No trial of the study {study_name!r} completed (trials: {counts}); "
                "there is no best configuration. Give a larger budget, fewer "
                "pruned trials (pruner='none') or a valid search space."
            )
        summary = summarize(
            study,
            space,
            storage=storage,
            shared=shared,
            budget={"n_trials": n_trials, "time_budget_minutes": time_budget},
            pruner=pruner,
            seconds=_since(started),
            run_here=run_here,
        )
    best = summary["best"]
    report(
        "detail",
        f"best: trial {best['trial']}, loss {best['value']:.6g}: "
        + ", ".join(f"{k}={v}" for k, v in best["params"].items()),
    )
    return SearchResult(study, space, best["params"], start, summary)


def _since(started):
    return time.perf_counter() - started
