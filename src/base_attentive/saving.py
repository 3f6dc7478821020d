"""Saving a `Forecaster` to a run folder and loading it back (the layout is
in `base_attentive.run_folder`). JSON files and a `.keras` file: no pickle;
the model loads in Keras' safe mode."""

from __future__ import annotations

import datetime
import zipfile

import numpy as np

from base_attentive import run_schema
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
    # An ensemble's members share the arguments: report the first one's.
    network = getattr(forecaster.model_, "members", [forecaster.model_])[0]
    arguments = {
        key: value
        for key, value in network.get_config().items()
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
                "members": len(getattr(forecaster.model_, "members", [None])),
                "arguments": arguments,
            },
            "baseline": {"season": forecaster.baseline_.season},
            "training": forecaster.training_,
            "history": forecaster.history_,
            **(extra or {}),
        },
    )


def load_forecaster(cls, path):
    """See `Forecaster.load`.

    Every file is checked before it is used (`run_schema`): an edited,
    truncated or mismatched file is an error naming the file and the key.
    """
    from base_attentive.data import ForecastDataset
    from base_attentive.models import load_model

    folder = RunFolder.open(path)
    files = run_schema.check_files(folder)
    run = files["run"]
    try:
        # Runs saved before `static_one_hot_max` embedded every category.
        forecaster = cls(**{"static_one_hot_max": 0, **run.data["forecaster"]})
    except (TypeError, ValueError) as error:
        raise ValueError(f"{run.path}: key 'forecaster': {error}") from None
    try:
        forecaster.dataset_ = ForecastDataset.load(folder.path("dataset"))
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{folder.path('dataset')}: {error}") from None
    try:
        forecaster.baseline_ = SeasonalNaive.from_dict(files["baseline"].data)
        if files["calibration"] is not None:
            forecaster.calibrator_ = ConformalQuantileCalibrator.from_dict(
                files["calibration"].data
            )
    except (KeyError, TypeError, ValueError) as error:
        name = "calibration" if forecaster.baseline_ is not None else "baseline"
        raise ValueError(f"{folder.path(name)}: {error}") from None
    forecaster.data_ = run.data["data"]
    forecaster.training_ = run.data["training"]
    forecaster.history_ = run.data.get("history")
    if folder.path("tuning").is_file():
        forecaster.tuning_ = folder.read_json("tuning")
    model_path = folder.path("model")
    run_schema.check_model_file(model_path)
    # Not compiled: forecasting needs no optimizer, and the saved compile
    # settings would carry the training backend's choices over.
    try:
        model = load_model(model_path, compile=False, safe_mode=True)
    except (OSError, KeyError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"{model_path}: the model file is corrupt ({type(error).__name__}: {error})"
        ) from None
    except ValueError as error:  # a bad member, or refused by the safe mode
        raise ValueError(f"{model_path}: cannot be loaded: {error}") from None
    run_schema.check_model(model, forecaster.dataset_, forecaster, model_path)
    forecaster.model_ = model
    return forecaster
