"""Saving a `Forecaster` to a run folder and loading it back (the layout is
in `base_attentive.run_folder`). JSON files and a `.keras` file: no pickle;
the model loads in Keras' safe mode."""

from __future__ import annotations

import datetime

import numpy as np

from base_attentive.baselines import SeasonalNaive
from base_attentive.calibration import ConformalQuantileCalibrator
from base_attentive.run_folder import RunFolder

FORMAT_NAME = "base_attentive.Forecaster"
FORMAT_VERSION = 1


def write_run(forecaster, folder, extra=None):
    """See `Forecaster.write`."""
    import keras

    from base_attentive import __version__
    from base_attentive.backend import get_backend_version

    forecaster.model_.save(folder.path("model"))
    forecaster.dataset_.save(folder.path("dataset"))
    folder.write_json("baseline", forecaster.baseline_.to_dict())
    if forecaster.calibrator_ is not None:
        folder.write_json("calibration", forecaster.calibrator_.to_dict())
    if forecaster.tuning_ is not None:
        folder.write_json("tuning", forecaster.tuning_)
    backend = keras.backend.backend()
    arguments = {
        key: value
        for key, value in forecaster.model_.get_config().items()
        if key in forecaster.model
    }
    folder.write_json(
        "run",
        {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "forecaster": forecaster.get_config(),
            "finished": datetime.datetime.now().isoformat(timespec="seconds"),
            "backend": backend,
            "versions": {
                "base_attentive": __version__,
                "keras": keras.__version__,
                "backend": get_backend_version(backend),
                "numpy": np.__version__,
            },
            "data": forecaster.data_,
            "model": {
                "parameters": int(forecaster.model_.count_params()),
                "arguments": arguments,
            },
            "baseline": {"season": forecaster.baseline_.season},
            "training": forecaster.training_,
            "history": forecaster.history_,
            **(extra or {}),
        },
    )


def load_forecaster(cls, path):
    """See `Forecaster.load`."""
    from base_attentive.data import ForecastDataset
    from base_attentive.models import load_model

    folder = RunFolder.open(path)
    info = folder.read_json("run")
    if info.get("format") != FORMAT_NAME:
        raise ValueError(
            f"{folder.path('run')}: not written by a Forecaster (expected "
            f"format {FORMAT_NAME!r}, found {info.get('format')!r})."
        )
    if info.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{folder.path('run')}: format_version "
            f"{info.get('format_version')!r} is not supported; this version "
            f"reads {FORMAT_VERSION}."
        )
    forecaster = cls(**info["forecaster"])
    forecaster.dataset_ = ForecastDataset.load(folder.path("dataset"))
    forecaster.baseline_ = SeasonalNaive.from_dict(folder.read_json("baseline"))
    if folder.path("calibration").is_file():
        forecaster.calibrator_ = ConformalQuantileCalibrator.from_dict(
            folder.read_json("calibration")
        )
    forecaster.data_ = info["data"]
    forecaster.training_ = info["training"]
    forecaster.history_ = info.get("history")
    if folder.path("tuning").is_file():
        forecaster.tuning_ = folder.read_json("tuning")
    # Not compiled: forecasting needs no optimizer, and the saved compile
    # settings would carry the training backend's choices over.
    forecaster.model_ = load_model(folder.path("model"), compile=False, safe_mode=True)
    return forecaster
