"""Where `predict` and `evaluate` may write: the rules for output files.

An output file (`predict --out`, `evaluate --forecasts`)

- is not an input of the command: not the `--data` table nor the run's own
  data file, whatever path names it (symbolic links, `..`, hard links);
- is not inside a run folder: not in the `--model` folder nor in any folder
  holding a run (`model.keras` and `run.json`). `train` writes a run folder
  whole and nothing changes it afterwards, so `predict` never replaces a
  run's `dataset.json` or `calibration.json` with a CSV;
- is not a folder;
- does not exist yet, unless `--overwrite` is given;
- is written to a temporary name in its folder and renamed into place: a
  reader never sees half a file, and a command stopped midway leaves none.

The paths are checked when the command starts, before the model is loaded,
and the rule "does not exist yet" once more when the file is renamed into
place (a file that appeared meanwhile is not replaced).

`predict` without `--out` writes `predictions/<run>-<YYYYmmdd-HHMMSS>.csv`
under the current directory: a new file every time (like `train`'s
`runs/<YYYYmmdd-HHMMSS>`), never inside the run folder.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

from base_attentive.commands.settings import BUNDLED
from base_attentive.run_folder import FILES, RunFolder, write_text_atomic

PREDICTIONS_DIR = "predictions"


def run_inputs(model, data):
    """The files a command reads: `data`, else the run's own data file.

    Args:
        model: the run folder (`--model`).
        data: the `--data` file or None.

    Returns:
        list of paths (empty for the bundled data).
    """
    if data is not None:
        return [Path(data)]
    run_json = RunFolder(model).path("run")
    try:
        info = json.loads(run_json.read_text("utf-8"))
    except (OSError, ValueError):
        return []  # the command stops when it opens the run, with the reason
    settings = info.get("settings") if isinstance(info, dict) else None
    source = settings.get("data") if isinstance(settings, dict) else None
    return [Path(source)] if isinstance(source, str) and source != BUNDLED else []


def check_run_output(path, argument, args):
    """`check_output` for a file written by a command that reads a run
    (`args.model`) and a table (`args.data`, else the run's own), with the
    command's `--overwrite`."""
    return check_output(
        path,
        argument,
        inputs=run_inputs(args.model, args.data),
        overwrite=args.overwrite,
    )


def check_output(path, argument, *, inputs=(), overwrite=False):
    """Raises `ValueError` unless `path` may receive an output file.

    Args:
        path: the file to write.
        argument: its option, for messages (`--out`).
        inputs: files the command reads.
        overwrite: whether an existing file may be replaced (`--overwrite`).

    Returns:
        `path` as a `Path`.
    """
    path = Path(path)
    resolved = path.resolve()
    if path.is_dir():
        raise ValueError(
            f"{argument} {path}: is a folder; give the name of a file to write, "
            f"e.g. {path / 'forecasts.csv'}"
        )
    for source in inputs:
        if resolved == Path(source).resolve() or _same_file(path, source):
            raise ValueError(
                f"{argument} {path}: is the input table {source}; writing there "
                "would replace it. Choose another file."
            )
    for folder in resolved.parents:
        if _is_run_folder(folder):
            raise ValueError(
                f"{argument} {path}: is inside the run folder {folder}, which "
                "only `train` writes (whole). Write outside it, e.g. "
                f"{Path(PREDICTIONS_DIR) / path.name}."
            )
    if path.exists() and not overwrite:
        raise ValueError(
            f"{argument} {path}: the file exists. Choose another name, or "
            "give --overwrite to replace it."
        )
    ancestor = next(parent for parent in resolved.parents if parent.exists())
    if not ancestor.is_dir():
        raise ValueError(f"{argument} {path}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK):
        raise ValueError(f"{argument} {path}: cannot write in {ancestor}")
    return path


def _same_file(path, source):
    try:
        return os.path.samefile(path, source)
    except OSError:  # one of them does not exist
        return False


def _is_run_folder(folder):
    return all((folder / FILES[key]).is_file() for key in ("model", "run"))


def write_output(path, text, argument, overwrite=False):
    """Writes `text` to `path` atomically (see the module's rules).

    Raises:
        ValueError: if `path` exists and `overwrite` is False.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return write_text_atomic(path, text, overwrite=overwrite)
    except FileExistsError:
        raise ValueError(
            f"{argument} {path}: the file appeared while this command ran; "
            "nothing was written. Choose another name, or give --overwrite."
        ) from None


def write_new_predictions(run, text):
    """Writes `text` to a new `predictions/<run>-<YYYYmmdd-HHMMSS>.csv`.

    A name already taken gets `-2`, `-3`, ... (files are created
    exclusively, so two commands never write the same file).

    Returns:
        the path written.
    """
    folder = Path(PREDICTIONS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = f"{Path(run).resolve().name}-{stamp}"
    for attempt in range(1, 1000):
        path = folder / (f"{stem}.csv" if attempt == 1 else f"{stem}-{attempt}.csv")
        try:
            return write_text_atomic(path, text, overwrite=False)
        except FileExistsError:
            continue
    raise ValueError(f"Could not find a free file name for {stem} in {folder}")
