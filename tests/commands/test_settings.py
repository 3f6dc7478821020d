"""Settings of `train`: command line > config file > bundled preset >
defaults, with errors naming the option."""

import argparse
import json
import re

import pytest

from base_attentive.commands import settings, values


def _args(config=None, **given):
    namespace = argparse.Namespace(config=config)
    for key in settings.SETTINGS:
        setattr(namespace, key, given.get(key))
    return namespace


def test_no_data_uses_the_bundled_preset_with_the_documented_defaults():
    resolved = settings.resolve(_args())
    assert resolved["data"] == settings.BUNDLED
    assert resolved["lookback"] == 56 and resolved["horizon"] == 14
    assert resolved["quantiles"] == [0.1, 0.5, 0.9]
    assert resolved["test"] == 365 and resolved["validation"] == 112
    assert resolved["target"] == ["rides"] and resolved["static"] == ["station"]
    assert resolved["past"] == [] and "Cubs_Home" in resolved["future"]
    assert resolved["ensemble"] == 4 and resolved["min_epochs"] == 8
    assert resolved["ensemble_tolerance"] == 0.2 and resolved["time_limit"] == 8.0
    assert resolved["calendar"] == [
        "day_of_week",
        "month",
        "holiday_proximity",
        "holiday_name",
        "holiday_neighbours",
    ]


