"""Exporting a fitted `Forecaster`: the network as a serving artifact
(`base_attentive.artifacts`), the preprocessing as JSON beside it.

`Forecaster.export(path, format)` and `base-attentive export` write an
**export folder**, self-contained, that can be copied to where the forecasts
are needed:

- the artifact: `model.onnx` (ONNX), `saved_model/` (TensorFlow
  SavedModel) or `model.pt2` (PyTorch ExportedProgram), with a dynamic
  batch size; which format each backend makes, and how, is
  `base_attentive.artifacts.ROUTES`;
- `dataset.json`: the fitted `ForecastDataset` (spec, calendar features,
  per-series scalers, vocabularies), and `calibration.json` (conformal
  corrections) when the run has one;
- `export.json`: the manifest: format, how and from which backend the
  artifact was made, the input layout (name, shape, feature names of
  `static`, `dynamic`, `future`), the output layout (axes, quantile levels,
  targets, scaled units), the Forecaster's configuration and a check of the
  artifact against the Keras model.

`base_attentive.serving.OnnxForecaster` forecasts from an ONNX folder.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
from pathlib import Path

from base_attentive.artifacts import (
    ARTIFACTS,
    CONVERTERS,
    INPUT_NAMES,
    check_format,
    check_onnx,
    check_route,
    export_model,
    input_shapes,
)
from base_attentive.run_folder import (
    atomic_folder,
    check_destination,
    json_ready,
    write_text_atomic,
)

__all__ = ["MANIFEST", "export_forecaster", "find_export", "read_manifest"]

MANIFEST = "export.json"
FORMAT_NAME = "base_attentive.Export"
FORMAT_VERSION = 1
OUTPUT_AXES = ("window", "horizon_step", "quantile", "target")


def _versions(names):
    found = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def export_forecaster(forecaster, path, format="onnx", overwrite=False, extra=None):
    """Writes the export folder of a fitted `Forecaster` (see the module).

    Args:
        forecaster: a fitted `Forecaster`.
        path: the folder to create.
        format: `"onnx"` (default), `"tf_saved_model"` or `"torch"`.
        overwrite: replace a folder that holds files.
        extra: dict of more manifest entries (the CLI adds the run's
            settings, so `base-attentive predict` finds the data).

    Returns:
        the folder's path.
    """
    import keras

    check_destination(path, overwrite)
    check_route(format, keras.backend.backend())
    dataset, model = forecaster.dataset_, forecaster.model_
    shapes = input_shapes(dataset)
    features = dataset.feature_names()
    with atomic_folder(path, overwrite) as folder:
        artifact = folder.root / ARTIFACTS[format]
        made = export_model(model, artifact, format, shapes)
        names = {"input_names": list(INPUT_NAMES), "output_name": None, "check": None}
        if format == "onnx":
            names = check_onnx(model, str(artifact), shapes)
        dataset.save(folder.root / "dataset.json")
        calibration = None
        if forecaster.calibrator_ is not None:
            calibration = "calibration.json"
            write_text_atomic(
                folder.root / calibration,
                json.dumps(json_ready(forecaster.calibrator_.to_dict()), indent=2),
            )
        spec = dataset.spec
        quantiles = list(forecaster.quantiles)
        manifest = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "created": datetime.datetime.now().isoformat(timespec="seconds"),
            "artifact": {
                "format": format,
                "path": ARTIFACTS[format],
                "route": made["route"],
                "exported_on": made["backend"],
                "run_backend": keras.backend.backend(),
                "check": names["check"],
            },
            "versions": {
                "keras": keras.__version__,
                **_versions(
                    ["base-attentive", made["backend"], "onnx", "onnxruntime"]
                    + [n for n in CONVERTERS.get((format, made["backend"]), ())]
                ),
            },
            "inputs": [
                {
                    "name": name,
                    "artifact_name": artifact_name,
                    "shape": [None, *shapes[name]],
                    "dtype": "float32",
                    "features": features[name],
                }
                for name, artifact_name in zip(
                    INPUT_NAMES, names["input_names"], strict=True
                )
            ],
            "output": {
                "artifact_name": names["output_name"],
                "shape": [
                    None,
                    spec.forecast_horizon,
                    len(quantiles),
                    len(spec.target_columns),
                ],
                "axes": list(OUTPUT_AXES),
                "quantiles": quantiles,
                "targets": list(spec.target_columns),
                "units": "scaled: map back with the target scaler of dataset.json, "
                "per series, after the calibration of calibration.json",
            },
            "preprocessing": {
                "dataset": "dataset.json",
                "calibration": calibration,
                "lookback": spec.lookback,
                "forecast_horizon": spec.forecast_horizon,
                "mode": spec.mode,
                "freq": dataset.freq,
                "calendar_features": list(spec.calendar_features),
                "holiday_country": spec.holiday_country,
                "series": list(dataset.series_ids),
            },
            "forecaster": forecaster.get_config(),
            **(extra or {}),
        }
        write_text_atomic(
            folder.root / MANIFEST, json.dumps(json_ready(manifest), indent=2) + "\n"
        )
    return folder.destination


def read_manifest(folder):
    """The manifest of an export folder.

    Raises:
        FileNotFoundError: if the folder has no `export.json`.
        ValueError: if it is not a manifest this version reads.
    """
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{folder}: no {MANIFEST} (not an export folder)")
    manifest = json.loads(path.read_text("utf-8"))
    if manifest.get("format") != FORMAT_NAME:
        raise ValueError(
            f"{path}: not written by base_attentive.export (format "
            f"{manifest.get('format')!r})."
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{path}: format_version {manifest.get('format_version')!r} is not "
            f"supported; this version reads {FORMAT_VERSION}."
        )
    return manifest


def find_export(path, format="onnx"):
    """The export folder of `format` at `path`, or None.

    `path` is an export folder itself, or a run folder holding one in its
    default place, `path/<format>` (where `base-attentive export` writes).
    """
    check_format(format)
    for folder in (Path(path), Path(path) / format):
        manifest = folder / MANIFEST
        if manifest.is_file() and read_manifest(folder)["artifact"]["format"] == format:
            return folder
    return None
