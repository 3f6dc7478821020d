"""Forecasts from an ONNX export folder with ONNX Runtime: no Keras, no
TensorFlow, PyTorch or JAX.

`OnnxForecaster` reads an export folder written by `Forecaster.export(path,
"onnx")` (or `base-attentive export`) and forecasts from a DataFrame the
way `Forecaster.predict` does: the same preparation and scaling
(`ForecastDataset`, from `dataset.json`), the same windows
(`ForecastDataset.prediction_batches`, the NumPy twin of
`prediction_windows`), the network run by ONNX Runtime, the same conformal
calibration (`calibration.json`) and the same inverse transform and table
(`ForecastDataset.forecast_frame`). Importing this module imports NumPy and
pandas only; ONNX Runtime is imported when a folder is loaded.

`choose_runtime` is the rule of `base-attentive predict --runtime`.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

import numpy as np

from base_attentive.artifacts import ARTIFACTS, INPUT_NAMES
from base_attentive.calibration import ConformalQuantileCalibrator
from base_attentive.data.dataset import ForecastDataset
from base_attentive.export import find_export, read_manifest

__all__ = ["RUNTIMES", "OnnxForecaster", "choose_runtime"]

RUNTIMES = ("auto", "keras", "onnx")
_ONNX_EXTRA = 'pip install "base-attentive[onnx]"'


def _import_onnxruntime():
    try:
        import onnxruntime
    except ImportError as error:
        raise ImportError(
            f"Forecasting from an ONNX export needs onnxruntime: {_ONNX_EXTRA}"
        ) from error
    return onnxruntime


class OnnxForecaster:
    """The forecasting half of a `Forecaster`, served by ONNX Runtime.

    Args:
        path: an ONNX export folder, or a run folder holding one in
            `path/onnx` (where `base-attentive export` writes it).
        intra_op_threads: threads ONNX Runtime uses per operation; None
            keeps its default (all cores).

    Attributes:
        dataset_: the fitted `ForecastDataset` of `dataset.json`.
        quantiles: the forecast's quantile levels.
        manifest: the export's `export.json`.
        folder: the export folder.

    Usage, after `base-attentive export --model runs/r1` (or
    `Forecaster.export`), in an environment with
    `pip install "base-attentive[onnx]"` (tests/test_serving.py runs this
    against the Keras forecast on every backend)::

        forecaster = OnnxForecaster("runs/r1")   # or the export folder itself
        forecasts = forecaster.predict(frame)    # as Forecaster.predict

    A folder without an export is named in the error:

    >>> OnnxForecaster("runs/r1")
    Traceback (most recent call last):
    ...
    FileNotFoundError: runs/r1: no ONNX export ...
    """

    def __init__(self, path, intra_op_threads=None):
        folder = find_export(path, "onnx")
        if folder is None:
            raise FileNotFoundError(
                f"{path}: no ONNX export (no {path}/export.json nor "
                f"{path}/onnx/export.json of format 'onnx'). Make one with "
                f"`base-attentive export --model RUN --format onnx` or "
                f'`Forecaster.export(path, "onnx")`.'
            )
        onnxruntime = _import_onnxruntime()
        self.folder = folder
        self.manifest = read_manifest(folder)
        preprocessing = self.manifest["preprocessing"]
        self.dataset_ = ForecastDataset.load(folder / preprocessing["dataset"])
        self.calibrator_ = None
        if preprocessing.get("calibration"):
            calibration = folder / preprocessing["calibration"]
            self.calibrator_ = ConformalQuantileCalibrator.from_dict(
                _read_json(calibration)
            )
        self.quantiles = list(self.manifest["output"]["quantiles"])
        self.batch_size = int(self.manifest["forecaster"]["training"]["batch_size"])
        options = onnxruntime.SessionOptions()
        if intra_op_threads is not None:
            options.intra_op_num_threads = intra_op_threads
        self.artifact = folder / ARTIFACTS["onnx"]
        self.session = onnxruntime.InferenceSession(
            str(self.artifact), options, providers=["CPUExecutionProvider"]
        )
        by_role = {item["name"]: item for item in self.manifest["inputs"]}
        self._input_names = [by_role[name]["artifact_name"] for name in INPUT_NAMES]
        self._check_inputs(by_role)

    def _check_inputs(self, by_role):
        """The artifact's inputs must be those the manifest describes."""
        found = {item.name: item.shape for item in self.session.get_inputs()}
        for role, name in zip(INPUT_NAMES, self._input_names, strict=True):
            expected = by_role[role]["shape"][1:]
            if name not in found or list(found[name][1:]) != expected:
                raise ValueError(
                    f"{self.artifact}: input {name!r} ({role}) should have shape "
                    f"[batch, {', '.join(map(str, expected))}] as export.json "
                    f"says; the artifact has {found.get(name)!r}."
                )

    @property
    def description(self):
        """Which runtime and artifact forecast, for the CLI's output."""
        artifact = self.manifest["artifact"]
        return (
            f"ONNX Runtime {importlib.metadata.version('onnxruntime')} "
            f"({self.artifact}, exported on {artifact['exported_on']})"
        )

    def predict_windows(self, windows):
        """Quantile forecasts of `WindowBatches`, scaled units, recalibrated.

        Returns:
            `(N, H, Q, O)` array (for `ForecastDataset.forecast_frame`).
        """
        outputs = [
            self.session.run(None, dict(zip(self._input_names, batch, strict=True)))[0]
            for batch in windows
        ]
        scaled = np.concatenate(outputs, axis=0)
        return scaled if self.calibrator_ is None else self.calibrator_.adjust(scaled)

    def predict(self, frame):
        """Forecasts from the end of each series of `frame`.

        Same input and output as `Forecaster.predict`: the lookback is each
        series' last `lookback` rows with an observed target, the horizon the
        next rows (known-future columns filled); one row per series, horizon
        step and target, quantiles in original units.
        """
        windows = self.dataset_.prediction_batches(frame, batch_size=self.batch_size)
        scaled = self.predict_windows(windows)
        return self.dataset_.forecast_frame(scaled, windows, quantiles=self.quantiles)


