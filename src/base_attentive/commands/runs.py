"""Opening a saved run for `predict`, `evaluate` and `export`: the
`Forecaster` (or, for `predict`, the `OnnxForecaster` of its ONNX export)
and the settings to read its data with."""

from __future__ import annotations

from base_attentive.commands.settings import DEFAULTS
from base_attentive.run_folder import RunFolder


def open_run(path):
    """Loads a run folder (or a saved `Forecaster`) for a command.

    Args:
        path: the folder (`--model DIR`).

    Returns:
        `(forecaster, settings, info)`: the fitted `Forecaster`, the settings
        of the run (those of `base-attentive train`; for a Forecaster saved
        from Python, its columns, with no default data file) and the whole
        `run.json`.
    """
    from base_attentive.forecaster import Forecaster

    RunFolder.open(path, argument="--model")
    forecaster = Forecaster.load(path)
    info = RunFolder(path).read_json("run")
    return forecaster, run_settings(info.get("settings"), forecaster.get_config()), info


def open_export(path):
    """Opens the ONNX export of a run (or an export folder) for `predict`.

    Returns:
        `(forecaster, settings, manifest)`: an `OnnxForecaster` (no Keras
        imported), the run's settings (from the manifest) and the manifest.
    """
    from base_attentive.serving import OnnxForecaster

    forecaster = OnnxForecaster(path)
    manifest = forecaster.manifest
    settings = run_settings(manifest.get("settings"), manifest["forecaster"])
    return forecaster, settings, manifest


def run_settings(settings, config):
    """The settings of a run; for a Forecaster saved from Python (no CLI
    settings), its columns, with no default data file."""
    if settings is not None:
        return settings
    return {
        **DEFAULTS,
        **{key: config[key] for key in ("time_col", "id_col", "target")},
        **{key: config[key] for key in ("static", "past", "future")},
        "categorical": config.get("categorical", []),
    }
