"""`Forecaster`: the workflow a data scientist calls from Python, on a slice
of the bundled data with a tiny model (fitted once per test module)."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from base_attentive import Forecaster
from base_attentive.data import load_chicago_ridership

STATIONS = ["Austin", "Clark_Lake"]
COLUMNS = ["date", "station", "rides", "temp", "Cubs_Home"]
LOOKBACK, HORIZON = 14, 7
TINY = {
    "embed_dim": 4, "hidden_units": 4, "lstm_units": 4, "attention_units": 4,
    "num_heads": 1, "memory_size": 4,
}  # fmt: skip
FAST = {"epochs": 1, "steps_per_epoch": 2, "batch_size": 64}
CURRENT_BACKEND = os.environ["KERAS_BACKEND"]
OTHER_BACKENDS = [b for b in ("tensorflow", "torch", "jax") if b != CURRENT_BACKEND]


def make_forecaster(**changes):
    arguments = dict(
        target="rides", time_col="date", id_col="station", lookback=LOOKBACK,
        horizon=HORIZON, static=["station"], past=["temp"], future=["Cubs_Home"],
        model=TINY, training=FAST,
    )  # fmt: skip
    return Forecaster(**{**arguments, **changes})


@pytest.fixture(scope="module")
def frames():
    history = load_chicago_ridership(stations=STATIONS, start="2016-03-01")[COLUMNS]
    future = load_chicago_ridership(
        stations=STATIONS, start="2016-06-01", include_future_covariates=True
    )[COLUMNS]
    train = history[history["date"] < pd.Timestamp("2016-07-15")]
    return {"history": history, "future": future, "train": train}


@pytest.fixture(scope="module")
def fitted(frames):
    return make_forecaster().fit(frames["train"], validation=21, verbose=0)


def test_predict_forecasts_the_horizon_after_each_series(fitted, frames):
    forecasts = fitted.predict(frames["future"])
    assert list(forecasts.columns) == [
        "station", "forecast_origin", "date", "horizon_step", "target", "actual",
        "q0.1", "q0.5", "q0.9",
    ]  # fmt: skip
    assert len(forecasts) == len(STATIONS) * HORIZON
    assert (forecasts["forecast_origin"] == pd.Timestamp("2016-08-14")).all()
    assert forecasts["date"].min() == pd.Timestamp("2016-08-15")
    assert (forecasts["q0.1"] <= forecasts["q0.5"]).all()
    assert (forecasts["q0.5"] <= forecasts["q0.9"]).all()
    assert forecasts["actual"].isna().all()
    # The known-future column must be there for the forecast period.
    without_future = frames["future"].copy()
    without_future.loc[without_future["rides"].isna(), "Cubs_Home"] = np.nan
    with pytest.raises(ValueError, match="Cubs_Home"):
        fitted.predict(without_future)


def test_fit_reports_the_recipe_and_calibrates(fitted):
    assert fitted.training_["epochs_run"] == 1
    assert fitted.training_["calibration"]["applied"] is True
    assert fitted.calibrator_ is not None
    assert fitted.baseline_.season == 7
    assert fitted.data_["validation_start"] == "2016-06-24"
    assert set(fitted.history_) >= {"loss", "val_loss"}


def test_evaluate_scores_model_and_baseline_on_the_backtest(fitted, frames):
    backtest = fitted.backtest(frames["history"], stride=3)
    assert backtest["forecast_origin"].min() == pd.Timestamp("2016-07-14")
    table = fitted.evaluate(backtest)
    overall = table[table["horizon_step"] == "all"].set_index("forecast")
    for name in ("mae", "mase", "mean_quantile_loss", "coverage@80%"):
        assert np.isfinite(overall.loc["model", name])
        assert np.isfinite(overall.loc["seasonal_naive", name])
    assert (table["horizon_step"] != "all").sum() == 2 * HORIZON


def test_save_and_load_predict_the_same_numbers(fitted, frames, tmp_path):
    path = fitted.save(tmp_path / "run")
    assert {p.name for p in path.iterdir()} == {
        "model.keras", "dataset.json", "baseline.json", "calibration.json",
        "run.json",
    }  # fmt: skip
    loaded = Forecaster.load(path)
    expected = fitted.predict(frames["future"])
    pd.testing.assert_frame_equal(loaded.predict(frames["future"]), expected)
    assert loaded.get_config() == fitted.get_config()
    with pytest.raises(ValueError, match="not empty"):
        fitted.save(path)
    fitted.save(path, overwrite=True)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    with pytest.raises(FileNotFoundError, match="missing"):
        Forecaster.load(tmp_path)


LOAD_AND_PREDICT = """
import sys
import pandas as pd
from base_attentive import Forecaster
frame = pd.read_csv(sys.argv[2], parse_dates=["date"])
Forecaster.load(sys.argv[1]).predict(frame).to_csv(sys.argv[3], index=False)
"""


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_a_saved_forecaster_predicts_the_same_on_another_backend(
    fitted, frames, tmp_path, backend
):
    path = fitted.save(tmp_path / "run")
    data = tmp_path / "future.csv"
    frames["future"].to_csv(data, index=False)
    out = tmp_path / f"{backend}.csv"
    env = {k: v for k, v in os.environ.items() if k != "BASE_ATTENTIVE_BACKEND"}
    subprocess.run(
        [sys.executable, "-c", LOAD_AND_PREDICT, str(path), str(data), str(out)],
        env={**env, "KERAS_BACKEND": backend},
        check=True,
        capture_output=True,
        timeout=300,
    )
    other = pd.read_csv(out)
    here = fitted.predict(frames["future"])
    for column in ("q0.1", "q0.5", "q0.9"):
        np.testing.assert_allclose(other[column], here[column], atol=1e-4, rtol=1e-4)


def test_backtest_with_refit_never_trains_on_what_it_forecasts(frames, monkeypatch):
    seen = []
    fit = Forecaster.fit

    def recording_fit(self, frame, *args, **kwargs):
        seen.append(pd.to_datetime(frame["date"]).max())
        return fit(self, frame, *args, **kwargs)

    monkeypatch.setattr(Forecaster, "fit", recording_fit)
    forecaster = make_forecaster(training={**FAST, "calibrate": False})
    backtest = forecaster.backtest(
        frames["history"], start="2016-07-24", stride=7, refit=2
    )
    origins = backtest.groupby("fold")["forecast_origin"].agg(["min", "max"])
    # Three origins (07-24, 07-31, 08-07), refit every 2 origins: 2 folds.
    assert list(origins["min"]) == list(pd.to_datetime(["2016-07-24", "2016-08-07"]))
    assert seen == list(origins["min"])
    assert not forecaster.is_fitted  # the folds train copies
    table = forecaster.evaluate(backtest)
    assert np.isfinite(table["mase"]).all()


def test_target_scaler_chooses_the_statistics_of_each_window(frames):
    forecaster = make_forecaster(scaling="window", target_scaler="robust")
    assert forecaster.get_config()["target_scaler"] == "robust"
    data = forecaster.prepare_data(frames["train"], validation=21)
    assert data.dataset.spec.target_scaler == "robust"
    arrays = data.train.arrays
    starts = data.train.starts[:5]
    loc, _ = arrays.window_stats(starts)
    lookback = arrays.model_target[starts[:, None] + np.arange(LOOKBACK)]
    np.testing.assert_allclose(loc, np.median(lookback, axis=1))
    with pytest.raises(ValueError, match="target_scaler"):
        make_forecaster(scaling="window", target_scaler="none")


def test_explain_names_every_variable_and_each_group_sums_to_one(fitted, frames):
    explanation = fitted.explain(frames["future"])
    importance = explanation["variable_importance"]
    sums = importance.groupby("group")["importance"].sum()
    np.testing.assert_allclose(sums, 1.0, atol=1e-5)
    future = importance[importance["group"] == "future"]["variable"].tolist()
    assert future[0] == "Cubs_Home" and "day_of_week_sin" in future
    assert set(explanation["attention"]) == {"cross", "hierarchical", "memory"}
    assert len(explanation["windows"]) == len(STATIONS)


def test_plot_forecast_draws_a_fan_chart(fitted, frames, tmp_path):
    from PIL import Image

    path = tmp_path / "fan.png"
    fitted.plot_forecast(frames["future"], "Clark_Lake", path=path)
    with Image.open(path) as image:
        assert image.format == "PNG" and min(image.size) > 100
    with pytest.raises(ValueError, match="not in the forecasts"):
        fitted.plot_forecast(frames["future"], "Nowhere")


def test_bad_arguments_and_order_of_calls_are_clear_errors(frames):
    with pytest.raises(ValueError, match="must include 0.5"):
        make_forecaster(quantiles=[0.1, 0.9])
    with pytest.raises(ValueError, match=r"must not set \['forecast_horizon'\]"):
        make_forecaster(model={"forecast_horizon": 3})
    with pytest.raises(ValueError, match="Unknown training setting"):
        make_forecaster(training={"epoch": 3})
    with pytest.raises(ValueError, match="two roles"):
        make_forecaster(past=["temp", "Cubs_Home"])
    with pytest.raises(ValueError, match="not fitted"):
        make_forecaster().predict(frames["future"])
    with pytest.raises(ValueError, match="no column"):
        make_forecaster(static=["line"]).fit(frames["train"], verbose=0)


def test_log1p_targets_forecast_in_original_units(frames, tmp_path):
    forecaster = make_forecaster(target_transform="log1p", scaling="window").fit(
        frames["train"], validation=21, verbose=0
    )
    forecasts = forecaster.predict(frames["future"])
    assert (forecasts["q0.1"] <= forecasts["q0.5"]).all()
    assert (forecasts["q0.5"] <= forecasts["q0.9"]).all()
    # Original units (thousands of rides), each station at its own level:
    # Clark/Lake carries several times Austin's riders.
    medians = forecasts.groupby("station")["q0.5"].mean()
    assert medians["Clark_Lake"] > 3 * medians["Austin"] > 0
    loaded = Forecaster.load(forecaster.save(tmp_path / "run"))
    assert loaded.get_config()["target_transform"] == "log1p"
    pd.testing.assert_frame_equal(loaded.predict(frames["future"]), forecasts)
    negative = frames["train"].copy()
    negative.loc[negative.index[3], "rides"] = -1.0
    with pytest.raises(ValueError, match="'rides' holds 1 negative"):
        make_forecaster(target_transform="log1p").fit(negative, verbose=0)


def test_the_run_json_records_the_forecaster_and_the_backend(fitted, tmp_path):
    path = fitted.save(tmp_path / "run")
    run = json.loads((path / "run.json").read_text())
    assert run["backend"] == CURRENT_BACKEND
    assert run["forecaster"]["model"]["embed_dim"] == 4
    assert run["training"]["stopped_by"] in ("epochs", "early stopping")


# -- missing values kept as missing (missing="mask") --------------------------


def with_holes(frame):
    """Austin's rides missing 2016-06-10..19 (longer than the horizon) and
    07-20..22; Clark/Lake's rows of 2016-05-02..04 absent; one NaN temp."""
    frame = frame.copy()
    austin = frame["station"] == "Austin"
    dates = frame["date"]
    frame.loc[austin & dates.between("2016-06-10", "2016-06-19"), "rides"] = np.nan
    frame.loc[austin & dates.between("2016-07-20", "2016-07-22"), "rides"] = np.nan
    frame.loc[austin & (dates == "2016-04-01"), "temp"] = np.nan
    gap = (frame["station"] == "Clark_Lake") & dates.between("2016-05-02", "2016-05-04")
    return frame[~gap].reset_index(drop=True)


