"""The run folder: what a saved `Forecaster` (and `base-attentive train`)
writes, and how it is written.

Layout:

    DIR/model.keras       the trained BaseAttentive (loads on any backend)
    DIR/dataset.json      data spec, split, scalers (ForecastDataset.save)
    DIR/baseline.json     seasonal-naive residual quantiles, MASE scales
    DIR/calibration.json  conformal interval corrections (when calibrated)
    DIR/run.json          the Forecaster's arguments, training summary,
                          backend, versions (the CLI adds its settings)
    DIR/tuning.json       the search that chose the configuration (after
                          `Forecaster.tune`)

`base-attentive train` adds its reports: `metrics.json`, `report.md`,
`forecasts.csv` and `plots/*.png`.

Writing is atomic (`atomic_folder`): everything goes into a hidden
temporary sibling folder, renamed into place at the end, so a folder holds a
whole run or none; an old run replaced with `overwrite=True` is replaced
whole or not at all. Single files are written to a temporary name and
renamed (`write_text_atomic`).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import os
import shutil
import socket
import uuid
from pathlib import Path

from base_attentive import interrupts

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
    "tuning": "tuning.json",
}
REQUIRED = ("model", "dataset", "baseline", "run")
PLOTS = "plots"


class RunFolder:
    """Paths of one run folder.

    Args:
        root: the folder (str or Path).
    """

    def __init__(self, root, destination=None):
        self.root = Path(root)
        # Where the folder ends up (`atomic_folder` writes to a temporary
        # folder first); `root` itself otherwise.
        self.destination = Path(destination) if destination else self.root

    def path(self, key):
        """Path of one of the run's files: a key of `FILES` (`"model"`, ...)."""
        return self.root / FILES[key]

    @property
    def plots(self):
        return self.root / PLOTS

    @classmethod
    def open(cls, path, argument="path"):
        """An existing, complete run folder (to load).

        Args:
            path: the folder.
            argument: its name in error messages (the CLI passes `--model`).

        Raises:
            FileNotFoundError: if `path` is not a complete run folder.
        """
        folder = cls(path)
        if not folder.root.is_dir():
            raise FileNotFoundError(f"{argument} {folder.root}: no such folder")
        missing = [FILES[key] for key in REQUIRED if not folder.path(key).is_file()]
        if missing:
            raise FileNotFoundError(
                f"{argument} {folder.root}: not a saved Forecaster or run folder "
                f"of `base-attentive train` (missing {', '.join(missing)})"
            )
        return folder

    def write_json(self, key, payload):
        """Writes `payload` as JSON to the file `key` (NaN written as null)."""
        text = json.dumps(json_ready(payload), indent=2, allow_nan=False) + "\n"
        return write_text_atomic(self.path(key), text)

    def read_json(self, key):
        """Reads the JSON file `key`."""
        return json.loads(self.path(key).read_text("utf-8"))

    def plot_path(self, name):
        """Path of a PNG in `plots/` (name made file-system safe)."""
        self.plots.mkdir(exist_ok=True)
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


def write_text_atomic(path, text, overwrite=True):
    """Writes `text` to `path` through a temporary file renamed into place.

    Args:
        path: the file.
        text: str.
        overwrite: replace an existing file; False puts the file in place
            only if the name is free (a hard link, created exclusively).

    Returns:
        the path.

    Raises:
        FileExistsError: if `path` exists and `overwrite` is False.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        temporary.write_text(text, "utf-8")
        if overwrite:
            os.replace(temporary, path)
        else:
            _link_exclusively(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _link_exclusively(source, path):
    try:
        os.link(source, path)  # fails if `path` exists
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(source, path)


def new_run_path(parent=RUNS_DIR):
    """A new, claimed folder `parent/<YYYYmmdd-HHMMSS>` (created empty).

    Two runs started in the same second get `-2`, `-3`, ... (the folder is
    created exclusively, so the names never collide).
    """
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for attempt in range(1, 1000):
        path = parent / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"Could not create a new run folder in {parent}")


def check_destination(path, overwrite, argument="path"):
    """Raises unless `path` can receive a run folder.

    Args:
        path: the folder to write.
        overwrite: whether a folder holding files may be replaced.
        argument: the name of `path` in error messages.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{argument} {path}: exists and is not a folder")
    ancestor = next(parent for parent in path.absolute().parents if parent.exists())
    if not ancestor.is_dir():
        raise ValueError(f"{argument} {path}: {ancestor} is a file, not a folder")
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise ValueError(
            f"{argument} {path}: the folder is not empty. Choose another folder "
            "or allow overwriting (`overwrite=True`, `--overwrite`)."
        )


