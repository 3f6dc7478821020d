"""`Forecaster.tune`: a search over a small space with a tiny model (2-3
trials of 1 epoch), its study in SQLite: the best configuration fitted,
the shared validation windows, resuming after an interruption, two
concurrent workers, pruning, the time budget and the errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import optuna
import pandas as pd
import pytest

from base_attentive import Forecaster
from base_attentive.tuning.objective import SharedValidation, prepare_dataset
from tests.tuning.worker import FAST, SPACE, VALIDATION, load_frame, make_forecaster

WORKER = Path(__file__).with_name("worker.py")
# Cheaper XLA compilation (JAX) in the worker processes.
FAST_XLA = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


@pytest.fixture(scope="module")
def frame():
    return load_frame()


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('study') / 'study.db'}"


@pytest.fixture(scope="module")
def tuned(frame, storage):
    forecaster = make_forecaster()
    result = forecaster.tune(
        frame, n_trials=2, search_space=SPACE, storage=storage,
        validation=VALIDATION, verbose=0,
    )  # fmt: skip
    assert result is forecaster
    return forecaster


def _stored(storage):
    return optuna.load_study(study_name="base-attentive", storage=storage)


def test_tune_fits_the_best_configuration(tuned, storage):
    summary = tuned.tuning_
    assert summary["counts"] == {"complete": 2}
    values = [trial["value"] for trial in summary["trials"]]
    best = summary["best"]
    assert best["value"] == min(values)
    params = best["params"]
    assert tuned.is_fitted
    assert tuned.lookback == params["lookback"]
    assert tuned.dataset_.spec.lookback == params["lookback"]
    assert tuned.model["hidden_units"] == params["hidden_units"]
    assert tuned.model["attention_levels"] == params["attention_levels"]
    assert tuned.training.learning_rate == params["learning_rate"]
    # Only validation windows are scored: the last 21 days, 15 windows of
    # 7 days per series.
    assert summary["validation"] == {
        "start": "2016-07-25", "windows": 30, "windows_of_lookback": 14,
    }  # fmt: skip
    assert tuned.data_["validation_start"] == "2016-07-25"
    assert _stored(storage).best_trial.number == best["trial"]
    for trial in summary["trials"]:
        assert len(trial["intermediate"]) == trial["epochs"] == 1


def test_saved_run_folder_keeps_the_tuning_summary(tuned, tmp_path):
    tuned.save(tmp_path / "run")
    stored = json.loads((tmp_path / "run" / "tuning.json").read_text())
    assert stored["best"] == json.loads(json.dumps(tuned.tuning_["best"]))
    assert Forecaster.load(tmp_path / "run").tuning_ == stored


def test_plot_tuning_draws_the_history_and_importances(tuned, tmp_path):
    from base_attentive.tuning.plots import plot_tuning

    figure = plot_tuning(tuned.tuning_, path=tmp_path / "tuning.png")
    history, weights = figure.axes
    assert len(history.lines[0].get_xdata()) == 2  # the completed trials
    assert (tmp_path / "tuning.png").stat().st_size > 0


@pytest.mark.backend_independent
def test_interrupted_search_resumes_without_losing_or_repeating_a_trial(
    tuned, frame, storage, monkeypatch
):
    from base_attentive import training

    before = {
        t.number: (t.params, t.datetime_complete) for t in _stored(storage).trials
    }
    assert len(before) == 2

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "train_model", interrupted)
    with pytest.raises(KeyboardInterrupt):
        make_forecaster().tune(
            frame, n_trials=3, search_space=SPACE, storage=storage,
            validation=VALIDATION, fit=False, verbose=0,
        )  # fmt: skip
    monkeypatch.undo()
    trials = _stored(storage).trials
    cut = trials[2]
    assert cut.state == optuna.trial.TrialState.FAIL
    assert cut.user_attrs["outcome"] == "interrupted"
    assert trials[3].state == optuna.trial.TrialState.WAITING  # queued again

    resumed = make_forecaster().tune(
        frame, n_trials=3, search_space=SPACE, storage=storage,
        validation=VALIDATION, fit=False, verbose=0,
    )  # fmt: skip
    assert not resumed.is_fitted
    assert resumed.tuning_["trials_run_here"] == 1
    trials = _stored(storage).trials
    assert len(trials) == 4
    retry = trials[3]
    assert retry.state == optuna.trial.TrialState.COMPLETE
    assert retry.params == cut.params and retry.user_attrs["retry_of"] == 2
    for number, (params, completed) in before.items():  # not run again
        assert (trials[number].params, trials[number].datetime_complete) == (
            params,
            completed,
        )
    # The study holds its 3 trials: a further call runs none.
    again = make_forecaster().tune(
        frame, n_trials=3, search_space=SPACE, storage=storage,
        validation=VALIDATION, fit=False, verbose=0,
    )  # fmt: skip
    assert again.tuning_["trials_run_here"] == 0
    assert again.tuning_["counts"] == {"complete": 3, "interrupted": 1}


def test_resuming_a_study_with_other_settings_is_an_error(tuned, frame, storage):
    other = make_forecaster(training={**FAST, "epochs": 2})
    with pytest.raises(
        ValueError, match=r"another setup .*forecaster\.training\.epochs"
    ):
        other.tune(
            frame, n_trials=5, search_space=SPACE, storage=storage,
            validation=VALIDATION, verbose=0,
        )  # fmt: skip


@pytest.mark.backend_independent
def test_two_workers_search_one_study_at_once(tmp_path):
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "XLA_FLAGS": FAST_XLA,
        "OMP_NUM_THREADS": "1",  # two processes on the machine's cores
    }
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join(
        [str(root / "src"), str(root), env.get("PYTHONPATH", "")]
    )
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), storage, "2"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        results = [worker.communicate(timeout=1500) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    outputs = []
    for worker, (out, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err[-3000:]
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    trials = _stored(storage).trials
    states = {trial.state for trial in trials}
    assert states == {optuna.trial.TrialState.COMPLETE}
    # Each worker stops when the study holds 2 finished trials; the other
    # may finish the one it was running.
    assert 2 <= len(trials) <= 3
    ran = [set(output["ran"]) for output in outputs]
    assert all(ran) and not ran[0] & ran[1]  # both searched, no trial twice
    assert ran[0] | ran[1] == {trial.number for trial in trials}
    assert len({trial.user_attrs["worker"] for trial in trials}) == 2


def test_shared_validation_windows_are_those_of_the_longest_lookback(frame):
    # Clark_Lake starts 24 days before the validation period: lookback 28
    # cannot forecast its first 4 validation origins, lookback 7 can.
    late = frame[(frame.station == "Austin") | (frame.date >= "2016-07-01")]
    short = make_forecaster(lookback=7)
    start = "2016-07-25"
    shared = SharedValidation(short, late, start, lookback=28)
    windows = prepare_dataset(short, late, start).windows("validation")
    longest = prepare_dataset(make_forecaster(lookback=28), late, start)
    expected = longest.windows("validation").window_index()
    kept = shared.restrict(windows)
    assert windows.num_windows == 30
    assert shared.num_windows == kept.num_windows == len(expected) == 26
    pd.testing.assert_frame_equal(kept.window_index(), expected)
    assert kept.arrays.lookback == 7


@pytest.mark.backend_independent
def test_pruned_trials_stop_at_the_epoch_the_pruner_rejects(frame, tmp_path):
    storage = f"sqlite:///{tmp_path / 'pruned.db'}"
    reject_all = optuna.pruners.ThresholdPruner(upper=0.0)  # any loss > 0
    forecaster = make_forecaster(training={**FAST, "epochs": 3})
    with pytest.raises(ValueError, match=r"No trial .* completed .*'pruned': 2"):
        forecaster.tune(
            frame, n_trials=2, search_space=SPACE, storage=storage,
            validation=VALIDATION, pruner=reject_all, verbose=0,
        )  # fmt: skip
    for trial in _stored(storage).trials:
        assert trial.state == optuna.trial.TrialState.PRUNED
        assert list(trial.intermediate_values) == [0]  # stopped after epoch 1
        assert trial.user_attrs["epochs"] == 1


@pytest.mark.backend_independent
def test_time_budget_stops_starting_trials_and_cuts_their_training(frame):
    # 1,000 epochs of 2 steps take far more than the 1-second floor of a
    # trial's time limit (the budget's 0.06 s are over when it starts), so
    # only the time limit can end this training.
    forecaster = make_forecaster(
        training={**FAST, "epochs": 1000, "patience": 1000, "time_limit": None}
    )
    forecaster.tune(
        frame, time_budget=0.001, search_space=SPACE, validation=VALIDATION,
        fit=False, verbose=0,
    )  # fmt: skip
    summary = forecaster.tuning_
    assert summary["trials_run_here"] == 1
    assert 1 <= summary["trials"][0]["epochs"] < 1000
    assert summary["budget"] == {"n_trials": None, "time_budget_minutes": 0.001}


def test_invalid_configurations_fail_with_the_reason(frame):
    space = {"attention_units": [4], "num_heads": [3]}
    with pytest.raises(ValueError, match=r"No trial .* completed .*'invalid': 1"):
        make_forecaster().tune(
            frame, n_trials=1, search_space=space, validation=VALIDATION, verbose=0
        )


@pytest.mark.parametrize(
    ("budget", "match"),
    [
        ({}, "needs a budget"),
        ({"n_trials": 0}, "`n_trials` must be an integer >= 1"),
        ({"n_trials": 2, "time_budget": -1}, "`time_budget` must be a positive"),
    ],
)
def test_budget_errors(frame, budget, match):
    with pytest.raises(ValueError, match=match):
        make_forecaster().tune(frame, **budget)


def test_unknown_pruner_and_storage_types_are_errors(frame):
    with pytest.raises(ValueError, match="`pruner` must be one of"):
        make_forecaster().tune(frame, n_trials=1, search_space=SPACE, pruner="early")
    with pytest.raises(TypeError, match="`storage` must be None, a database URL"):
        make_forecaster().tune(frame, n_trials=1, search_space=SPACE, storage=3)


def test_missing_optuna_names_the_extra(frame, monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(ImportError, match=r'pip install "base-attentive\[tune\]"'):
        make_forecaster().tune(frame, n_trials=1)
