"""The settings of a training run: one table drives the command line, the
config file and the bundled-data preset.

Every setting has a key (``lookback``), a command-line flag (``--lookback``),
a parser that accepts both a command-line string and a config-file value
(TOML / JSON), and a help line. Precedence, highest first: command-line
option, ``--config`` file, the bundled-data preset (only when no data file
is given), the generic defaults.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, NamedTuple

import tomllib

from base_attentive.data import CALENDAR_FEATURES

BUNDLED = "bundled"  # `data` value of a run on the bundled Chicago data
FILL_CHOICES = ("raise", "ffill", "zero", "interpolate")
OBJECTIVES = ("hybrid", "transformer")


class Setting(NamedTuple):
    """One setting: key, parser (str or config value -> value), help line."""

    key: str
    parse: Any
    metavar: str
    help: str

    @property
    def flag(self):
        return "--" + self.key.replace("_", "-")


# -- value parsers: raise ValueError("must be ...") on a bad value ------------
def _text(value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value.strip()


def _names(value):
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(
        isinstance(item, str) for item in items
    ):
        raise ValueError("must be comma-separated names (or a list of strings)")
    names = [item.strip() for item in items if item.strip()]
    if len(set(names)) != len(names):
        raise ValueError("must not repeat a name")
    return names


def _calendar(value):
    names = _names(value)
    if names == ["none"]:
        return []
    if names == ["auto"]:
        return "auto"
    unknown = [name for name in names if name not in CALENDAR_FEATURES]
    if unknown:
        raise ValueError(
            f"must be 'auto', 'none' or names among {list(CALENDAR_FEATURES)} "
            f"(unknown: {unknown})"
        )
    return names


def _int(minimum):
    def parse(value):
        try:
            number = int(value) if isinstance(value, str) else value
        except ValueError:
            number = None
        if isinstance(number, bool) or not isinstance(number, int) or number < minimum:
            raise ValueError(f"must be an integer >= {minimum}")
        return number

    return parse


def _float(low, high, inclusive_low=False):
    interval = f"{'[' if inclusive_low else '('}{low:g}, {high:g})"

    def parse(value):
        try:
            number = math.nan if isinstance(value, bool) else float(value)
        except (TypeError, ValueError):
            number = math.nan
        above_low = number >= low if inclusive_low else number > low
        if not (above_low and number < high):  # also rejects NaN
            raise ValueError(f"must be a number in {interval}")
        return number

    return parse


def _quantiles(value):
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError("must be comma-separated levels such as 0.1,0.5,0.9")
    levels = [_float(0.0, 1.0)(item) for item in items]
    if levels != sorted(set(levels)):
        raise ValueError("must be strictly increasing levels in (0, 1)")
    if 0.5 not in levels:
        raise ValueError(
            "must include 0.5 (the median is the point forecast scored by MAE and MASE)"
        )
    return levels


def _boundary(value):
    """A split boundary: fraction in (0, 1), number of last steps, or date."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
    else:
        raise ValueError("must be a fraction, a number of steps or a date")
    if text.isdigit():
        return _int(1)(text)
    try:
        fraction = float(text)
    except ValueError:
        return _date(text)
    return _float(0.0, 1.0)(fraction)


def _date(value):
    import pandas as pd

    try:
        return str(pd.Timestamp(_text(str(value))))
    except ValueError as error:
        raise ValueError("must be a date such as 2015-01-01") from error


def _choice(choices):
    def parse(value):
        if value not in choices:
            raise ValueError(f"must be one of {list(choices)}")
        return value

    return parse


def _path(value):
    return str(Path(_text(value)).expanduser())


