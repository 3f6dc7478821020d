"""The Optuna study of `Forecaster.tune`: storage, sampler, pruner, budget,
resuming.

- **Sampler**: TPE (`optuna.samplers.TPESampler`), the first
  `STARTUP_TRIALS` trials drawn at random. Seeded with the Forecaster's
  seed when the study lives in memory (a search repeats); with a storage,
  unseeded, because workers and resumed searches sharing a study must not
  draw the same start-up configurations.
- **Pruner**: `"median"` (default; `MedianPruner`: after
  `PRUNER_STARTUP_TRIALS` finished trials and `PRUNER_WARMUP_EPOCHS`
  epochs, a trial whose best validation loss so far is worse than the
  median of the other trials at the same epoch stops), `"halving"`
  (`SuccessiveHalvingPruner`, asynchronous successive halving over epochs),
  `"none"`, or any `optuna.pruners.BasePruner`. The validation loss comes
  from `callbacks.TrialPruning` after every epoch.
- **Storage**: None keeps the study in memory. A SQLAlchemy URL
  (`"sqlite:///study.db"`, `"postgresql://..."`, any URL Optuna's
  `RDBStorage` accepts) keeps it in a database: a search interrupted and
  started again with the same `study_name` resumes, and several processes
  may search the same study at once. Trials of a process that died are
  noticed by their missing heartbeat (`HEARTBEAT_SECONDS`; stale after
  `GRACE_SECONDS`) and run again with the same configuration; a trial
  interrupted with Ctrl-C is queued again at once (see `Objective`).
- **Budget**: `n_trials` is the number of finished trials the study should
  hold (complete, pruned, or failed for an invalid configuration or a
  diverged loss; not the interrupted ones, which run again), counted over
  every process and every resumed run: a resumed search runs only the
  rest. With several workers the study can end with up to one extra trial
  per extra worker (each checks the count when its trial ends).
  `time_budget` (minutes) stops starting trials once spent, and cuts each
  trial's training time limit to what is left; the final fit of the best
  configuration comes after it.
- A study in a database records what it tunes (data, Forecaster, search
  space, validation start); resuming it with anything else is an error
  naming what differs, so trials that are not comparable never mix.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
import warnings

import numpy as np
import pandas as pd

from base_attentive.run_folder import json_ready

STARTUP_TRIALS = 5
PRUNER_STARTUP_TRIALS = 3
PRUNER_WARMUP_EPOCHS = 2
PRUNERS = ("median", "halving", "none")
HEARTBEAT_SECONDS = 30
GRACE_SECONDS = 120
# Storage of a retried trial's history (`RetryHeartbeatStaleTrialCallback`).
MAX_RETRIES = 3
DEFAULT_STUDY_NAME = "base-attentive"
# A SQLite database shared by processes: wait this long for a lock.
SQLITE_TIMEOUT_SECONDS = 60
OPEN_ATTEMPTS = 5
# User attribute outcomes of finished trials (`Objective`).
COUNTED_FAILURES = ("invalid", "diverged")


def import_optuna():
    """Imports Optuna, or raises an `ImportError` naming the extra."""
    try:
        import optuna
    except ImportError as error:
        raise ImportError(
            "Tuning needs Optuna. Install it with "
            '`pip install "base-attentive[tune]"` (or `pip install optuna`).'
        ) from error
    return optuna


@contextlib.contextmanager
def quiet_optuna():
    """Optuna's per-trial log lines and experimental-feature warnings off
    (the search reports its trials itself); restored afterwards."""
    optuna = import_optuna()
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            yield optuna
    finally:
        optuna.logging.set_verbosity(verbosity)


def open_storage(
    storage, *, heartbeat_interval=HEARTBEAT_SECONDS, grace_period=GRACE_SECONDS
):
    """The Optuna storage of a study.

    Args:
        storage: None (in memory), a SQLAlchemy URL, or an
            `optuna.storages.BaseStorage` (used as it is).
        heartbeat_interval: seconds between a running trial's heartbeats.
        grace_period: seconds without a heartbeat after which a running
            trial counts as dead (its configuration runs again).

    Returns:
        an `optuna.storages.BaseStorage` or None.
    """
    import sqlalchemy.exc

    with quiet_optuna() as optuna:
        if storage is None or isinstance(storage, optuna.storages.BaseStorage):
            return storage
        if not isinstance(storage, str) or not storage.strip():
            raise TypeError(
                "`storage` must be None, a database URL such as "
                "'sqlite:///study.db', or an optuna storage. Received: "
                f"{storage!r}"
            )
        url = storage.strip()
        engine = {}
        if url.startswith("sqlite"):
            engine = {"connect_args": {"timeout": SQLITE_TIMEOUT_SECONDS}}
        try:
            for attempt in range(OPEN_ATTEMPTS):
                try:
                    return optuna.storages.RDBStorage(
                        url,
                        engine_kwargs=engine,
                        heartbeat_interval=heartbeat_interval,
                        grace_period=grace_period,
                        heartbeat_stale_trial_callback=(
                            optuna.storages.RetryHeartbeatStaleTrialCallback(
                                max_retry=MAX_RETRIES
                            )
                        ),
                    )
                except (
                    sqlalchemy.exc.OperationalError,
                    sqlalchemy.exc.IntegrityError,
                ):
                    # Workers opening a new database at once race to create
                    # its tables ("table ... already exists", "UNIQUE
                    # constraint failed: alembic_version..."), or find it
                    # locked; the loser opens it again.
                    if attempt == OPEN_ATTEMPTS - 1:
                        raise
                    time.sleep(0.5 * (attempt + 1))
        except ImportError as error:
            raise ImportError(
                f"`storage` {describe_storage(url)}: {error} (the database "
                "driver of this URL is not installed)"
            ) from error
        except sqlalchemy.exc.SQLAlchemyError as error:
            raise ValueError(
                f"`storage` {describe_storage(url)}: cannot open the database: {error}"
            ) from error


def describe_storage(storage):
    """The storage for reports, without a password."""
    if storage is None:
        return "in memory"
    url = storage if isinstance(storage, str) else getattr(storage, "url", None)
    if url is None:
        return type(storage).__name__
    import sqlalchemy.exc
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except sqlalchemy.exc.ArgumentError:
        return "<a URL SQLAlchemy cannot parse>"


def make_pruner(pruner):
    """An Optuna pruner from a name in `PRUNERS` or a pruner instance."""
    optuna = import_optuna()
    if isinstance(pruner, optuna.pruners.BasePruner):
        return pruner
    if pruner == "median":
        return optuna.pruners.MedianPruner(
            n_startup_trials=PRUNER_STARTUP_TRIALS,
            n_warmup_steps=PRUNER_WARMUP_EPOCHS,
        )
    if pruner == "halving":
        return optuna.pruners.SuccessiveHalvingPruner()
    if pruner == "none":
        return optuna.pruners.NopPruner()
    raise ValueError(
        f"`pruner` must be one of {list(PRUNERS)} or an optuna pruner. "
        f"Received: pruner={pruner!r}"
    )


def data_fingerprint(frame, columns):
    """Rows, time range and a hash of the used columns of the tuning data."""
    used = [column for column in dict.fromkeys(columns) if column in frame.columns]
    hashed = pd.util.hash_pandas_object(frame[used], index=False).to_numpy()
    return {
        "rows": len(frame),
        "columns": used,
        "sha256": hashlib.sha256(np.ascontiguousarray(hashed).tobytes()).hexdigest(),
    }


def load_study(storage, study_name, sampler, pruner, setup):
    """Creates the study, or opens it to resume; checks it tunes `setup`.

    Raises:
        ValueError: if the stored study was created for another setup.
    """
    optuna = import_optuna()
    study = optuna.create_study(
        storage=storage,
        sampler=sampler,
        pruner=pruner,
        study_name=study_name,
        direction="minimize",
        load_if_exists=True,
    )
    setup = json.loads(json.dumps(json_ready(setup), default=str))
    stored = study.user_attrs.get("setup")
    if stored is None:
        study.set_user_attr("setup", setup)
        stored = study.user_attrs.get("setup", setup)
    if stored != setup:
        differing = _differences(stored, setup)
        raise ValueError(
            f"The study {study_name!r} in {describe_storage(storage)} tunes "
            f"another setup (different {differing}); its trials are not "
            "comparable with this search. Pass another `study_name` (CLI: "
            "--study-name) or the same data, settings and search space."
        )
    return study


def _differences(stored, given, prefix=""):
    """Dotted paths of the entries that differ between two JSON dicts."""
    paths = []
    for key in sorted(set(stored) | set(given)):
        old, new = stored.get(key), given.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            paths += _differences(old, new, f"{prefix}{key}.")
        else:
            paths.append(f"{prefix}{key}")
    return paths


def counted_trials(study):
    """Trials that count toward `n_trials` (see the module docstring)."""
    optuna = import_optuna()
    states = optuna.trial.TrialState
    return [
        trial
        for trial in study.get_trials(deepcopy=False)
        if trial.state in (states.COMPLETE, states.PRUNED)
        or (
            trial.state == states.FAIL
            and trial.user_attrs.get("outcome") in COUNTED_FAILURES
        )
    ]


class StopAfter:
    """Optuna callback: stops the study once `n_trials` trials count."""

    def __init__(self, n_trials):
        self.n_trials = n_trials

    def __call__(self, study, trial):
        if len(counted_trials(study)) >= self.n_trials:
            study.stop()
