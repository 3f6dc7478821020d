"""Backtests and their scores (`Forecaster.backtest` / `evaluate`, and the
`base-attentive evaluate` command over them): which windows are scored and
how, with a stand-in model (the real model is exercised in
tests/test_forecaster.py and end to end in tests/test_cli.py)."""

import json

import numpy as np
import pandas as pd
import pytest

from base_attentive import cli
from base_attentive.baselines import SeasonalNaive
from base_attentive.commands import evaluate
from base_attentive.data import ChronologicalSplit, ForecastDataset
from base_attentive.forecaster import Forecaster

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
    forecaster = Forecaster(
        target="y", time_col="day", id_col="id", lookback=14, horizon=HORIZON,
        calendar="none", quantiles=QUANTILES, training={"batch_size": 16},
    )  # fmt: skip
    spec = forecaster._spec(frame, pd.Timedelta(days=1))
    dataset = ForecastDataset(spec).fit(frame, ChronologicalSplit(test=TEST_DAYS))
    baseline = SeasonalNaive.fit(
        dataset.arrays, dataset.boundaries.train_end, 7, QUANTILES, HORIZON
    )
    forecaster.dataset_, forecaster.baseline_ = dataset, baseline
    forecaster.model_ = MeanModel()
    forecaster.data_ = {"last_time": "2021-04-13"}
    settings = {
        "data": str(path), "time_col": "day", "id_col": "id", "target": ["y"],
        "static": [], "past": [], "future": [], "series": None,
    }  # fmt: skip
    info = {"settings": settings, "test_period": {"start": "2021-04-14"}}
    monkeypatch.setattr(evaluate, "open_run", lambda path: (forecaster, settings, info))
    train = frame[frame["day"] < pd.Timestamp("2021-04-14")]
    # The baseline median is the seasonal-naive value plus the median of its
    # training residuals (of each series).
    shifts = {"a": baseline.offsets[0, 0, 1, 0], "b": baseline.offsets[1, 0, 1, 0]}
    return {
        "forecaster": forecaster,
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


def test_backtest_starts_after_the_fitted_data_and_follows_the_stride(run):
    forecaster, frame = run["forecaster"], run["frame"]
    backtest = forecaster.backtest(frame)
    origins = backtest["forecast_origin"].unique()
    # Default start: the last time step given to fit (2021-04-13).
    assert pd.Timestamp(origins.min()) == pd.Timestamp("2021-04-13")
    assert pd.Timestamp(origins.max()) == frame["day"].max() - pd.Timedelta(
        days=HORIZON
    )
    weekly = forecaster.backtest(frame, start="2021-04-13", stride=7)
    days = pd.to_datetime(weekly["forecast_origin"].unique())
    # Origins every 7 steps while a full horizon of actuals follows.
    assert list(days) == list(pd.to_datetime(["2021-04-13", "2021-04-20"]))
    # Actuals are the observed targets; the baseline and MASE scale ride along.
    assert weekly["actual"].notna().all()
    assert {"naive_q0.1", "naive_q0.5", "naive_q0.9", "mase_scale"} <= set(weekly)


def test_evaluate_reports_model_and_baseline_overall_and_per_step(run):
    forecaster, frame = run["forecaster"], run["frame"]
    table = forecaster.evaluate(forecaster.backtest(frame))
    assert list(table["forecast"].unique()) == ["model", "seasonal_naive"]
    assert list(table["horizon_step"][: HORIZON + 1]) == ["all", *range(1, 8)]
    count, model_mae, naive_mae = _expected(
        frame, run["means"], "2021-04-14", run["shifts"]
    )
    overall = table[table["horizon_step"] == "all"].set_index("forecast")
    assert overall.loc["model", "mae"] == pytest.approx(model_mae)
    assert overall.loc["seasonal_naive", "mae"] == pytest.approx(naive_mae)
    # One MASE: per series, MAE over its windows / training seasonal scale.
    backtest = forecaster.backtest(frame)
    ratios = []
    for _, rows in backtest.groupby("id"):
        error = (rows["actual"] - rows["q0.5"]).abs().mean()
        ratios.append(error / rows["mase_scale"].iloc[0])
    assert overall.loc["model", "mase"] == pytest.approx(np.mean(ratios))
    # A raw frame is backtested with the defaults first.
    pd.testing.assert_frame_equal(forecaster.evaluate(frame), table)


def test_evaluate_rejects_a_frame_that_is_not_a_backtest(run):
    forecaster = run["forecaster"]
    backtest = forecaster.backtest(run["frame"]).drop(columns=["mase_scale"])
    with pytest.raises(ValueError, match="lacks the column"):
        forecaster.evaluate(backtest)


def test_mase_warns_and_names_a_series_without_seasonal_variation(run):
    forecaster, frame = run["forecaster"], run["frame"]
    flat = frame.copy()
    flat.loc[flat["id"] == "b", "y"] = 5.0
    forecaster.baseline_ = SeasonalNaive.fit(
        forecaster.dataset_.transform(flat),
        forecaster.dataset_.boundaries.train_end,
        7,
        QUANTILES,
        HORIZON,
    )
    with pytest.warns(RuntimeWarning, match=r"1 of 2 series .*\['b'\]"):
        table = forecaster.evaluate(forecaster.backtest(flat))
    assert (table["mase_series"] == 1).all()
