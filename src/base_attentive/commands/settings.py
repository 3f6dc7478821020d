"""The settings of a training run: one table drives the command line, the
config file and the bundled-data preset.

Every setting has a key (``lookback``), a command-line flag (``--lookback``),
a parser that accepts both a command-line string and a config-file value
(TOML / JSON), a help line and its default. The defaults of the model and
the training recipe are the library's (`base_attentive.training`), so the
CLI and `Forecaster` train the same way. Precedence, highest first:
command-line option, ``--config`` file, the bundled-data preset (only when
no data file is given), the defaults.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NamedTuple

from base_attentive.commands import values
from base_attentive.data.calendar import CALENDAR_FEATURES
from base_attentive.data.spec import FILL_POLICIES, MISSING_POLICIES, SCALERS
from base_attentive.data.target_transform import TARGET_TRANSFORMS
from base_attentive.data.window_arrays import SCALINGS
from base_attentive.forecaster import DEFAULT_VALIDATION
from base_attentive.training import DEFAULT_MODEL, SCHEDULES, TrainingSettings

BUNDLED = "bundled"  # `data` value of a run on the bundled Chicago data
DISTRIBUTIONS = ("auto", "none", "data_parallel")
_RECIPE = TrainingSettings()


class Setting(NamedTuple):
    """One setting: key, parser (str or config value -> value), help line,
    default."""

    key: str
    parse: Any
    metavar: str
    help: str
    default: Any = None

    @property
    def flag(self):
        return "--" + self.key.replace("_", "-")


DATA_SETTINGS = (
    Setting(
        "data",
        values.path,
        "FILE",
        "long table, CSV or Parquet (default: the bundled Chicago 'L' ridership data)",
    ),
    Setting("time_col", values.text, "NAME", "time column"),
    Setting(
        "time_format",
        values.text,
        "FORMAT",
        "how to read the time column: a strftime format (%%Y%%m%%d, "
        "'%%d/%%m/%%Y %%H:%%M', ...) or unix-s, unix-ms, unix-us, unix-ns for "
        "numbers counted from 1970 (a numeric time column needs it; default: "
        "dates and times as text, read by pandas)",
    ),
    Setting(
        "timezone",
        values.text,
        "ZONE",
        "time zone of the time column (Europe/Paris, UTC, ...): times with "
        "UTC offsets are converted to it, times without are its local times; "
        "calendar features and outputs follow its clock (default: the zone or "
        "offset the times carry, if any)",
    ),
    Setting(
        "id_col",
        values.text,
        "NAME",
        "series id column (default: none, the table is one series)",
    ),
    Setting("target", values.names, "NAMES", "target column(s) to forecast"),
    Setting(
        "static",
        values.names,
        "NAMES",
        "static columns (constant per series; text columns and the id "
        "column are categories, embedded by the model)",
        [],
    ),
    Setting(
        "past",
        values.names,
        "NAMES",
        "past-observed covariates (known up to the forecast origin)",
        [],
    ),
    Setting(
        "future",
        values.names,
        "NAMES",
        "known-future covariates (known over "
        "the horizon; needed in --data rows of the horizon to predict)",
        [],
    ),
    Setting(
        "categorical",
        values.names,
        "NAMES",
        "columns among --static, --past, --future (or --id-col) to use as "
        "categories, even if they hold numbers: an integer vocabulary of the "
        "training period (unknown values: code 0) and one embedding each; "
        "text columns are categories anyway",
        [],
    ),
    Setting(
        "calendar",
        values.calendar,
        "NAMES",
        "calendar features: 'auto' (from "
        "the time step), 'none', or names among "
        f"{','.join(CALENDAR_FEATURES)}",
        "auto",
    ),
    Setting(
        "holiday_country",
        values.text,
        "CODE",
        "country of the 'holiday' calendar feature",
        "US",
    ),
    Setting(
        "freq",
        values.text,
        "FREQ",
        "pandas frequency (D, h, W-SUN, MS, ...; default: inferred)",
    ),
    Setting(
        "fill_missing",
        values.choice(FILL_POLICIES),
        "POLICY",
        "how to fill NaN and missing time steps so they count as observed: "
        f"{', '.join(FILL_POLICIES)}",
        "raise",
    ),
    Setting(
        "missing",
        values.choice(MISSING_POLICIES),
        "POLICY",
        "what a missing value means: 'raise' (an error naming the column, "
        "series and first time, unless --fill-missing repairs it) or 'mask' "
        "(missing time steps added as missing rows; observed-indicator inputs; "
        "missing targets neither trained on nor scored)",
        "raise",
    ),
    Setting("series", values.names, "IDS", "use only these series"),
    Setting("start", values.date, "DATE", "use only rows at or after DATE"),
    Setting("end", values.date, "DATE", "use only rows at or before DATE"),
    Setting("lookback", values.integer(1), "STEPS", "past steps the model sees", 56),
    Setting(
        "scaling",
        values.choice(SCALINGS),
        "HOW",
        "target scaling: 'series' (per series, fitted on the training "
        "period) or 'window' (each window by its lookback's mean and "
        "standard deviation; forecasts series unseen in training)",
        "series",
    ),
    Setting(
        "target_scaler",
        values.choice(SCALERS),
        "HOW",
        "statistics that scale the targets (per series or per window, as "
        "--scaling says): 'standard' (mean, standard deviation), 'robust' "
        "(median, interquartile range) or 'none' (with --scaling series only)",
        "standard",
    ),
    Setting(
        "seasonal_lags",
        values.integers,
        "STEPS",
        "target values at these seasonal offsets (the latest value at the "
        "same phase, e.g. 7,364 on daily data) as known-future inputs; 'none'",
        [],
    ),
    Setting(
        "holiday_lag",
        values.integer_or_none(1),
        "STEPS",
        "the seasonal lag (the yearly one, e.g. 364) that reads, on public "
        "holidays, the value on the same holiday a year before when it fell "
        "on the same weekday; 'none' for the plain lag",
    ),
    Setting(
        "static_one_hot_max",
        values.integer(0),
        "COUNT",
        "a static category with at most COUNT values in the training period "
        "is given as 0/1 one-hot columns instead of an embedding; 0 embeds "
        "every category",
        64,
    ),
    Setting(
        "target_transform",
        values.choice(TARGET_TRANSFORMS),
        "HOW",
        "transform of the target before scaling: 'none' or 'log1p' (the "
        "model forecasts log(1 + y), mapped back exactly with expm1; needs "
        "targets >= 0)",
        "none",
    ),
    Setting("horizon", values.integer(1), "STEPS", "steps to forecast", 14),
    Setting(
        "quantiles",
        values.quantile_levels,
        "LEVELS",
        "quantile levels, must include 0.5",
        [0.1, 0.5, 0.9],
    ),
    Setting(
        "validation",
        values.boundary,
        "WHEN",
        "start of the validation period: "
        "fraction, number of last steps before the test period, or date",
        DEFAULT_VALIDATION,
    ),
    Setting(
        "test",
        values.boundary,
        "WHEN",
        "start of the test period: fraction, number of last steps, or date",
        0.2,
    ),
    Setting(
        "season",
        values.integer(1),
        "STEPS",
        "season length of the seasonal-naive "
        "baseline (default: from the time step, e.g. 7 for daily data)",
    ),
)
MODEL_SETTINGS = (
    Setting(
        "embed_dim",
        values.integer(1),
        "N",
        "width of variable embeddings",
        DEFAULT_MODEL["embed_dim"],
    ),
    Setting(
        "hidden_units",
        values.integer(1),
        "N",
        "hidden width of the GRNs",
        DEFAULT_MODEL["hidden_units"],
    ),
    Setting(
        "lstm_units",
        values.integer(1),
        "N",
        "LSTM width (hybrid encoder)",
        DEFAULT_MODEL["lstm_units"],
    ),
    Setting(
        "attention_units",
        values.integer(2),
        "N",
        "width of the attention levels",
        DEFAULT_MODEL["attention_units"],
    ),
    Setting(
        "num_heads",
        values.integer(1),
        "N",
        "attention heads",
        DEFAULT_MODEL["num_heads"],
    ),
    Setting(
        "num_encoder_layers",
        values.integer(1),
        "N",
        "encoder depth",
        DEFAULT_MODEL["num_encoder_layers"],
    ),
    Setting(
        "memory_size",
        values.integer(1),
        "N",
        "slots of the memory attention",
        DEFAULT_MODEL["memory_size"],
    ),
    Setting(
        "dropout_rate",
        values.number(0.0, 1.0, inclusive_low=True),
        "RATE",
        "dropout rate",
        DEFAULT_MODEL["dropout_rate"],
    ),
    Setting(
        "category_dropout",
        values.number(0.0, 1.0, inclusive_low=True),
        "RATE",
        "share of category codes replaced by the unknown code in training, "
        "one-hot static categories zeroed whole (trains the encoding of new "
        "series and values)",
        DEFAULT_MODEL["category_dropout"],
    ),
    Setting(
        "objective",
        values.text,
        "NAME",
        "encoder: hybrid (multi-scale LSTM) or transformer",
        DEFAULT_MODEL["objective"],
    ),
)
TRAINING_SETTINGS = (
    Setting("epochs", values.integer(1), "N", "maximum epochs", _RECIPE.epochs),
    Setting(
        "steps_per_epoch",
        values.integer(1),
        "N",
        "batches per epoch, taken in turn from the shuffled training windows",
        _RECIPE.steps_per_epoch,
    ),
    Setting(
        "batch_size", values.integer(1), "N", "windows per batch", _RECIPE.batch_size
    ),
    Setting(
        "learning_rate",
        values.number(0.0, 1.0),
        "RATE",
        "Adam learning rate",
        _RECIPE.learning_rate,
    ),
    Setting(
        "patience",
        values.integer(1),
        "N",
        "epochs without validation improvement "
        "before early stopping (best weights are restored)",
        _RECIPE.patience,
    ),
    Setting(
        "min_epochs",
        values.integer(0),
        "N",
        "the first N epochs are never kept as the best and do not count "
        "towards early stopping or the plateau schedule",
        _RECIPE.min_epochs,
    ),
    Setting(
        "time_limit",
        values.number(0.0, 1e6),
        "MINUTES",
        "training time budget: no epoch starts that would end past it",
        _RECIPE.time_limit,
    ),
    Setting(
        "calibrate",
        values.boolean,
        "YES|NO",
        "recalibrate the quantile intervals on the validation period "
        "(split-conformal, per horizon step)",
        _RECIPE.calibrate,
    ),
    Setting(
        "ensemble",
        values.integer(1),
        "N",
        "train N models (seeds --seed, --seed + 1, ...; each with its share of "
        "--time-limit) and average their quantile forecasts",
        _RECIPE.ensemble,
    ),
    Setting(
        "ensemble_tolerance",
        values.number_or_none(0.0, 1e6, inclusive_low=True),
        "FRACTION|none",
        "leave a model of --ensemble out of the average when its best "
        "validation loss is more than FRACTION above the best model's "
        "(0.2: 20%%)",
        _RECIPE.ensemble_tolerance,
    ),
    Setting(
        "schedule",
        values.choice(SCHEDULES),
        "NAME",
        "learning-rate schedule: 'plateau' (halved when the validation loss "
        "stalls) or 'cosine' (a half cosine over the epochs, or over the "
        "epochs that fit in --time-limit)",
        _RECIPE.schedule,
    ),
    Setting("seed", values.integer(0), "N", "random seed (weights, shuffling)", 0),
)
DISTRIBUTION_SETTINGS = (
    Setting(
        "devices",
        values.integer(1),
        "N",
        "devices to train on, data-parallel (JAX, TensorFlow; without "
        "accelerators the CPU is split into N virtual devices)",
    ),
    Setting(
        "distribution",
        values.choice(DISTRIBUTIONS),
        "KIND",
        "'data_parallel' (every device of this process unless --devices), "
        "'none', or 'auto': data_parallel when --devices or --num-processes "
        "is above 1",
        "auto",
    ),
    Setting(
        "coordinator_address",
        values.text,
        "HOST:PORT",
        "multi-process JAX run: address of process 0 "
        "(or KERAS_DISTRIBUTION_JOB_ADDRESSES)",
    ),
    Setting(
        "num_processes",
        values.integer(1),
        "N",
        "multi-process JAX run: number of processes "
        "(or KERAS_DISTRIBUTION_NUM_PROCESSES)",
    ),
    Setting(
        "process_id",
        values.integer(0),
        "I",
        "multi-process JAX run: this process, 0 .. N-1 "
        "(or KERAS_DISTRIBUTION_PROCESS_ID)",
    ),
)
SETTINGS = {
    s.key: s
    for s in DATA_SETTINGS + MODEL_SETTINGS + TRAINING_SETTINGS + DISTRIBUTION_SETTINGS
}

DEFAULTS = {key: setting.default for key, setting in SETTINGS.items()}


def bundled_preset():
    """Settings of the default run on the bundled Chicago ridership data.

    The column roles are those of `chicago_ridership_spec` (sports
    schedules and calendar known-future; station static), daily, from 2011
    on, with the last year (365 days) as the test period and the 16 weeks
    before it as the validation period. Each window is scaled by its own
    lookback (ridership levels shift between years), and the rides one and
    two weeks and a year (52 weeks) before each forecast day are
    known-future inputs, and models of consecutive seeds are averaged
    (`ensemble`: on the year before the test year, three of them scored 7%
    lower MASE than the mean single model; docs/accuracy.md).

    The 18 weather columns, past-observed in the spec, are left out
    (`past` empty; `--past temp,precip,...` adds them back): on the year
    before the test year the model overfits them, and without them MASE is
    8% lower over five seeds. No epoch before the 9th is kept as the best
    (`min_epochs`): a validation loss that dips by chance in the first
    epochs no longer stops a model there (docs/accuracy.md, round 8).

    The calendar tells the model which holiday a day is (`holiday_name`: a
    column per US public holiday) instead of one holiday flag and the day
    of year: one flag made every holiday alike (Veterans Day, a working day,
    forecast like Labor Day), and the day of year placed Veterans Day next
    to Thanksgiving. On the year before the test year, over eight seeds,
    the holidays' error fell by 30% on every seed and MASE by 1.4% for the
    averaged forecast (docs/accuracy.md, round 9).

    On a public holiday the yearly lag reads the same holiday a year before
    when it fell on the same weekday (`holiday_lag`): 52 weeks before Labor
    Day 2015 or Thanksgiving 2013 is an ordinary working day, and the model,
    which had only seen years where the two coincided, forecast an ordinary
    day. On the year 2013-08 .. 2014-08 the holidays' error fell from 0.58
    to 0.32 and MASE by 3% on every seed (docs/accuracy.md, round 12). The
    mirror case, an ordinary day whose 52-week lag is last year's holiday
    (2013-11-21 read Thanksgiving 2012), reads 53 weeks back: that day's
    error fell from 0.80 to 0.13 (round 13).

    The calendar also says which holiday is tomorrow or was yesterday
    (`holiday_neighbours`: Christmas Eve, half a holiday, and the Wednesday
    before Thanksgiving, an ordinary day, were alike to
    `holiday_proximity`), and a model whose best validation loss is more
    than 20% above the best of the three is left out of the average
    (`ensemble_tolerance`): with the new columns one seed in eight forgets
    the holidays themselves, and its validation loss shows it (35% above
    the others). On the year before the test year, over eight seeds and
    their eight consecutive triples, the averaged MASE of three models fell
    by 2.8% (docs/accuracy.md, round 14).

    Four models are averaged, each with two minutes of training as before
    (`time_limit` 8 minutes for the four, so that the whole run stays
    within 10 minutes on 2 cores): on the year before the test year, the
    eight consecutive groups of four seeds scored MASE 0.561 against 0.565
    for the groups of three (-0.6%), and their spread between groups fell
    from 0.008 to 0.006 (docs/accuracy.md, round 15).
    """
    from base_attentive.data import chicago_ridership_spec

    spec = chicago_ridership_spec()
    return {
        "data": BUNDLED,
        "time_col": spec.time_column,
        "id_col": spec.id_column,
        "target": list(spec.target_columns),
        "static": list(spec.categorical_columns),
        "future": list(spec.future_columns),
        "calendar": [
            "day_of_week",
            "month",
            "holiday_proximity",
            "holiday_name",
            "holiday_neighbours",
        ],
        "freq": spec.freq,
        "start": "2011-01-01 00:00:00",
        "test": 365,
        "validation": 112,
        "scaling": "window",
        "past": [],
        "seasonal_lags": [7, 364],
        "holiday_lag": 364,
        "ensemble": 4,
        "ensemble_tolerance": 0.2,
        "time_limit": 8.0,
        "min_epochs": 8,
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
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise ValueError(
            f"--config {path}: the file must end in .toml or .json. "
            f"Received: {path.suffix or 'no extension'!r}"
        )
    loads = _toml_module().loads if suffix == ".toml" else _json_without_repeats
    try:
        raw = loads(text)
    except ValueError as error:  # JSONDecodeError, TOMLDecodeError
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


def _json_without_repeats(text):
    """`json.loads`, refusing a key given twice in one object (JSON's own
    rule keeps the last silently; TOML refuses it already)."""

    def pairs(items):
        keys = [key for key, _ in items]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise ValueError(f"key(s) {repeated} given more than once")
        return dict(items)

    return json.loads(text, object_pairs_hook=pairs)


def _toml_module():
    """`tomllib` (Python >= 3.11) or its backport `tomli`."""
    try:
        import tomllib
    except ModuleNotFoundError:
        try:
            import tomli as tomllib
        except ModuleNotFoundError as error:
            raise ImportError(
                "Reading a TOML --config on Python 3.10 needs tomli (`pip "
                "install tomli`); or write the config as JSON."
            ) from error
    return tomllib


def _shown(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(
            f"{item:g}" if isinstance(item, float) else str(item) for item in value
        )
    return str(value).removesuffix(" 00:00:00")


def _help(setting, preset):
    """The help line with the defaults (generic, and bundled data if other)."""
    generic = DEFAULTS.get(setting.key)
    bundled = preset.get(setting.key, generic)
    parts = [] if generic in (None, []) else [f"default {_shown(generic)}"]
    long_list = isinstance(bundled, list) and len(bundled) > 4
    if setting.key != "data" and bundled != generic and not long_list:
        parts.append(f"bundled data: {_shown(bundled)}")
    return setting.help + (f" ({'; '.join(parts)})" if parts else "")


def add_setting_arguments(parser, settings):
    """Adds one `--flag` per setting; every default is None (= not given),
    the real defaults are applied by `resolve` and shown in the help."""
    preset = bundled_preset()
    for setting in settings:
        parser.add_argument(
            setting.flag,
            dest=setting.key,
            metavar=setting.metavar,
            default=None,
            help=_help(setting, preset),
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
    settings = dict(DEFAULTS)
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
    lag = settings["holiday_lag"]
    if lag is not None and lag not in settings["seasonal_lags"]:
        raise ValueError(
            f"--holiday-lag {lag} must be one of --seasonal-lags (the yearly "
            "lag it aligns on holidays; --holiday-lag none turns it off). "
            f"Received: seasonal_lags={settings['seasonal_lags']}"
        )
    return settings