@pytest.fixture(scope="module")
def masked(frames):
    holes = {name: with_holes(frame) for name, frame in frames.items()}
    forecaster = make_forecaster(missing="mask").fit(
        holes["train"], validation=21, verbose=0
    )
    return forecaster, holes


def test_by_default_a_missing_value_names_its_series_column_and_time(frames):
    austin = frames["train"]["station"] == "Austin"
    holes = austin & frames["train"]["date"].between("2016-06-10", "2016-06-19")
    rides = frames["train"]["rides"].mask(holes)
    with pytest.raises(
        ValueError,
        match=r"'rides': 10 NaN in series 'Austin', first at 'Austin' 2016-06-10",
    ) as error:
        make_forecaster().fit(frames["train"].assign(rides=rides))
    assert "missing='mask'" in str(error.value)


def test_masked_fit_drops_windows_without_an_observed_horizon(masked):
    forecaster, _ = masked
    # Austin's 7-step horizons inside its 10 missing days start on 06-10..13.
    assert forecaster.data_["unobserved_windows"] == {"train": 4, "validation": 0}
    assert forecaster.data_["observed_indicators"] == ["rides", "temp", "Cubs_Home"]
    assert forecaster.training_["calibration"]["applied"] is True
    assert np.isfinite(forecaster.history_["loss"]).all()


