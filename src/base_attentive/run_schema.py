"""The schema of a run folder's files, checked before anything is built
from them (`saving.load_forecaster`).

A run folder is read by `Forecaster.load` and `base-attentive predict` /
`evaluate`. Its JSON files may have been edited, truncated, or copied from
another run: each file is checked key by key, and an error names the file,
the key, what was expected and what was found, instead of a `KeyError`
traceback or, worse, forecasts computed from nonsense (a negative scale
crosses the quantiles; a lookback other than the model's shifts every
window). Then the files must agree with each other and with the model: the
same lookback, horizon, targets, quantiles and series, and the model's
input sizes those of the data. A `model.keras` that is not a Keras archive
is reported as corrupt.
"""

from __future__ import annotations

import json
import math
import zipfile

import numpy as np

from base_attentive.run_folder import FILES

_SHOWN = 80  # characters of a bad value shown in a message


def _short(value):
    text = json.dumps(value, default=str)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


class JsonFile:
    """One JSON file of a run folder, read, with checked access to its keys.

    Args:
        path: the file.
    """

    def __init__(self, path):
        self.path = path
        try:
            self.data = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ValueError(f"{path}: not valid JSON ({error})") from None
        if not isinstance(self.data, dict):
            raise ValueError(
                f"{path}: expected a JSON object. Received: {_short(self.data)}"
            )

    def error(self, key, expected, value):
        return ValueError(
            f"{self.path}: key {key!r} must be {expected}. Received: {_short(value)}"
        )

    def get(self, key, expected, test, optional=False):
        """The value at the dotted `key`, checked by `test(value) -> bool`.

        Raises:
            ValueError: naming the file and key, if the key is missing (and
                not `optional`) or `test` fails.
        """
        node = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                if optional:
                    return None
                raise ValueError(
                    f"{self.path}: key {key!r} is missing (expected {expected})"
                )
            node = node[part]
        if not test(node):
            raise self.error(key, expected, node)
        return node

    def array(self, key, ndim, optional=False, positive=False, nullable=False):
        """A numeric array at `key`: `ndim` dimensions, finite values (NaN
        written as null allowed when `nullable`), all > 0 if `positive`."""
        value = self.get(key, f"a {ndim}-D array of numbers", _anything, optional)
        if value is None:
            return None
        if nullable:
            value = _nulls_to_nan(value)
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise self.error(key, f"a {ndim}-D array of numbers", value) from None
        if array.ndim != ndim:
            raise self.error(key, f"a {ndim}-D array (found {array.ndim}-D)", value)
        checked = array[~np.isnan(array)] if nullable else array
        if not np.isfinite(checked).all():
            raise self.error(key, "finite numbers", value)
        if positive and not (checked > 0).all():
            raise self.error(key, "numbers > 0", value)
        return array


def _anything(value):
    return True


def _nulls_to_nan(value):
    if isinstance(value, list):
        return [_nulls_to_nan(item) for item in value]
    return math.nan if value is None else value


def _integer(minimum):
    return lambda value: (
        isinstance(value, int) and not isinstance(value, bool) and value >= minimum
    )


def _names(value):
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _numbers(value):
    return isinstance(value, list) and all(
        isinstance(item, int | float) and not isinstance(item, bool) for item in value
    )


def _ids(value):
    return isinstance(value, list) and all(
        isinstance(item, str | int | float) and not isinstance(item, bool)
        for item in value
    )


def _vocabulary(values):
    return (
        _names(values)
        and len(values) >= 1
        and values == sorted(values)
        and len(set(values)) == len(values)
    )


def _text_or_none(value):
    return value is None or isinstance(value, str)


