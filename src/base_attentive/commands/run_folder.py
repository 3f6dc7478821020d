"""The output folder of a training run, and loading a run back.

Layout (`--out DIR`, default `runs/<YYYYmmdd-HHMMSS>`):

    DIR/model.keras       the trained BaseAttentive (loads on any backend)
    DIR/dataset.json      data spec, split, scalers (ForecastDataset.save)
    DIR/baseline.json     seasonal-naive residual quantiles, MASE scales
    DIR/calibration.json  conformal interval corrections (unless --calibrate no)
    DIR/run.json          resolved settings, backend, versions, timings
    DIR/metrics.json      test metrics of the model and the baseline
    DIR/report.md         human-readable report (metrics, plots, settings)
    DIR/forecasts.csv     test-period forecasts, every quantile, original units
    DIR/plots/*.png       fan charts, training history, variable importance,
                          attention heat maps
"""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path
from typing import NamedTuple

RUNS_DIR = "runs"
FILES = {
    "model": "model.keras",
    "dataset": "dataset.json",
    "baseline": "baseline.json",
    "calibration": "calibration.json",
    "run": "run.json",
    "metrics": "metrics.json",
    "report": "report.md",
    "forecasts": "forecasts.csv",
}
PLOTS = "plots"


class RunFolder:
    """Paths of one run folder.

    Args:
        root: the folder (str or Path).
    """

    def __init__(self, root):
        self.root = Path(root)

    def path(self, key):
        """Path of one of the run's files: a key of `FILES` (`"model"`, ...)."""
        return self.root / FILES[key]

    @property
    def plots(self):
        return self.root / PLOTS

    @classmethod
    def new(cls, out=None, overwrite=False):
        """The folder of a new run, checked but not yet created (see `make`).

        Args:
            out: the folder; default `runs/<YYYYmmdd-HHMMSS>` in the current
                directory.
            overwrite: allow a folder that already holds files.

        Returns:
            `RunFolder`.
        """
        if out is None:
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            out = Path(RUNS_DIR) / stamp
        folder = cls(out)
        if folder.root.exists() and not folder.root.is_dir():
            raise ValueError(f"--out {folder.root}: exists and is not a folder")
        if folder.root.is_dir() and any(folder.root.iterdir()) and not overwrite:
            raise ValueError(
                f"--out {folder.root}: the folder is not empty. Choose another "
                "folder or pass --overwrite."
            )
        return folder

    def make(self):
        """Creates the folder and its `plots/` subfolder."""
        self.plots.mkdir(parents=True, exist_ok=True)
        return self

    @classmethod
    def open(cls, path):
        """An existing run folder (for `predict` / `evaluate`).

        Raises:
            FileNotFoundError: if `path` is not a complete run folder.
        """
        folder = cls(path)
        missing = [
            FILES[key]
            for key in ("model", "dataset", "baseline", "run")
            if not folder.path(key).is_file()
        ]
        if missing:
            raise FileNotFoundError(
                f"--model {folder.root}: not a run folder of `base-attentive "
                f"train` (missing {', '.join(missing)})"
            )
        return folder

    def write_json(self, key, payload):
        """Writes `payload` as JSON to the file `key` (NaN written as null)."""
        path = self.path(key)
        path.write_text(json.dumps(json_ready(payload), indent=2) + "\n", "utf-8")
        return path

    def read_json(self, key):
        """Reads the JSON file `key`."""
        return json.loads(self.path(key).read_text("utf-8"))

    def plot_path(self, name):
        """Path of a PNG in `plots/` (name made file-system safe)."""
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(name))
        return self.plots / f"{safe}.png"


def json_ready(value):
    """Replaces NaN / inf floats by None, recursively (strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value


class LoadedRun(NamedTuple):
    """A trained run read back from its folder."""

    folder: RunFolder
    info: dict
    dataset: object
    baseline: object
    model: object
    calibrator: object = None

    @property
    def settings(self):
        return self.info["settings"]


def load_run(path):
    """Reads a run folder: settings, dataset, baseline, model (Keras) and
    interval calibrator (None if the run was not recalibrated).

    Args:
        path: the run folder (`--model DIR`).

    Returns:
        `LoadedRun`.
    """
    from base_attentive.calibration import ConformalQuantileCalibrator
    from base_attentive.commands.baseline import SeasonalNaive
    from base_attentive.data import ForecastDataset
    from base_attentive.models import load_model

    folder = RunFolder.open(path)
    calibrator = None
    if folder.path("calibration").is_file():
        calibrator = ConformalQuantileCalibrator.from_dict(
            folder.read_json("calibration")
        )
    return LoadedRun(
        folder=folder,
        info=folder.read_json("run"),
        dataset=ForecastDataset.load(folder.path("dataset")),
        baseline=SeasonalNaive.from_dict(folder.read_json("baseline")),
        # Not compiled: forecasting needs no optimizer, and the saved compile
        # settings (e.g. jit_compile resolved on the training backend) would
        # carry over to this backend.
        model=load_model(folder.path("model"), compile=False),
        calibrator=calibrator,
    )
