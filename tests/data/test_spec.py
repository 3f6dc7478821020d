import pytest

from base_attentive.data import DatasetSpec


def _spec(**changes):
    config = dict(
        time_column="time", target_columns="y", lookback=4, forecast_horizon=2
    )
    config.update(changes)
    return DatasetSpec(**config)


def test_single_column_names_become_tuples():
    spec = _spec(past_columns="temp", future_columns=["promo", "price"])
    assert spec.target_columns == ("y",)
    assert spec.past_columns == ("temp",)
    assert spec.future_columns == ("promo", "price")


@pytest.mark.parametrize("name", ["lookback", "forecast_horizon"])
@pytest.mark.parametrize("value", [0, -3, 2.5, True])
def test_window_lengths_must_be_positive_integers(name, value):
    with pytest.raises(ValueError, match=f"`{name}` must be a positive integer"):
        _spec(**{name: value})


def test_a_column_cannot_have_two_roles():
    with pytest.raises(ValueError, match="'temp' is given two roles"):
        _spec(past_columns="temp", future_columns="temp")


def test_id_column_may_also_be_categorical():
    spec = _spec(id_column="shop", categorical_columns="shop")
    assert spec.categorical_columns == ("shop",)


def test_target_columns_are_required():
    with pytest.raises(ValueError, match="at least one column"):
        _spec(target_columns=[])


@pytest.mark.parametrize(
    "field, value",
    [
        ("mode", "seq2seq"),
        ("target_scaler", "minmax"),
        ("covariate_scaler", "log"),
        ("fill_missing", "mean"),
    ],
)
def test_unknown_choices_name_the_argument(field, value):
    with pytest.raises(ValueError, match=f"`{field}` must be one of .*{value}"):
        _spec(**{field: value})


def test_unknown_calendar_feature_is_rejected():
    with pytest.raises(ValueError, match="week_of_moon"):
        _spec(calendar_features=["week_of_moon"])


def test_fill_gaps_needs_a_fill_policy():
    with pytest.raises(ValueError, match="fill_gaps=True"):
        _spec(fill_gaps=True)


def test_column_names_must_be_strings():
    with pytest.raises(TypeError, match="past_columns"):
        _spec(past_columns=[1, 2])


def test_dict_round_trip_rebuilds_an_equal_spec():
    spec = _spec(
        id_column="shop",
        past_columns=["temp"],
        calendar_features=["month"],
        mode="tft",
        fill_missing="ffill",
    )
    assert DatasetSpec.from_dict(spec.to_dict()) == spec


def test_from_dict_rejects_unknown_fields():
    config = _spec().to_dict()
    config["horizon"] = 3
    with pytest.raises(ValueError, match=r"Unknown DatasetSpec fields \['horizon'\]"):
        DatasetSpec.from_dict(config)


def test_columns_lists_every_column_read_once():
    spec = _spec(id_column="shop", categorical_columns="shop", past_columns="temp")
    assert spec.columns == ["time", "shop", "y", "temp"]


def test_holiday_country_must_be_a_code():
    with pytest.raises(TypeError, match="holiday_country=None"):
        _spec(holiday_country=None)
