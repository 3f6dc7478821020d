"""`SearchSpace`: the settings a tuning trial draws, and from what.

A search space maps a setting's name to what a trial may draw for it:

- a list: one of these values (categorical), e.g. `"objective":
  ["hybrid", "transformer"]`. A value may itself be a list of names or
  numbers (`"attention_levels": [["cross"], ["cross", "memory"]]`);
- a dict `{"low": a, "high": b}` (with optional `"log": true` and
  `"step"`): a number in `[a, b]`, an integer when `low`, `high` (and
  `step`) are integers, else a float.

Names: `lookback` (the Forecaster's), `learning_rate` and `batch_size` (of
the training recipe, `TRAINING_PARAMETERS`), or any `BaseAttentive`
argument that the data and the Forecaster do not decide (`embed_dim`,
`num_heads`, `objective`, `attention_levels`, ...). A setting the space
leaves out keeps the Forecaster's value. The same mapping can come from a
JSON or TOML file (`base-attentive tune --search-space FILE`), e.g. in
TOML:

```toml
lookback = [28, 56, 112]
num_heads = [1, 2, 4]
learning_rate = { low = 0.0003, high = 0.01, log = true }
attention_levels = [["cross", "hierarchical", "memory"], ["cross"]]
```

`default_search_space(lookback)` is the space used when none is given.

Importing this module imports neither Keras nor Optuna.
"""

from __future__ import annotations

import numbers

__all__ = ["TRAINING_PARAMETERS", "SearchSpace", "default_search_space"]

# Training settings a search space may draw (the others are budgets).
TRAINING_PARAMETERS = ("learning_rate", "batch_size")
# Widths of the default space; every head count divides every width, so
# every combination is a valid model for both encoders.
_WIDTHS = {
    "embed_dim": [8, 16, 32],
    "hidden_units": [16, 32, 64],
    "lstm_units": [16, 32, 64],
    "attention_units": [8, 16, 32],
    "num_heads": [1, 2, 4],
}
_RANGE_KEYS = ("low", "high", "log", "step")