def test_masked_forecasts_never_hold_nan(masked):
    forecaster, holes = masked
    forecasts = forecaster.predict(holes["future"])
    assert len(forecasts) == len(STATIONS) * HORIZON
    quantiles = forecasts[["q0.1", "q0.5", "q0.9"]].to_numpy()
    assert np.isfinite(quantiles).all()
    assert (forecasts["forecast_origin"] == pd.Timestamp("2016-08-14")).all()


def test_masked_backtest_scores_only_the_observed_actuals(masked):
    forecaster, holes = masked
    backtest = forecaster.backtest(holes["history"], stride=2)
    missing = backtest["actual"].isna()
    assert missing.any() and not missing.all()
    assert set(backtest.loc[missing, "date"].dt.strftime("%m-%d")) <= {
        "07-20", "07-21", "07-22",
    }  # fmt: skip
    assert np.isfinite(backtest[["q0.1", "q0.5", "q0.9"]].to_numpy()).all()
    table = forecaster.evaluate(backtest)
    overall = table[table["horizon_step"] == "all"].set_index("forecast")
    for name in ("mae", "mase", "mean_quantile_loss", "coverage@80%"):
        assert np.isfinite(overall.loc["model", name])
    observed = backtest[~missing]
    mae = (observed["actual"] - observed["q0.5"]).abs().mean()
    assert overall.loc["model", "mae"] == pytest.approx(mae)