DATA_SETTINGS = (
    Setting(
        "data",
        _path,
        "FILE",
        "long table, CSV or Parquet (default: the bundled Chicago 'L' ridership data)",
    ),
    Setting("time_col", _text, "NAME", "time column"),
    Setting(
        "id_col",
        _text,
        "NAME",
        "series id column (default: none, the table is one series)",
    ),
    Setting("target", _names, "NAMES", "target column(s) to forecast"),
    Setting(
        "static",
        _names,
        "NAMES",
        "static columns (constant per series; "
        "text columns and the id column are one-hot encoded)",
    ),
    Setting(
        "past",
        _names,
        "NAMES",
        "past-observed covariates (known up to the forecast origin)",
    ),
    Setting(
        "future",
        _names,
        "NAMES",
        "known-future covariates (known over "
        "the horizon; needed in --data rows of the horizon to predict)",
    ),
    Setting(
        "calendar",
        _calendar,
        "NAMES",
        "calendar features: 'auto' (from "
        "the time step), 'none', or names among "
        f"{','.join(CALENDAR_FEATURES)}",
    ),
    Setting(
        "holiday_country",
        _text,
        "CODE",
        "country of the 'holiday' calendar feature (default US)",
    ),
    Setting(
        "freq",
        _text,
        "FREQ",
        "pandas frequency (D, h, W-SUN, MS, ...; default: inferred)",
    ),
    Setting(
        "fill_missing",
        _choice(FILL_CHOICES),
        "POLICY",
        f"NaN policy: {', '.join(FILL_CHOICES)} (default raise)",
    ),
    Setting("series", _names, "IDS", "use only these series"),
    Setting("start", _date, "DATE", "use only rows at or after DATE"),
    Setting("end", _date, "DATE", "use only rows at or before DATE"),
    Setting("lookback", _int(1), "STEPS", "past steps the model sees"),
    Setting("horizon", _int(1), "STEPS", "steps to forecast"),
    Setting(
        "quantiles",
        _quantiles,
        "LEVELS",
        "quantile levels, must include 0.5 (default 0.1,0.5,0.9)",
    ),
    Setting(
        "validation",
        _boundary,
        "WHEN",
        "start of the validation period: "
        "fraction, number of last steps before the test period, or date",
    ),
    Setting(
        "test",
        _boundary,
        "WHEN",
        "start of the test period: fraction, number of last steps, or date",
    ),
    Setting(
        "season",
        _int(1),
        "STEPS",
        "season length of the seasonal-naive "
        "baseline (default: from the time step, e.g. 7 for daily data)",
    ),
)
MODEL_SETTINGS = (
    Setting("embed_dim", _int(1), "N", "width of variable embeddings"),
    Setting("hidden_units", _int(1), "N", "hidden width of the GRNs"),
    Setting("lstm_units", _int(1), "N", "LSTM width (hybrid encoder)"),
    Setting("attention_units", _int(2), "N", "width of the attention levels"),
    Setting("num_heads", _int(1), "N", "attention heads"),
    Setting("num_encoder_layers", _int(1), "N", "encoder depth"),
    Setting("memory_size", _int(1), "N", "slots of the memory attention"),
    Setting(
        "dropout_rate", _float(0.0, 1.0, inclusive_low=True), "RATE", "dropout rate"
    ),
    Setting(
        "objective",
        _choice(OBJECTIVES),
        "NAME",
        "encoder: hybrid (multi-scale LSTM) or transformer",
    ),
)
TRAINING_SETTINGS = (
    Setting("epochs", _int(1), "N", "maximum epochs"),
    Setting(
        "steps_per_epoch",
        _int(1),
        "N",
        "batches per epoch (default: the whole training set)",
    ),
    Setting("batch_size", _int(1), "N", "windows per batch"),
    Setting("learning_rate", _float(0.0, 1.0), "RATE", "Adam learning rate"),
    Setting(
        "patience",
        _int(1),
        "N",
        "epochs without validation improvement "
        "before early stopping (best weights are restored)",
    ),
    Setting(
        "time_limit",
        _float(0.0, 1e6),
        "MINUTES",
        "training time budget: no epoch starts that would end past it",
    ),
    Setting("seed", _int(0), "N", "random seed (weights, shuffling)"),
)
SETTINGS = {s.key: s for s in DATA_SETTINGS + MODEL_SETTINGS + TRAINING_SETTINGS}