def check_files(folder):
    """Checks the JSON files of a run folder and returns them.

    Args:
        folder: a `RunFolder` (its required files exist).

    Returns:
        dict `{"run", "dataset", "baseline", "calibration"}` of `JsonFile`
        (calibration None when the run has none).

    Raises:
        ValueError: naming the file and key at fault.
    """
    from base_attentive.data.persistence import FORMAT_NAME as DATASET_FORMAT
    from base_attentive.data.persistence import FORMAT_VERSION as DATASET_VERSION
    from base_attentive.saving import FORMAT_NAME, FORMAT_VERSION

    run = JsonFile(folder.path("run"))
    run.get("format", repr(FORMAT_NAME), lambda v: v == FORMAT_NAME)
    run.get("format_version", str(FORMAT_VERSION), lambda v: v == FORMAT_VERSION)
    run.get("forecaster", "an object", lambda v: isinstance(v, dict))
    lookback = run.get("forecaster.lookback", "an integer >= 1", _integer(1))
    horizon = run.get("forecaster.horizon", "an integer >= 1", _integer(1))
    targets = run.get("forecaster.target", "a list of column names", _names)
    quantiles = run.get("forecaster.quantiles", "a list of numbers", _numbers)
    run.get("training", "an object", lambda v: isinstance(v, dict))
    run.get("data", "an object", lambda v: isinstance(v, dict))

    dataset = JsonFile(folder.path("dataset"))
    dataset.get("format", repr(DATASET_FORMAT), lambda v: v == DATASET_FORMAT)
    dataset.get("format_version", str(DATASET_VERSION), lambda v: v == DATASET_VERSION)
    dataset.get("spec", "an object", lambda v: isinstance(v, dict))
    same = f"the run's ({FILES['run']}: forecaster)"
    dataset.get("spec.lookback", f"{lookback}, {same}", lambda v: v == lookback)
    dataset.get("spec.forecast_horizon", f"{horizon}, {same}", lambda v: v == horizon)
    dataset.get("spec.target_columns", f"{targets}, {same}", lambda v: v == targets)
    dataset.get("freq", "a pandas frequency", lambda v: isinstance(v, str) and v)
    dataset.get("split.validation_start", "a time or null", _text_or_none)
    dataset.get("split.test_start", "a time or null", _text_or_none)
    series = dataset.get(
        "series_ids", "a non-empty list of series ids", lambda v: _ids(v) and v
    )
    dataset.get("skipped_series", "a list of series ids", _ids)
    stats = dataset.array("target_stats", 2)
    if stats.shape[0] != len(series):
        raise dataset.error("target_stats", f"{len(series)} rows", stats.tolist())
    categorical = dataset.get("spec.categorical_columns", "a list of names", _names)
    dataset.get(
        "vocabulary.columns",
        f"the spec's categorical columns {categorical}",
        lambda v: v == categorical,
    )
    vocabularies = dataset.get(
        "vocabulary.values",
        f"an object with one entry per categorical column {categorical}",
        lambda v: isinstance(v, dict) and sorted(v) == sorted(categorical),
    )
    for column, values in vocabularies.items():
        if not _vocabulary(values):
            raise dataset.error(
                f"vocabulary.values[{column!r}]",
                "a sorted list of distinct texts (the categories seen in training)",
                values,
            )
    for name in ("target_scaler", "past_scaler", "future_scaler", "static_scaler"):
        dataset.get(f"{name}.method", "a scaler name", lambda v: isinstance(v, str))
        loc = dataset.array(f"{name}.loc", 2, optional=True)
        scale = dataset.array(f"{name}.scale", 2, optional=True, positive=True)
        if (loc is None) != (scale is None) or (
            loc is not None and loc.shape != scale.shape
        ):
            raise dataset.error(
                f"{name}.scale", "an array of the shape of `loc`", _short(scale)
            )
    target_loc = dataset.array("target_scaler.loc", 2, optional=True)
    if target_loc is not None and target_loc.shape != (len(series), len(targets)):
        raise dataset.error(
            "target_scaler.loc",
            f"shape ({len(series)}, {len(targets)}) (series, targets)",
            target_loc.tolist(),
        )

    baseline = JsonFile(folder.path("baseline"))
    baseline.get("season", "an integer >= 1", _integer(1))
    same = f"the run's quantiles {quantiles}"
    baseline.get("quantiles", same, lambda v: v == quantiles)
    baseline.get(
        "series_ids", f"the series of {FILES['dataset']}", lambda v: v == series
    )
    offsets = baseline.array("offsets", 4)
    if offsets.shape[0] != len(series) or offsets.shape[2:] != (
        len(quantiles),
        len(targets),
    ):
        raise baseline.error(
            "offsets",
            f"shape ({len(series)}, seasons, {len(quantiles)}, {len(targets)})",
            offsets.shape,
        )
    scale = baseline.array("mase_scale", 2, nullable=True)
    if scale.shape != (len(series), len(targets)) or (scale < 0).any():
        raise baseline.error(
            "mase_scale", f"{len(series)} x {len(targets)} numbers >= 0", scale.tolist()
        )

    calibration = None
    if folder.path("calibration").is_file():
        calibration = JsonFile(folder.path("calibration"))
        calibration.get("quantiles", same, lambda v: v == quantiles)
        calibration.get("horizon", f"{horizon}", lambda v: v in (horizon, None))
        calibration.get(
            "num_targets", f"{len(targets)}", lambda v: v in (len(targets), None)
        )
        calibration.array("corrections", 3, optional=True)
    return {
        "run": run,
        "dataset": dataset,
        "baseline": baseline,
        "calibration": calibration,
    }


def check_model_file(path):
    """Raises `ValueError` if `path` is not a Keras archive (`.keras` zip)."""
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path}: the model file is corrupt (not a Keras archive: not a zip "
            "file). Train the run again, or restore the file."
        )


def check_model(model, dataset, forecaster, path):
    """Raises `ValueError` unless the loaded `model` fits the run's data."""
    expected = {
        **dataset.model_dims(),
        "forecast_horizon": forecaster.horizon,
        "quantiles": list(forecaster.quantiles),
    }
    # An ensemble's members share the arguments (`models.MeanEnsemble`).
    for network in getattr(model, "members", [model]):
        _check_network(network, expected, path)


def _check_network(model, expected, path):
    found = {key: getattr(model, key, None) for key in expected}
    found["quantiles"] = (
        None if found["quantiles"] is None else list(found["quantiles"])
    )
    different = {
        key: (found[key], value)
        for key, value in expected.items()
        if found[key] != value
    }
    if different:
        listed = ", ".join(
            f"{key} {have!r} (the run's data and settings: {want!r})"
            for key, (have, want) in different.items()
        )
        raise ValueError(
            f"{path}: the model does not match the run's other files: {listed}."
        )
