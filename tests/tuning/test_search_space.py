"""`SearchSpace`: what a trial may draw, the default space, and the errors
a user gets for a bad space (no training here)."""

import itertools

import optuna
import pytest

from base_attentive.training import DEFAULT_MODEL
from base_attentive.tuning import SearchSpace, default_search_space
from base_attentive.tuning.search_space import TRAINING_PARAMETERS


def test_default_space_searches_the_documented_settings():
    space = default_search_space(56)
    assert space["lookback"] == [28, 56, 112]
    assert {
        "embed_dim", "hidden_units", "lstm_units", "attention_units", "num_heads",
        "dropout_rate", "learning_rate", "objective", "attention_levels",
    } <= set(space)  # fmt: skip
    assert space["objective"] == ["hybrid", "transformer"]
    assert space["learning_rate"]["log"] is True
    assert default_search_space(1)["lookback"] == [1, 2]


def test_every_default_width_combination_is_a_valid_model():
    """The attention widths must be even and divisible by the head count
    (and embed_dim too for the transformer): true of every default pair,
    and the tightest one builds."""
    from base_attentive.models import BaseAttentive

    space = default_search_space(56)
    widths = space["embed_dim"] + space["attention_units"]
    for width, heads in itertools.product(widths, space["num_heads"]):
        assert width % heads == 0 and width % 2 == 0, (width, heads)
    for objective in space["objective"]:
        BaseAttentive(
            static_input_dim=1, dynamic_input_dim=1, future_input_dim=1,
            quantiles=[0.1, 0.5, 0.9],
            **{**DEFAULT_MODEL, "embed_dim": min(space["embed_dim"]),
               "attention_units": min(space["attention_units"]),
               "num_heads": max(space["num_heads"]), "objective": objective},
        )  # fmt: skip


def test_suggest_draws_within_the_space_and_decodes_list_choices():
    space = SearchSpace(
        {
            "lookback": [7, 14],
            "num_encoder_layers": {"low": 1, "high": 3},
            "dropout_rate": {"low": 0.0, "high": 0.3},
            "attention_levels": [["cross"], ["cross", "memory"]],
        }
    )
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    drawn = []
    for _ in range(12):
        trial = study.ask()
        params = space.suggest(trial)
        drawn.append(params)
        study.tell(trial, 0.0)
        assert params["lookback"] in (7, 14)
        assert params["num_encoder_layers"] in (1, 2, 3)
        assert isinstance(params["num_encoder_layers"], int)
        assert 0.0 <= params["dropout_rate"] <= 0.3
        assert params["attention_levels"] in (["cross"], ["cross", "memory"])
        # What Optuna stores decodes back to the drawn configuration.
        assert space.decode(study.trials[-1].params) == params
    assert {tuple(p["attention_levels"]) for p in drawn} == {
        ("cross",),
        ("cross", "memory"),
    }


def test_apply_puts_each_setting_where_the_forecaster_reads_it():
    config = {"lookback": 56, "model": {"embed_dim": 16}, "training": {"epochs": 3}}
    applied = SearchSpace.apply(
        config,
        {"lookback": 28, "embed_dim": 8, "learning_rate": 0.01, "batch_size": 32},
    )
    assert applied["lookback"] == 28
    assert applied["model"] == {"embed_dim": 8}
    assert applied["training"] == {"epochs": 3, "learning_rate": 0.01, "batch_size": 32}
    assert config["model"] == {"embed_dim": 16}  # not modified in place
    assert set(TRAINING_PARAMETERS) == {"learning_rate", "batch_size"}


def test_max_lookback_is_the_longest_a_trial_may_draw():
    assert SearchSpace({"lookback": [7, 28, 14]}).max_lookback(default=5) == 28
    assert SearchSpace({"lookback": {"low": 7, "high": 30}}).max_lookback(5) == 30
    assert SearchSpace({"embed_dim": [8]}).max_lookback(default=5) == 5


def test_to_dict_round_trips():
    given = {
        "lookback": [7, 14],
        "learning_rate": {"low": 0.001, "high": 0.01, "log": True},
        "dropout_rate": {"low": 0.0, "high": 0.3, "step": 0.1},
        "attention_levels": [["cross"], ["cross", "memory"]],
    }
    assert SearchSpace(given).to_dict() == given
    assert SearchSpace(SearchSpace(given).to_dict()).to_dict() == given


@pytest.mark.parametrize(
    ("space", "error", "match"),
    [
        ({}, TypeError, "non-empty dict"),
        ({"embed_dim": []}, ValueError, "`embed_dim`: the list of choices is empty"),
        ({"embed_dim": [8, 8]}, ValueError, "repeat a value"),
        ({"embed_dim": 8}, TypeError, "`embed_dim` must be a list of choices"),
        ({"dropout_rate": {"low": 0.3, "high": 0.1}}, ValueError, "low < high"),
        ({"dropout_rate": {"low": 0.0}}, ValueError, "needs `low` and `high`"),
        ({"learning_rate": {"low": 0.0, "high": 0.1, "log": True}}, ValueError,
         "log range needs low > 0"),
        ({"lookback": [7.5, 14]}, ValueError, "`lookback` must draw integers >= 1"),
        ({"lookback": {"low": 0, "high": 14}}, ValueError, "integers >= 1"),
        ({"scales": [[1, {"a": 2}]]}, TypeError, "a choice must be"),
    ],
)  # fmt: skip
def test_bad_spaces_name_the_setting_and_the_problem(space, error, match):
    with pytest.raises(error, match=match):
        SearchSpace(space)


def test_unknown_setting_names_are_listed_with_the_known_ones():
    space = SearchSpace({"embed_dim": [8], "hiden_units": [4]})
    with pytest.raises(ValueError, match=r"unknown settings \['hiden_units'\]"):
        space.check_names(["embed_dim", "hidden_units"])
    space.check_names(["embed_dim", "hiden_units"])  # known: no error