GENERIC_DEFAULTS = {
    "data": None,
    "time_col": None,
    "id_col": None,
    "target": None,
    "static": [],
    "past": [],
    "future": [],
    "calendar": "auto",
    "holiday_country": "US",
    "freq": None,
    "fill_missing": "raise",
    "series": None,
    "start": None,
    "end": None,
    "lookback": 56,
    "horizon": 14,
    "quantiles": [0.1, 0.5, 0.9],
    "validation": 0.1,
    "test": 0.2,
    "season": None,
    # A small, CPU-friendly model (the constructor's defaults are wider):
    # the default run must train in minutes on 2 cores on every backend.
    "embed_dim": 16,
    "hidden_units": 32,
    "lstm_units": 32,
    "attention_units": 16,
    "num_heads": 2,
    "num_encoder_layers": 1,
    "memory_size": 32,
    "dropout_rate": 0.1,
    "objective": "hybrid",
    "epochs": 30,
    "steps_per_epoch": 100,
    "batch_size": 64,
    "learning_rate": 0.002,
    "patience": 4,
    "time_limit": 6.0,
    "seed": 0,
}


def bundled_preset():
    """Settings of the default run on the bundled Chicago ridership data.

    The column roles are those of `chicago_ridership_spec` (weather
    past-observed; sports schedules and calendar known-future; station
    static), daily, from 2011 on, with the last year (365 days) as the test
    period and the 16 weeks before it as the validation period.
    """
    from base_attentive.data import chicago_ridership_spec

    spec = chicago_ridership_spec()
    return {
        "data": BUNDLED,
        "time_col": spec.time_column,
        "id_col": spec.id_column,
        "target": list(spec.target_columns),
        "static": list(spec.categorical_columns),
        "past": list(spec.past_columns),
        "future": list(spec.future_columns),
        "calendar": list(spec.calendar_features),
        "freq": spec.freq,
        "start": "2011-01-01 00:00:00",
        "test": 365,
        "validation": 112,
    }


def parse_value(key, value, source):
    """Parses one setting; `ValueError` naming where it came from."""
    try:
        return SETTINGS[key].parse(value)
    except ValueError as error:
        raise ValueError(f"{source} {error}. Received: {value!r}") from None


def read_config(path):
    """Reads a TOML or JSON config file of settings (flat keys).

    Relative ``data`` paths are taken relative to the config file.

    Returns:
        dict key -> parsed value.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"--config {path}: no such file")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            raw = json.loads(text)
        elif path.suffix.lower() == ".toml":
            raw = tomllib.loads(text)
        else:
            raise ValueError(
                f"--config {path}: the file must end in .toml or .json. "
                f"Received: {path.suffix or 'no extension'!r}"
            )
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(
            f"--config {path}: not valid {path.suffix[1:]}: {error}"
        ) from None
    if not isinstance(raw, dict):
        raise ValueError(f"--config {path}: expected a table of settings")
    unknown = sorted(set(raw) - set(SETTINGS))
    if unknown:
        raise ValueError(
            f"--config {path}: unknown setting(s) {unknown}. Known settings: "
            f"{sorted(SETTINGS)}"
        )
    config = {
        key: parse_value(key, value, f"`{key}` in {path}") for key, value in raw.items()
    }
    if config.get("data") and not os.path.isabs(config["data"]):
        config["data"] = str(path.parent / config["data"])
    return config


def add_setting_arguments(parser, settings):
    """Adds one `--flag` per setting; every default is None (= not given)."""
    for setting in settings:
        parser.add_argument(
            setting.flag,
            dest=setting.key,
            metavar=setting.metavar,
            default=None,
            help=setting.help,
        )


def resolve(args):
    """Final settings of `train`: CLI > config file > preset > defaults.

    Args:
        args: the parsed `argparse.Namespace` (settings are None unless
            given, plus `config`).

    Returns:
        dict of every setting.
    """
    given = {
        key: parse_value(key, getattr(args, key), SETTINGS[key].flag)
        for key in SETTINGS
        if getattr(args, key, None) is not None
    }
    config = read_config(args.config) if args.config else {}
    settings = dict(GENERIC_DEFAULTS)
    if given.get("data", config.get("data")) is None:
        settings.update(bundled_preset())
    settings.update(config)
    settings.update(given)
    for key in ("time_col", "target"):
        if settings[key] is None:
            raise ValueError(
                f"{SETTINGS[key].flag} is required with --data "
                f"{settings['data']} (or set `{key}` in the --config file)"
            )
    if settings["season"] is not None and settings["season"] > settings["lookback"]:
        raise ValueError(
            "--season must not exceed --lookback (the seasonal-naive baseline "
            "repeats the last season of the lookback). Received: season="
            f"{settings['season']}, lookback={settings['lookback']}"
        )
    return settings
