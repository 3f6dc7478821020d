"""`training={"ensemble": K}`: K models averaged, saved and loaded as one."""

import json

import numpy as np
import pandas as pd
import pytest

from base_attentive import Forecaster
from base_attentive.data import load_chicago_ridership
from base_attentive.models import MeanEnsemble
from base_attentive.training import TrainingSettings, kept_members

STATIONS = ["Austin", "Clark_Lake"]
COLUMNS = ["date", "station", "rides", "temp", "Cubs_Home"]
TINY = {
    "embed_dim": 4, "hidden_units": 4, "lstm_units": 4, "attention_units": 4,
    "num_heads": 1, "memory_size": 4,
}  # fmt: skip
TRAINING = {
    "epochs": 2, "steps_per_epoch": 2, "batch_size": 64, "ensemble": 2,
    "schedule": "cosine",
}  # fmt: skip


@pytest.fixture(scope="module")
def frame():
    return load_chicago_ridership(stations=STATIONS, start="2016-03-01")[COLUMNS]


@pytest.fixture(scope="module")
def fitted(frame):
    forecaster = Forecaster(
        target="rides", time_col="date", id_col="station", lookback=14,
        horizon=7, static=["station"], past=["temp"], future=["Cubs_Home"],
        model=TINY, training=TRAINING,
    )  # fmt: skip
    train = frame[frame["date"] < pd.Timestamp("2016-07-15")]
    return forecaster.fit(train, validation=21, verbose=0)


def test_an_ensemble_averages_models_of_other_seeds(fitted):
    model = fitted.model_
    assert isinstance(model, MeanEnsemble) and len(model.members) == 2
    summary = fitted.training_
    assert [m["epochs_run"] for m in summary["members"]] == [2, 2]
    assert summary["epochs_run"] == 4
    windows = fitted.dataset_.windows("validation", batch_size=64)
    x, _ = windows.materialize()
    first, second = (member.predict(x, verbose=0) for member in model.members)
    assert not np.allclose(first, second)  # other seeds, other models
    np.testing.assert_allclose(
        model.predict(x, verbose=0), (first + second) / 2, rtol=1e-5, atol=1e-6
    )
    assert model.count_params() == 2 * model.members[0].count_params()


def test_an_ensemble_saves_and_loads_as_one_model(fitted, frame, tmp_path):
    path = fitted.save(tmp_path / "run")
    run = json.loads((path / "run.json").read_text())
    assert run["model"]["members"] == 2
    assert run["model"]["arguments"]["lstm_units"] == 4
    loaded = Forecaster.load(path)
    assert isinstance(loaded.model_, MeanEnsemble)
    backtest = fitted.backtest(frame, stride=7)
    again = loaded.backtest(frame, stride=7)
    pd.testing.assert_frame_equal(again, backtest, rtol=1e-5)


def test_explain_averages_the_members(fitted, frame):
    explanation = fitted.explain(frame, start="2016-07-20", max_windows=8)
    importance = explanation["variable_importance"]
    sums = importance.groupby("group")["importance"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-4)


def test_kept_members_leaves_out_models_far_above_the_best():
    assert kept_members([0.046, 0.062, 0.045], 0.2) == [0, 2]
    assert kept_members([0.046, 0.062, 0.045], 0.5) == [0, 1, 2]
    assert kept_members([0.046, 0.062, 0.045], None) == [0, 1, 2]
    assert kept_members([0.05, float("nan"), 0.05], 0.0) == [0, 2]  # ties kept
    assert kept_members([float("nan"), float("nan")], 0.2) == [0, 1]


@pytest.mark.parametrize("tolerance", [-0.1, float("inf"), True, "0.2"])
def test_a_bad_ensemble_tolerance_is_refused_by_name(tolerance):
    with pytest.raises(ValueError, match="ensemble_tolerance"):
        TrainingSettings(ensemble=3, ensemble_tolerance=tolerance)


def test_an_ensemble_leaves_out_a_model_above_the_tolerance(frame, capsys):
    forecaster = Forecaster(
        target="rides", time_col="date", id_col="station", lookback=14,
        horizon=7, static=["station"], past=["temp"], future=["Cubs_Home"],
        model=TINY, training={**TRAINING, "ensemble_tolerance": 0.0}, seed=3,
    )  # fmt: skip
    train = frame[frame["date"] < pd.Timestamp("2016-07-15")]
    forecaster.fit(train, validation=21, verbose=1)
    summary = forecaster.training_
    losses = [member["best_val_loss"] for member in summary["members"]]
    assert losses[0] != losses[1]
    worse = int(np.argmax(losses))
    assert summary["left_out"] == [
        {"member": worse, "seed": 3 + worse, "best_val_loss": losses[worse]}
    ]
    # One model is left: it is the forecaster's model, not an average.
    assert not isinstance(forecaster.model_, MeanEnsemble)
    assert (
        f"model of seed {3 + worse} left out of the average" in capsys.readouterr().out
    )
    windows = forecaster.dataset_.windows("validation", batch_size=64)
    x, y = windows.materialize()
    assert np.isfinite(forecaster.model_.predict(x, verbose=0)).all()
