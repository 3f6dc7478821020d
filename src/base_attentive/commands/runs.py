"""Opening a saved run for `predict` and `evaluate`: the `Forecaster` and
the settings to read its data with."""

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
    settings = info.get("settings")
    if settings is None:
        config = forecaster.get_config()
        settings = {
            **DEFAULTS,
            **{key: config[key] for key in ("time_col", "id_col", "target")},
            **{key: config[key] for key in ("static", "past", "future")},
        }
    return forecaster, settings, info
