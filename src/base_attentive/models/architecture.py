"""Validation of BaseAttentive's constructor arguments.

Every check names the argument, what was expected and what was received.
"""

import numbers

import keras

from base_attentive.distributions import DISTRIBUTION_PARAMETERS
from base_attentive.layers.categorical_embedding import (
    validate_cardinalities,
    validate_unknown_rate,
)
from base_attentive.layers.one_hot_dropout import validate_one_hot_groups
from base_attentive.quantiles import validate_quantiles

OBJECTIVES = ("hybrid", "transformer")
ATTENTION_LEVELS = ("cross", "hierarchical", "memory")
MULTI_SCALE_AGGREGATIONS = ("last", "average", "sum", "concat")
FINAL_AGGREGATIONS = ("last", "average")
MODES = (None, "tft")
DISTRIBUTIONS = tuple(DISTRIBUTION_PARAMETERS)
# The constructor arguments of BaseAttentive, in signature order: each is an
# attribute of the model and a key of its config.
ARGUMENTS = (
    "static_input_dim",
    "dynamic_input_dim",
    "future_input_dim",
    "output_dim",
    "forecast_horizon",
    "quantiles",
    "embed_dim",
    "hidden_units",
    "lstm_units",
    "attention_units",
    "num_heads",
    "dropout_rate",
    "max_window_size",
    "memory_size",
    "scales",
    "multi_scale_agg",
    "final_agg",
    "activation",
    "use_residuals",
    "use_batch_norm",
    "use_vsn",
    "vsn_units",
    "num_encoder_layers",
    "mode",
    "objective",
    "attention_levels",
    "distribution",
    "static_cardinalities",
    "dynamic_cardinalities",
    "future_cardinalities",
    "category_dropout",
    "static_one_hot",
)


def _int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an int. Received: {name}={value!r}")
    if value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}. Received: {name}={value}")
    return int(value)


def _choice(name, value, choices):
    if value not in choices:
        raise ValueError(
            f"`{name}` must be one of {choices}. Received: {name}={value!r}"
        )
    return value


def _bool(name, value):
    if not isinstance(value, bool):
        raise TypeError(f"`{name}` must be True or False. Received: {name}={value!r}")
    return value


def validate_attention_levels(levels):
    """Returns the ordered list of attention levels (default: all three)."""
    if levels is None:
        return list(ATTENTION_LEVELS)
    if isinstance(levels, str):
        levels = [levels]
    levels = list(levels)
    for level in levels:
        _choice("attention_levels", level, ATTENTION_LEVELS)
    if len(set(levels)) != len(levels):
        raise ValueError(
            f"`attention_levels` must not repeat a level. Received: {levels}"
        )
    return levels


def validate_arguments(args):
    """Checks BaseAttentive's arguments; returns them with normalised values.

    Args:
        args: dict, every constructor argument of `BaseAttentive` by name.

    Returns:
        dict: the same keys; ints as ``int``, ``quantiles`` as a list of
        floats, ``attention_levels`` as a list (all three levels when None),
        ``scales`` as a list of ints (or None).
    """
    out = dict(args)
    out["static_input_dim"] = _int("static_input_dim", args["static_input_dim"], 0)
    out["dynamic_input_dim"] = _int("dynamic_input_dim", args["dynamic_input_dim"], 1)
    out["future_input_dim"] = _int("future_input_dim", args["future_input_dim"], 0)
    for name in (
        "output_dim",
        "forecast_horizon",
        "embed_dim",
        "hidden_units",
        "lstm_units",
        "attention_units",
        "num_heads",
        "memory_size",
        "num_encoder_layers",
    ):
        out[name] = _int(name, args[name], 1)
    if args["vsn_units"] is not None:
        out["vsn_units"] = _int("vsn_units", args["vsn_units"], 1)
    if args["max_window_size"] is not None:
        out["max_window_size"] = _int("max_window_size", args["max_window_size"], 1)
    rate = args["dropout_rate"]
    if not isinstance(rate, numbers.Real) or not 0.0 <= rate < 1.0:
        raise ValueError(
            f"`dropout_rate` must be a float in [0, 1). Received: dropout_rate={rate!r}"
        )
    out["category_dropout"] = validate_unknown_rate(
        args["category_dropout"], "category_dropout"
    )
    if args["attention_units"] % args["num_heads"]:
        raise ValueError(
            "`num_heads` must divide `attention_units`. Received: "
            f"num_heads={args['num_heads']}, attention_units={args['attention_units']}"
        )
    if args["attention_units"] % 2:
        raise ValueError(
            "`attention_units` must be even (sinusoidal positional encoding). "
            f"Received: attention_units={args['attention_units']}"
        )
    _choice("objective", args["objective"], OBJECTIVES)
    if args["objective"] == "transformer":
        if args["embed_dim"] % args["num_heads"]:
            raise ValueError(
                "`num_heads` must divide `embed_dim` for objective='transformer'. "
                f"Received: num_heads={args['num_heads']}, "
                f"embed_dim={args['embed_dim']}"
            )
        if args["embed_dim"] % 2:
            raise ValueError(
                "`embed_dim` must be even for objective='transformer' (sinusoidal "
                f"positional encoding). Received: embed_dim={args['embed_dim']}"
            )
    _choice("mode", args["mode"], MODES)
    _choice("multi_scale_agg", args["multi_scale_agg"], MULTI_SCALE_AGGREGATIONS)
    _choice("final_agg", args["final_agg"], FINAL_AGGREGATIONS)
    for name in ("use_residuals", "use_batch_norm", "use_vsn"):
        _bool(name, args[name])
    scales = args["scales"]
    if scales is not None:
        if isinstance(scales, (str, bytes)) or not hasattr(scales, "__iter__"):
            raise TypeError(f"`scales` must be a list of ints. Received: {scales!r}")
        scales = [_int("scales", s, 1) for s in scales]
        if not scales or len(set(scales)) != len(scales):
            raise ValueError(
                f"`scales` must be a non-empty list of distinct ints. Received: {scales}"
            )
        out["scales"] = scales
    out["attention_levels"] = validate_attention_levels(args["attention_levels"])
    if args["quantiles"] is not None:
        out["quantiles"] = validate_quantiles(args["quantiles"])
    if args["distribution"] is not None:
        _choice("distribution", args["distribution"], DISTRIBUTIONS)
        if out["quantiles"] is not None:
            raise ValueError(
                "`quantiles` and `distribution` are mutually exclusive: a model has "
                f"one head. Received: quantiles={out['quantiles']}, "
                f"distribution={args['distribution']!r}"
            )
    for part in ("static", "dynamic", "future"):
        name = f"{part}_cardinalities"
        if args[name] is not None:
            out[name] = validate_cardinalities(
                args[name], out[f"{part}_input_dim"], name
            )
    if args["static_one_hot"] is not None:
        out["static_one_hot"] = validate_one_hot_groups(
            args["static_one_hot"], out["static_input_dim"], "static_one_hot"
        )
        shared = [
            i
            for i, (group, codes) in enumerate(
                zip(
                    out["static_one_hot"],
                    out["static_cardinalities"] or [],
                    strict=False,
                )
            )
            if group and codes
        ]
        if shared:
            raise ValueError(
                "`static_one_hot` marks one-hot columns, which are real "
                "variables: their `static_cardinalities` must be 0. Received: "
                f"both set for static variables {shared}"
            )
    try:
        keras.activations.get(args["activation"])
    except ValueError as error:
        raise ValueError(
            "`activation` must be a Keras activation name. Received: "
            f"activation={args['activation']!r}"
        ) from error
    return out
