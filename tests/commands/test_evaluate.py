"""`base-attentive evaluate`: which windows it scores and how, with a
stand-in model (the real model is exercised end to end in tests/test_cli.py)."""

import json

import numpy as np
import pandas as pd
import pytest

from base_attentive import cli
from base_attentive.commands import evaluate
from base_attentive.commands.baseline import SeasonalNaive
from base_attentive.commands.run_folder import LoadedRun, RunFolder
from base_attentive.data import ChronologicalSplit, DatasetSpec, ForecastDataset

DAYS, TEST_DAYS, HORIZON = 120, 20, 7
QUANTILES = [0.1, 0.5, 0.9]


class MeanModel:
    """Forecasts each series' training mean (0 in scaled units), +-1 scale."""

    def predict(self, windows, verbose=0):
        spread = np.array([-1.0, 0.0, 1.0]).reshape(1, 1, 3, 1)
        return np.broadcast_to(spread, (windows.num_windows, HORIZON, 3, 1))


@pytest.fixture
def run(tmp_path, monkeypatch, rng):
    frame = pd.DataFrame(
        {
            "day": np.tile(pd.date_range("2021-01-04", periods=DAYS), 2),
            "id": np.repeat(["a", "b"], DAYS),
            "y": np.concatenate([rng.gamma(5.0, 2.0, DAYS), rng.gamma(9.0, 9.0, DAYS)]),
        }
    )
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    spec = DatasetSpec(
        "day", "y", lookback=14, forecast_horizon=HORIZON, id_column="id"
    )
    dataset = ForecastDataset(spec).fit(frame, ChronologicalSplit(test=TEST_DAYS))
    baseline = SeasonalNaive.fit(
        dataset.arrays, dataset.boundaries.train_end, 7, QUANTILES, HORIZON
    )
    settings = {
        "data": str(path), "time_col": "day", "id_col": "id", "target": ["y"],
        "static": [], "past": [], "future": [], "series": None,
        "quantiles": QUANTILES, "batch_size": 16,
    }  # fmt: skip
    info = {"settings": settings, "data": {"test_start": "2021-04-14"}}
    loaded = LoadedRun(RunFolder(tmp_path), info, dataset, baseline, MeanModel())
    monkeypatch.setattr(evaluate, "load_run", lambda path: loaded)
    train = frame[frame["day"] < pd.Timestamp("2021-04-14")]
    # The baseline median is the seasonal-naive value plus the median of its
    # training residuals (of each series).
    shifts = {"a": baseline.offsets[0, 0, 1, 0], "b": baseline.offsets[1, 0, 1, 0]}
    return {
        "frame": frame,
        "path": path,
        "means": train.groupby("id")["y"].mean(),
        "shifts": shifts,
    }


def _expected(frame, means, start, shifts=None):
    """MAE of the mean forecast and of seasonal naive over windows from `start`."""
    model_errors, naive_errors = [], []
    for series, rows in frame.groupby("id"):
        y = rows["y"].to_numpy()
        first = int(np.searchsorted(rows["day"], pd.Timestamp(start)))
        for origin in range(first - 1, DAYS - HORIZON):
            target = y[origin + 1 : origin + 1 + HORIZON]
            model_errors.append(np.abs(target - means[series]))
            naive = y[origin - 6 : origin + 1]  # horizon 7 = one week back
            shift = 0.0 if shifts is None else shifts[series]
            naive_errors.append(np.abs(target - naive - shift))
    return len(model_errors), np.mean(model_errors), np.mean(naive_errors)


def test_evaluate_scores_the_windows_whose_targets_start_at_start(run, capsys):
    code = cli.main(
        ["evaluate", "--model", "r", "--data", str(run["path"]),
         "--start", "2021-04-20", "--json"]
    )  # fmt: skip
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    count, model_mae, naive_mae = _expected(
        run["frame"], run["means"], "2021-04-20", run["shifts"]
    )
    assert result["windows"] == count == 2 * (DAYS - 106 - HORIZON + 1)
    assert result["period"] == {"start": "2021-04-20", "end": "2021-05-03"}
    assert result["model"]["mae"] == pytest.approx(model_mae)
    assert result["baseline"]["mae"] == pytest.approx(naive_mae)


def test_evaluate_without_data_rescores_the_run_test_period(run, capsys, tmp_path):
    forecasts = tmp_path / "backtest.csv"
    code = cli.main(
        ["evaluate", "--model", "r", "--forecasts", str(forecasts), "--json"]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    count, model_mae, _ = _expected(run["frame"], run["means"], "2021-04-14")
    assert result["windows"] == count
    assert result["model"]["mae"] == pytest.approx(model_mae)
    assert len(pd.read_csv(forecasts)) == count * HORIZON


def test_evaluate_rejects_a_bad_start_date(run, capsys):
    assert cli.main(["evaluate", "--model", "r", "--start", "someday"]) == 2
    assert capsys.readouterr().err.startswith(
        "error: --start must be a date such as 2015-01-01. Received: 'someday'"
    )