@contextlib.contextmanager
def atomic_folder(path, overwrite=False, argument="path"):
    """Writes a run folder atomically.

    Yields a `RunFolder` on a hidden temporary sibling of `path`; when the
    block ends without an exception, the temporary folder replaces `path`
    (an old folder is moved aside, the new one renamed into place, then the
    old one removed; a signal arriving meanwhile waits until both renames
    are done, and a failed second rename puts the old folder back). On an
    exception (including `KeyboardInterrupt` and
    `base_attentive.interrupts.Terminated`) the temporary folder is
    removed, `path` is left as it was, and the exception propagates.

    `path` is claimed when the block starts: a lock file next to it
    (`.NAME.lock`, created exclusively, holding the process id) keeps a
    second run from writing the same folder, and a missing folder is created
    empty at once. The parent's writability is checked by creating the
    temporary folder, so an unwritable destination fails before any work.

    Args:
        path: the run folder to write; None for a new `runs/<time>` folder
            (`new_run_path`).
        overwrite: replace a folder that already holds files.
        argument: the name of `path` in error messages.
    """
    claimed = path is None
    path = new_run_path() if path is None else Path(path)
    check_destination(path, overwrite, argument)
    with _lock(path, argument):
        check_destination(path, overwrite, argument)
        if not path.exists():
            try:
                path.mkdir(parents=True)
                claimed = True
            except OSError as error:
                raise ValueError(
                    f"{argument} {path}: cannot create it: {error}"
                ) from None
        token = uuid.uuid4().hex[:8]
        staging = path.with_name(f".{path.name}.tmp-{token}")
        try:
            staging.mkdir()
        except OSError as error:
            if claimed:
                path.rmdir()
            raise ValueError(
                f"{argument} {path}: cannot write next to it: {error}"
            ) from None
        try:
            yield RunFolder(staging, destination=path)
            interrupts.raise_if_received()  # one that code swallowed
            _commit(staging, path, overwrite, token, argument)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if claimed and path.is_dir() and not any(path.iterdir()):
                path.rmdir()
            raise


def _commit(staging, path, overwrite, token, argument):
    """Renames `staging` into place at `path` (see `atomic_folder`)."""
    if path.is_dir() and any(path.iterdir()):
        if not overwrite:
            raise ValueError(
                f"{argument} {path}: files appeared in the folder while this "
                "run was writing; nothing was written. Choose another folder."
            )
        old = path.with_name(f".{path.name}.old-{token}")
        with interrupts.deferred():
            os.rename(path, old)
            try:
                os.rename(staging, path)
            except BaseException:
                os.rename(old, path)
                raise
            shutil.rmtree(old, ignore_errors=True)
        return
    with interrupts.deferred():
        if path.is_dir():
            path.rmdir()
        os.rename(staging, path)


@contextlib.contextmanager
def _lock(path, argument):
    """Holds `.NAME.lock` next to `path` while a run writes it.

    A lock left by a process that no longer runs on this machine (killed
    with SIGKILL, say) is taken over.
    """
    lock = path.with_name(f".{path.name}.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = _create_lock(lock)
        if descriptor is None and _stale(lock):
            lock.unlink(missing_ok=True)
            descriptor = _create_lock(lock)
    except OSError as error:  # e.g. the parent is a file, or read-only
        raise ValueError(f"{argument} {path}: cannot write there: {error}") from None
    if descriptor is None:
        raise ValueError(
            f"{argument} {path}: another run is writing this folder (lock file "
            f"{lock}: process {_read_owner(lock).replace(' ', ' on ')}). Wait "
            "for it to finish, or "
            "choose another folder; delete the lock file if no run is writing "
            "there."
        )
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(f"{os.getpid()} {socket.gethostname()}\n")
        yield
    finally:
        lock.unlink(missing_ok=True)


def _create_lock(lock):
    """A descriptor of the new file `lock`, or None if it exists."""
    try:
        return os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return None


def _read_owner(lock):
    try:
        return lock.read_text("utf-8").strip()
    except OSError:
        return "unknown"


def _stale(lock):
    """Whether `lock` was left by a process that no longer runs here."""
    parts = _read_owner(lock).split()
    if len(parts) != 2 or not parts[0].isdigit():
        return False
    pid, host = int(parts[0]), parts[1]
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it runs, as another user
        return False
    return False
