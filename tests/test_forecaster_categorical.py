"""`Forecaster` with categorical covariates in every role and a series left
out of training (`scaling="window"`): one tiny model fitted per module. The
static store (3 values) is one-hot (`static_one_hot_max`); the past and
future categories are embedded."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from base_attentive import Forecaster

TINY = {
    "embed_dim": 4, "hidden_units": 4, "lstm_units": 4, "attention_units": 4,
    "num_heads": 1, "memory_size": 4,
}  # fmt: skip
FAST = {"epochs": 1, "steps_per_epoch": 2, "batch_size": 64, "calibrate": False}
DAYS, HORIZON = 100, 7
STORES = {"a": 10.0, "b": 20.0, "c": 40.0, "d": 80.0}  # d: left out of training


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(0)
    dates = pd.date_range("2024-01-01", periods=DAYS + HORIZON, freq="D")
    parts = []
    for store, level in STORES.items():
        weather = rng.choice(["rain", "snow", "sun"], size=len(dates))
        promo = rng.integers(0, 3, size=len(dates))  # a code: 0, 1, 2
        sales = level * (1 + 0.2 * (weather == "sun") + 0.3 * (promo == 2))
        sales = sales + rng.normal(0, 0.5, len(dates))
        sales[DAYS:] = np.nan  # the horizon: promotions known, sales not
        weather = weather.astype(object)
        weather[DAYS:] = None  # observed only up to the forecast origin
        parts.append(
            pd.DataFrame(
                {
                    "date": dates,
                    "store": store,
                    "sales": sales,
                    "weather": weather,
                    "promo": promo,
                }
            )  # fmt: skip
        )
    future = pd.concat(parts, ignore_index=True)
    history = future[future["date"] < dates[DAYS]]
    return {"future": future, "train": history[history["store"] != "d"]}


def make_forecaster(**changes):
    arguments = dict(
        target="sales", time_col="date", id_col="store", lookback=14,
        horizon=HORIZON, static=["store"], past=["weather"], future=["promo"],
        categorical=["promo"], scaling="window", calendar=["day_of_week"],
        model=TINY, training=FAST,
    )  # fmt: skip
    return Forecaster(**{**arguments, **changes})


@pytest.fixture(scope="module")
def fitted(frames):
    # Category dropout trains the unknown codes of the embedded categories
    # and the all-zero encoding of the one-hot store (which store d reads).
    model = {**TINY, "category_dropout": 0.2}
    return make_forecaster(model=model).fit(frames["train"], validation=14, verbose=0)


def test_each_categorical_variable_gets_a_vocabulary_and_an_encoding(fitted):
    dataset, model = fitted.dataset_, fitted.model_
    # `weather` holds text: a category without being named.
    assert dataset.spec.categorical_columns == ("store", "weather", "promo")
    assert dataset.vocabulary.values == {
        "store": ["a", "b", "c"],
        "weather": ["rain", "snow", "sun"],
        "promo": ["0", "1", "2"],
    }
    # Window stats, then the store one-hot: real features, no embedding.
    assert dataset.feature_names()["static"][2:] == ["store=a", "store=b", "store=c"]
    assert model.static_cardinalities is None
    # The three store columns are one block, dropped together in training.
    assert model.static_one_hot == [0, 0, 1, 1, 1]
    assert model.static_one_hot_dropout.groups == [0, 0, 1, 1, 1]
    assert model.dynamic_cardinalities == [0, 4]  # sales, weather
    assert model.future_cardinalities == [4, 0, 0]  # promo, day of week
    assert fitted.data_["categorical"] == ["store", "weather", "promo"]


def test_a_store_left_out_of_training_is_forecast(fitted, frames):
    forecasts = fitted.predict(frames["future"])
    assert sorted(forecasts["store"].unique()) == list(STORES)
    new = forecasts[forecasts["store"] == "d"]
    assert len(new) == HORIZON
    quantiles = new[["q0.1", "q0.5", "q0.9"]].to_numpy()
    assert np.isfinite(quantiles).all()
    assert (np.diff(quantiles, axis=1) >= 0).all()
    # Window scaling maps it back with its own lookback: around its level
    # (80), far from the trained stores' (10 to 40); the model is barely
    # trained, so only the order of magnitude is asked for.
    assert 40 < new["q0.5"].median() < 160


def test_explain_names_each_variable_and_each_one_hot_column(fitted, frames):
    importance = fitted.explain(frames["future"])["variable_importance"]
    variables = importance.groupby("group")["variable"].apply(list).to_dict()
    assert variables["static"] == [
        "sales_window_mean", "sales_window_log_std", "store=a", "store=b", "store=c"
    ]  # fmt: skip
    assert variables["dynamic"] == ["sales", "weather"]
    assert variables["future"] == ["promo", "day_of_week_sin", "day_of_week_cos"]
    sums = importance.groupby("group")["importance"].sum()
    np.testing.assert_allclose(sums, 1.0, atol=1e-5)


def test_saved_vocabularies_load_back_and_are_checked(fitted, frames, tmp_path):
    path = fitted.save(tmp_path / "run")
    loaded = Forecaster.load(path)
    assert loaded.model_.category_dropout == 0.2
    pd.testing.assert_frame_equal(
        loaded.predict(frames["future"]), fitted.predict(frames["future"])
    )
    dataset = json.loads((path / "dataset.json").read_text())
    dataset["vocabulary"]["values"]["weather"] = ["sun", "rain"]  # unsorted
    (path / "dataset.json").write_text(json.dumps(dataset))
    with pytest.raises(ValueError, match=r"dataset.json: key \"vocabulary.values"):
        Forecaster.load(path)


def test_categorical_arguments_are_checked(frames):
    with pytest.raises(ValueError, match=r"`categorical` names columns with no"):
        make_forecaster(categorical=["colour"])
    mixed = frames["train"].assign(weather=lambda f: f["weather"].where(
        f["date"].dt.day != 1, "12"
    ))  # fmt: skip
    with pytest.raises(TypeError, match="'weather' mixes numbers and text"):
        make_forecaster().fit(mixed, verbose=0)


def test_a_store_left_out_of_training_is_backtested_against_its_own_history(
    fitted, frames
):
    history = frames["future"].dropna(subset=["sales"])
    start = pd.Timestamp("2024-03-11")  # day 70
    backtest = fitted.backtest(history, start=start, stride=7)
    by_store = dict(list(backtest.groupby("store")))
    assert sorted(by_store) == ["a", "b", "c", "d"]
    d = by_store["d"].sort_values(["forecast_origin", "horizon_step"])
    # The seasonal-naive point of store d: its value one week before.
    sales = history[history["store"] == "d"].set_index("date")["sales"]
    week_before = d["date"] - pd.Timedelta(days=7)
    expected_median = sales[week_before].to_numpy() + np.median(
        sales.loc[:start].diff(7).dropna()
    )
    np.testing.assert_allclose(d["naive_q0.5"], expected_median, rtol=1e-6)
    # Its MASE scale: the mean absolute weekly difference up to the origin.
    own_scale = sales.loc[:start].diff(7).abs().mean()
    np.testing.assert_allclose(d["mase_scale"].unique(), [own_scale], rtol=1e-9)
    # Seen stores keep the scale fitted on the training period.
    fitted_a = fitted.baseline_.mase_scale[fitted.baseline_.series_ids.index("a")]
    np.testing.assert_array_equal(by_store["a"]["mase_scale"].unique(), fitted_a)
    scores = fitted.evaluate(backtest)
    assert np.isfinite(scores["mase"]).all()


def test_static_one_hot_max_zero_embeds_the_store_and_old_runs_load(frames, tmp_path):
    forecaster = make_forecaster(static_one_hot_max=0)
    forecaster.fit(frames["train"], validation=14, verbose=0)
    assert forecaster.model_.static_cardinalities == [0, 0, 4]  # a, b, c + unknown
    assert forecaster.dataset_.feature_names()["static"][2:] == ["store"]
    path = forecaster.save(tmp_path / "run")
    assert Forecaster.load(path).get_config() == forecaster.get_config()
    for name in ("run", "dataset"):  # as written before the option existed
        state = json.loads((path / f"{name}.json").read_text())
        spec = state["forecaster"] if name == "run" else state["spec"]
        del spec["static_one_hot_max"]
        (path / f"{name}.json").write_text(json.dumps(state))
    loaded = Forecaster.load(path)
    assert loaded.static_one_hot_max == 0
    assert loaded.dataset_.spec.static_one_hot_max == 0
    pd.testing.assert_frame_equal(
        loaded.predict(frames["future"]), forecaster.predict(frames["future"])
    )


def test_an_untrained_one_hot_encoding_is_warned_about(fitted, frames):
    # Without category dropout the all-zero store columns of store d were
    # never seen in training: predict and backtest say so, naming it.
    plain = make_forecaster().fit(frames["train"], validation=14, verbose=0)
    with pytest.warns(UserWarning, match=r"Series 'd' .* category 'store' not seen"):
        plain.predict(frames["future"])
    with pytest.warns(UserWarning, match="category_dropout"):
        history = frames["future"].dropna(subset=["sales"])
        plain.backtest(history, start=pd.Timestamp("2024-03-11"), stride=7)
    seen = frames["future"][frames["future"]["store"] != "d"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plain.predict(seen)  # only seen stores: nothing to warn about
        fitted.predict(frames["future"])  # trained with category dropout
    assert not [w for w in caught if "not seen in training" in str(w.message)]