def onnxruntime_installed():
    """Whether onnxruntime can be imported (found without importing it)."""
    return importlib.util.find_spec("onnxruntime") is not None


def _read_json(path):
    import json

    return json.loads(Path(path).read_text("utf-8"))


def choose_runtime(path, runtime="auto"):
    """Which runtime forecasts from `path` (`base-attentive predict`).

    - `"onnx"`: ONNX Runtime on the ONNX export at `path` (the folder itself
      or `path/onnx`); an error if there is none or onnxruntime is missing.
    - `"keras"`: the Keras model of the run folder (`model.keras`).
    - `"auto"`: ONNX Runtime when there is an ONNX export and onnxruntime is
      installed, Keras otherwise.

    Returns:
        `(runtime, reason)`: `"onnx"` or `"keras"`, and why, in words.

    Raises:
        ValueError: for an unknown `runtime`; FileNotFoundError: `"onnx"`
            without an export; ImportError: `"onnx"` without onnxruntime.
    """
    if runtime not in RUNTIMES:
        raise ValueError(
            f"`runtime` must be one of {list(RUNTIMES)}. Received: {runtime!r}"
        )
    if runtime == "keras":
        return "keras", "asked for (--runtime keras)"
    folder = find_export(path, "onnx")
    installed = onnxruntime_installed()
    if runtime == "onnx":
        if folder is None:
            raise FileNotFoundError(
                f"{path}: no ONNX export (export.json) here nor in {path}/onnx; "
                f"make one with `base-attentive export --model {path}`."
            )
        if not installed:
            _import_onnxruntime()
        return "onnx", "asked for (--runtime onnx)"
    if folder is None:
        return "keras", "no ONNX export in the run"
    if not installed:
        if not (Path(path) / "model.keras").is_file():
            _import_onnxruntime()
        return "keras", f"onnxruntime is not installed ({_ONNX_EXTRA})"
    return "onnx", "the run has an ONNX export and onnxruntime is installed"