def test_command_line_beats_config_file_beats_defaults(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text(
        'data = "sales.csv"\ntime_col = "day"\ntarget = ["units"]\n'
        "lookback = 21\nhorizon = 7\nepochs = 3\n"
    )
    resolved = settings.resolve(_args(config=config, lookback="28"))
    assert resolved["data"] == str(tmp_path / "sales.csv")  # relative to config
    assert resolved["lookback"] == 28 and resolved["horizon"] == 7
    assert resolved["epochs"] == 3 and resolved["target"] == ["units"]
    assert resolved["past"] == [] and resolved["test"] == 0.2  # generic defaults


def test_json_config_and_comma_separated_lists(tmp_path):
    config = tmp_path / "run.json"
    config.write_text(json.dumps({"data": "/d.csv", "time_col": "t", "target": "y"}))
    resolved = settings.resolve(_args(config=config, past="a, b", quantiles="0.5"))
    assert resolved["past"] == ["a", "b"] and resolved["quantiles"] == [0.5]


@pytest.mark.parametrize(
    "given, message",
    [
        ({"data": "x.csv"}, "--time-col is required with --data x.csv"),
        ({"horizon": "-3"}, "--horizon must be an integer >= 1. Received: '-3'"),
        ({"quantiles": "0.9,0.5"}, "--quantiles must be strictly increasing"),
        ({"calendar": "weekday"}, "--calendar must be 'auto', 'none' or names"),
        ({"test": "yesterday-ish"}, "--test must be a date such as 2015-01-01"),
        ({"season": "60"}, "--season must not exceed --lookback"),
        ({"dropout_rate": "1"}, "--dropout-rate must be a number in [0, 1)"),
        ({"calibrate": "maybe"}, "--calibrate must be yes or no. Received: 'maybe'"),
        ({"scaling": "global"}, "--scaling must be one of ['series', 'window']"),
        (
            {"seasonal_lags": "7,x"},
            "--seasonal-lags must be comma-separated positive integers, or 'none'",
        ),
        ({"seasonal_lags": "7,7"}, "--seasonal-lags must not repeat a number"),
        ({"schedule": "step"}, "--schedule must be one of ['plateau', 'cosine']"),
        ({"holiday_lag": "0"}, "--holiday-lag must be an integer >= 1, or 'none'"),
        (
            {"ensemble_tolerance": "-0.1"},
            "--ensemble-tolerance must be a number in [0, 1e+06), or 'none'",
        ),
        (
            {"seasonal_lags": "7", "holiday_lag": "364"},
            "--holiday-lag 364 must be one of --seasonal-lags",
        ),
        (
            {"static_one_hot_max": "-1"},
            "--static-one-hot-max must be an integer >= 0",
        ),
        (
            {"target_transform": "log"},
            "--target-transform must be one of ['none', 'log1p']",
        ),
    ],
)
def test_bad_values_name_the_option_and_the_value(given, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        settings.resolve(_args(**given))


def test_seasonal_lags_from_the_command_line_and_a_config_file(tmp_path):
    assert settings.resolve(_args(seasonal_lags="7, 364"))["seasonal_lags"] == [7, 364]
    # The bundled run aligns the yearly lag on holidays: without that lag,
    # --holiday-lag none says so.
    no_lags = settings.resolve(_args(seasonal_lags="none", holiday_lag="none"))
    assert no_lags["seasonal_lags"] == []
    config = tmp_path / "run.toml"
    config.write_text('seasonal_lags = [7]\nscaling = "window"\nholiday_lag = "none"\n')
    resolved = settings.resolve(_args(config=config))
    assert resolved["seasonal_lags"] == [7] and resolved["scaling"] == "window"


def test_holiday_lag_none_turns_off_what_a_preset_sets(tmp_path):
    assert settings.resolve(_args(holiday_lag="364"))["holiday_lag"] == 364
    assert settings.resolve(_args(holiday_lag="none"))["holiday_lag"] is None
    resolved = settings.resolve(_args(seasonal_lags="7", holiday_lag="none"))
    assert resolved["seasonal_lags"] == [7] and resolved["holiday_lag"] is None
    config = tmp_path / "run.toml"
    config.write_text('holiday_lag = "none"\n')
    assert settings.resolve(_args(config=config))["holiday_lag"] is None


def test_target_transform_reaches_the_forecaster():
    from base_attentive.commands.tables import forecaster_arguments

    arguments = forecaster_arguments(settings.resolve(_args(target_transform="log1p")))
    assert arguments["target_transform"] == "log1p"


def test_target_scaler_reaches_the_forecaster_and_is_checked():
    from base_attentive.commands.tables import forecaster_arguments

    assert (
        forecaster_arguments(settings.resolve(_args()))["target_scaler"] == "standard"
    )
    robust = forecaster_arguments(settings.resolve(_args(target_scaler="robust")))
    assert robust["target_scaler"] == "robust"
    with pytest.raises(ValueError, match="--target-scaler must be one of"):
        settings.resolve(_args(target_scaler="minmax"))


def test_static_one_hot_max_reaches_the_forecaster():
    from base_attentive.commands.tables import forecaster_arguments

    default = forecaster_arguments(settings.resolve(_args()))
    assert default["static_one_hot_max"] == 64
    embedded = forecaster_arguments(settings.resolve(_args(static_one_hot_max="0")))
    assert embedded["static_one_hot_max"] == 0


def test_config_file_problems_are_user_errors(tmp_path):
    unknown = tmp_path / "bad.toml"
    unknown.write_text("lookbak = 3\n")
    with pytest.raises(ValueError, match=r"unknown setting\(s\) \['lookbak'\]"):
        settings.resolve(_args(config=unknown))
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ValueError, match="not valid json"):
        settings.resolve(_args(config=broken))
    with pytest.raises(FileNotFoundError, match="--config .*: no such file"):
        settings.resolve(_args(config=tmp_path / "missing.toml"))
    wrong_value = tmp_path / "value.toml"
    wrong_value.write_text("lookback = 2.5\n")
    with pytest.raises(ValueError, match="`lookback` in .*value.toml must be an int"):
        settings.resolve(_args(config=wrong_value))


@pytest.mark.parametrize(
    "text, expected",
    [("0.2", 0.2), ("365", 365), ("2015-08-16", "2015-08-16 00:00:00"), (30, 30)],
)
def test_split_boundaries_are_fractions_steps_or_dates(text, expected):
    assert values.boundary(text) == expected


def test_ensemble_tolerance_none_keeps_every_model_of_the_bundled_run():
    assert settings.resolve(_args())["ensemble_tolerance"] == 0.2
    assert (
        settings.resolve(_args(ensemble_tolerance="0.5"))["ensemble_tolerance"] == 0.5
    )
    resolved = settings.resolve(_args(ensemble_tolerance="none"))
    assert resolved["ensemble_tolerance"] is None