def default_search_space(lookback):
    """The default search space, around a Forecaster's `lookback`.

    - `lookback`: half, once and twice the Forecaster's (`lookback // 2`,
      `lookback`, `2 * lookback`; the half only when it is at least 1 and
      differs);
    - widths: `embed_dim` 8/16/32, `hidden_units` 16/32/64, `lstm_units`
      16/32/64, `attention_units` 8/16/32, `num_heads` 1/2/4;
    - `dropout_rate` in [0, 0.3];
    - `learning_rate` in [3e-4, 1e-2], log-uniform;
    - `objective` (the encoder): hybrid or transformer;
    - `attention_levels`: all three in the model's order, cross + memory,
      cross + hierarchical, or cross alone.

    Args:
        lookback: the Forecaster's lookback (int >= 1).

    Returns:
        dict, a search space (see the module docstring).
    """
    lookbacks = sorted({max(1, lookback // 2), lookback, 2 * lookback})
    return {
        "lookback": lookbacks,
        **{name: list(values) for name, values in _WIDTHS.items()},
        "dropout_rate": {"low": 0.0, "high": 0.3},
        "learning_rate": {"low": 3e-4, "high": 1e-2, "log": True},
        "objective": ["hybrid", "transformer"],
        "attention_levels": [
            ["cross", "hierarchical", "memory"],
            ["cross", "memory"],
            ["cross", "hierarchical"],
            ["cross"],
        ],
    }


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _label(value):
    """The Optuna choice of a categorical value: the value itself, or its
    items joined by "+" for a list (Optuna's choices are scalars)."""
    if isinstance(value, list | tuple):
        return "+".join(str(item) for item in value)
    return value


def _check_choice(name, value):
    scalar = value is None or isinstance(value, str | bool | int | float)
    items = isinstance(value, list | tuple) and all(
        isinstance(item, str | int) and not isinstance(item, bool) for item in value
    )
    if not (scalar or items):
        raise TypeError(
            f"Search space `{name}`: a choice must be a number, a string, a "
            f"bool, None or a list of names or integers. Received: {value!r}"
        )
    return list(value) if isinstance(value, list | tuple) else value


class SearchSpace:
    """What each tuning trial draws (see the module docstring).

    Args:
        space: dict name -> list of choices, or `{"low", "high"[, "log",
            "step"]}` range.

    Raises:
        ValueError / TypeError: naming the setting, the expectation and the
            value received.

    Example:

    >>> space = SearchSpace({"lookback": [28, 56], "dropout_rate": {"low": 0.0, "high": 0.3}})
    >>> space.max_lookback(default=56)
    56
    """

    def __init__(self, space):
        if not isinstance(space, dict) or not space:
            raise TypeError(
                "A search space must be a non-empty dict of setting name -> "
                f"choices or range. Received: {space!r}"
            )
        self._parameters = {}
        for name, spec in space.items():
            if not isinstance(name, str):
                raise TypeError(
                    f"Search space names must be strings. Received: {name!r}"
                )
            self._parameters[name] = self._parse(name, spec)
        lookback = self._parameters.get("lookback")
        if lookback is not None:
            values = lookback["values"] if lookback["kind"] == "choice" else None
            if lookback["kind"] == "float" or (
                values is not None and not all(_is_int(v) and v >= 1 for v in values)
            ):
                raise ValueError(
                    "Search space `lookback` must draw integers >= 1. Received: "
                    f"{space['lookback']!r}"
                )
            if lookback["kind"] == "int" and lookback["low"] < 1:
                raise ValueError(
                    "Search space `lookback` must draw integers >= 1. Received: "
                    f"low={lookback['low']}"
                )

    @staticmethod
    def _parse(name, spec):
        if isinstance(spec, list | tuple):
            if not spec:
                raise ValueError(
                    f"Search space `{name}`: the list of choices is empty."
                )
            values = [_check_choice(name, value) for value in spec]
            labels = [_label(value) for value in values]
            if len(set(map(repr, labels))) != len(labels):
                raise ValueError(
                    f"Search space `{name}`: the choices repeat a value. Received: "
                    f"{list(spec)!r}"
                )
            return {"kind": "choice", "values": values, "labels": labels}
        if not isinstance(spec, dict):
            raise TypeError(
                f"Search space `{name}` must be a list of choices or a dict "
                f'{{"low": ..., "high": ...}}. Received: {spec!r}'
            )
        unknown = sorted(set(spec) - set(_RANGE_KEYS))
        if unknown or "low" not in spec or "high" not in spec:
            raise ValueError(
                f"Search space `{name}`: a range needs `low` and `high` (and may "
                f"have `log`, `step`). Received keys: {sorted(spec)}"
            )
        low, high = spec["low"], spec["high"]
        log, step = spec.get("log", False), spec.get("step")
        if not (_is_number(low) and _is_number(high)) or not low < high:
            raise ValueError(
                f"Search space `{name}`: `low` and `high` must be numbers with "
                f"low < high. Received: low={low!r}, high={high!r}"
            )
        if not isinstance(log, bool):
            raise TypeError(
                f"Search space `{name}`: `log` must be true or false. Received: {log!r}"
            )
        if log and low <= 0:
            raise ValueError(
                f"Search space `{name}`: a log range needs low > 0. Received: low={low}"
            )
        if step is not None and (not _is_number(step) or step <= 0 or log):
            raise ValueError(
                f"Search space `{name}`: `step` must be a positive number, and "
                f"not combined with `log`. Received: step={step!r}, log={log}"
            )
        integer = _is_int(low) and _is_int(high) and (step is None or _is_int(step))
        return {
            "kind": "int" if integer else "float",
            "low": int(low) if integer else float(low),
            "high": int(high) if integer else float(high),
            "log": log,
            "step": step,
        }

    @property
    def names(self):
        """The settings the space draws, in order."""
        return list(self._parameters)

    def check_names(self, model_arguments):
        """Raises a `ValueError` for names that are neither `lookback`, a
        training parameter nor one of `model_arguments` (the BaseAttentive
        arguments a Forecaster passes)."""
        known = {"lookback", *TRAINING_PARAMETERS, *model_arguments}
        unknown = [name for name in self._parameters if name not in known]
        if unknown:
            raise ValueError(
                f"The search space names unknown settings {unknown}. Known: "
                f"'lookback', {list(TRAINING_PARAMETERS)} and the BaseAttentive "
                f"arguments {sorted(model_arguments)}."
            )

    def max_lookback(self, default):
        """The longest lookback a trial may draw (`default` if not drawn)."""
        spec = self._parameters.get("lookback")
        if spec is None:
            return default
        return max(spec["values"]) if spec["kind"] == "choice" else spec["high"]

    def suggest(self, trial):
        """Draws one configuration from an Optuna trial.

        Returns:
            dict name -> value (lists for list choices).
        """
        params = {}
        for name, spec in self._parameters.items():
            if spec["kind"] == "choice":
                label = trial.suggest_categorical(name, spec["labels"])
                params[name] = spec["values"][spec["labels"].index(label)]
            elif spec["kind"] == "int":
                params[name] = trial.suggest_int(
                    name, spec["low"], spec["high"], step=spec["step"] or 1,
                    log=spec["log"],
                )  # fmt: skip
            else:
                params[name] = trial.suggest_float(
                    name, spec["low"], spec["high"], step=spec["step"], log=spec["log"]
                )
        return params

    def decode(self, params):
        """A finished trial's `params` (Optuna's values) as configuration
        values: list choices back from their labels."""
        values = {}
        for name, value in params.items():
            spec = self._parameters.get(name)
            if (
                spec is not None
                and spec["kind"] == "choice"
                and value in spec["labels"]
            ):
                value = spec["values"][spec["labels"].index(value)]
            values[name] = value
        return values

    @staticmethod
    def apply(config, params):
        """A Forecaster configuration (`Forecaster.get_config()`) with the
        drawn `params` in place.

        Returns:
            a new dict; `Forecaster(**result)` builds the trial's Forecaster.
        """
        config = dict(config)
        model, training = dict(config["model"]), dict(config["training"])
        for name, value in params.items():
            if name == "lookback":
                config["lookback"] = value
            elif name in TRAINING_PARAMETERS:
                training[name] = value
            else:
                model[name] = value
        config["model"], config["training"] = model, training
        return config

    def to_dict(self):
        """The space as a JSON-ready dict (the input format)."""
        out = {}
        for name, spec in self._parameters.items():
            if spec["kind"] == "choice":
                out[name] = list(spec["values"])
            else:
                out[name] = {"low": spec["low"], "high": spec["high"]}
                if spec["log"]:
                    out[name]["log"] = True
                if spec["step"] is not None:
                    out[name]["step"] = spec["step"]
        return out

    def __repr__(self):
        return f"SearchSpace({self.to_dict()!r})"
