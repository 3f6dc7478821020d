"""Faults survived: careless input, interruption and concurrency (issue 21).

Each test is one fault a careless user met, named after what must hold
instead. The list, by section:

Run folders (atomic, claimed, never mixed)
- SIGTERM while `train --overwrite` trains leaves the old run whole, exit 143.
- SIGINT during the first compilation (JAX's crashed, exit 139) leaves no
  run folder, exit 130, no crash.
- a signal while the new run is renamed into place waits for the renames.
- a failed rename puts the old run back.
- `--overwrite` leaves no stale file of the old run (`calibration.json`).
- two runs cannot write one `--out` folder: the second is refused at start.
- an unwritable `--out` is refused before training.
- default run folder names never collide.
Output files (never an input, never inside a run)
- `predict --out` refuses the `--data` table, a file in a run folder, a
  folder, an existing file without `--overwrite`; `evaluate --forecasts`
  too; `predict` writes a new file outside the run folder by default.
- a file that appears while the command runs is not replaced.
Tables (validated once, at the boundary)
- inf and 1e300 are errors naming column, series and time; one 1e30 is a
  warning with a count.
- a repeated header column, a truncated `.csv.gz`, a folder as `--data`, a
  header-only file, a numeric time column: clear errors, no traceback, no
  blame on filters nobody gave.
- ids `01`, `1`, `001` stay three series.
- times with DST offsets are read; calendar features follow the local
  clock; outputs keep the zone; zone-less times after zoned ones refused.
- data errors name the CLI's options, not the Python API's arguments.
- MASE says when a zero-scale series is left out.
- a JSON config repeating a key is refused.
Model arrays
- NaN / inf in inputs or targets, targets of the wrong shape or horizon,
  zero samples, integer inputs.
Saved runs (safe loading)
- a tampered `dataset.json` (negative scale, other lookback), missing keys,
  a `calibration.json` of other quantiles, a corrupt `model.keras`.

One tiny hourly run (two series around a daylight-saving change, in
Europe/Paris time) is fitted once per module and shared; the command line
runs in a subprocess only where the process is what is tested (signals).
"""

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from base_attentive import Forecaster, cli, interrupts
from base_attentive.commands.settings import read_config
from base_attentive.commands.tables import load_frame, output_times, parse_times
from base_attentive.data import DatasetSpec, ForecastDataset
from base_attentive.data.calendar import calendar_features
from base_attentive.data.io import read_table
from base_attentive.data.prepare import prepare_frame
from base_attentive.data.validation import to_datetime_ns
from base_attentive.evaluation import score
from base_attentive.run_folder import atomic_folder, new_run_path, write_text_atomic

BACKEND = os.environ["KERAS_BACKEND"]
ZONE = "Europe/Paris"
LOOKBACK, HORIZON = 24, 6
TINY = {
    "embed_dim": 4, "hidden_units": 4, "lstm_units": 4, "attention_units": 4,
    "num_heads": 1, "memory_size": 4,
}  # fmt: skip
TINY_CLI = [
    "--embed-dim", "4", "--hidden-units", "4", "--lstm-units", "4",
    "--attention-units", "4", "--num-heads", "1", "--memory-size", "4",
    "--batch-size", "32",
]  # fmt: skip
FAST_XLA = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


def _hourly_frame():
    """Two series, hourly, 2016-03-20 .. 04-02 in Paris time (DST on 03-27)."""
    times = pd.date_range("2016-03-20", "2016-04-02 23:00", freq="h", tz=ZONE)
    rng = np.random.default_rng(0)
    parts = []
    for index, series in enumerate(["A", "B"]):
        daily = np.sin(2 * np.pi * times.hour / 24)
        parts.append(
            pd.DataFrame(
                {
                    "time": times,
                    "id": series,
                    "y": 10 + 5 * index + 3 * daily + rng.normal(0, 0.3, len(times)),
                    "x": rng.normal(0, 1, len(times)),
                    "f": (times.dayofweek >= 5).astype(float),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The table (history; future = horizon rows, target empty) as Parquet
    (the zone kept) and a train config."""
    root = tmp_path_factory.mktemp("faults")
    frame = _hourly_frame()
    last = frame["time"].max() - pd.Timedelta(hours=HORIZON)
    history = frame[frame["time"] <= last].reset_index(drop=True)
    future = frame.copy()
    future.loc[future["time"] > last, "y"] = np.nan
    paths = {
        "history_file": root / "history.parquet",
        "future_file": root / "future.parquet",
    }
    history.to_parquet(paths["history_file"])
    future.to_parquet(paths["future_file"])
    paths["config"] = root / "run.toml"
    paths["config"].write_text(
        f'data = "{paths["history_file"].name}"\ntime_col = "time"\nid_col = "id"\n'
        'target = "y"\npast = ["x"]\nfuture = ["f"]\n'
        f"lookback = {LOOKBACK}\nhorizon = {HORIZON}\ntest = 48\nvalidation = 48\n"
    )
    return {"root": root, "history": history, "future": future, **paths}


@pytest.fixture(scope="module")
def run(files):
    """A tiny Forecaster fitted on the history and saved as a run folder."""
    forecaster = Forecaster(
        target="y", time_col="time", id_col="id", lookback=LOOKBACK,
        horizon=HORIZON, past=["x"], future=["f"], model=TINY,
        training={"epochs": 1, "steps_per_epoch": 2, "batch_size": 32},
    )  # fmt: skip
    forecaster.fit(files["history"], validation=48, verbose=0)
    path = forecaster.save(files["root"] / "run")
    return {"forecaster": forecaster, "path": path}


def _copy_run(run, tmp_path, name="run"):
    return Path(shutil.copytree(run["path"], tmp_path / name))


def _digest(folder):
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _hidden(parent):
    return sorted(path.name for path in parent.iterdir() if path.name.startswith("."))


def _cli(capsys, *args):
    """`base-attentive ARGS` in this process: (exit code, stdout, stderr)."""
    code = cli.main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- run folders: atomic, claimed, never mixed --------------------------------


def _train_until(files, out, marker, delay, signum, *extra):
    """Starts `base-attentive train` in a fresh process, sends `signum`
    `delay` seconds after a stdout line containing `marker`.

    Returns:
        (exit code, stdout, stderr).
    """
    env = {k: v for k, v in os.environ.items() if k != "BASE_ATTENTIVE_BACKEND"}
    env.update(KERAS_BACKEND=BACKEND, TF_CPP_MIN_LOG_LEVEL="2", XLA_FLAGS=FAST_XLA)
    env["PYTHONUNBUFFERED"] = "1"
    command = [
        sys.executable, "-m", "base_attentive", "train", "--config",
        str(files["config"]), *TINY_CLI, "--epochs", "100", "--steps-per-epoch",
        "20", "--time-limit", "30", "--plot-series", "0", "--out", str(out), *extra,
    ]  # fmt: skip
    errors = files["root"] / f"stderr-{out.name}.txt"
    with open(errors, "w") as stderr:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env
        )
        seen = []
        for line in process.stdout:
            seen.append(line)
            if marker in line:
                time.sleep(delay)
                process.send_signal(signum)
                break
        rest, _ = process.communicate(timeout=600)
    return process.returncode, "".join(seen) + rest, errors.read_text()


@pytest.mark.backend_independent
def test_sigterm_while_training_with_overwrite_leaves_the_old_run_whole(
    run, files, tmp_path
):
    old = _copy_run(run, tmp_path, "old")
    before = _digest(old)
    code, out, err = _train_until(
        files, old, "Epoch 2/", 0.2, signal.SIGTERM, "--overwrite"
    )
    assert code == 143, (out[-2000:], err[-3000:])
    assert err.strip().splitlines()[-1] == "error: terminated"
    assert _digest(old) == before
    assert _hidden(tmp_path) == []  # no temporary folder, lock or old copy


def test_sigint_during_the_first_compilation_exits_130_without_a_crash(files, tmp_path):
    out = tmp_path / "new"
    # JAX compiles the training step right after this line (~seconds); torch
    # traces the model's shapes inside a bare `except:` that swallows the
    # signal (`callbacks.StopOnSignal` raises it again). 100 epochs that
    # cannot stop early keep the run going until the signal comes.
    code, stdout, err = _train_until(
        files, out, "[3/5] training", 0.5, signal.SIGINT, "--min-epochs", "100"
    )
    assert code == 130, (stdout[-2000:], err[-3000:])
    assert "Fatal Python error" not in err and "Segmentation fault" not in err
    assert err.strip().splitlines()[-1] == "error: interrupted"
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_a_signal_during_the_final_rename_waits_for_both_renames(tmp_path, monkeypatch):
    target = tmp_path / "run"
    target.mkdir()
    (target / "old.txt").write_text("old")
    rename = os.rename

    def rename_then_signal(source, destination):
        rename(source, destination)
        signal.raise_signal(signal.SIGTERM)  # arrives between the two renames

    monkeypatch.setattr(os, "rename", rename_then_signal)
    with (
        pytest.raises(interrupts.Terminated),
        interrupts.signals_as_exceptions(),
        atomic_folder(target, overwrite=True) as folder,
    ):
        (folder.root / "new.txt").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert _hidden(tmp_path) == []


def test_a_failed_rename_puts_the_old_run_back(tmp_path, monkeypatch):
    target = tmp_path / "run"
    target.mkdir()
    (target / "old.txt").write_text("old")
    rename = os.rename

    def fail_into_place(source, destination):
        if Path(source).name.startswith(".run.tmp-"):
            raise OSError("disk full")
        rename(source, destination)

    monkeypatch.setattr(os, "rename", fail_into_place)
    with (
        pytest.raises(OSError, match="disk full"),
        atomic_folder(target, overwrite=True) as folder,
    ):
        (folder.root / "new.txt").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["old.txt"]
    assert _hidden(tmp_path) == []


def _swallowed(signum):
    """Receives `signum` inside code that catches every exception, as
    Keras' torch backend does while it traces a model's shapes."""
    with contextlib.suppress(BaseException):  # as a bare `except:`
        signal.raise_signal(signum)


@pytest.mark.parametrize(
    "signum, stop",
    [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, interrupts.Terminated)],
)
def test_a_swallowed_signal_still_keeps_the_run_out_of_place(tmp_path, signum, stop):
    target = tmp_path / "run"
    target.mkdir()
    (target / "model.keras").write_text("old model")
    with (
        pytest.raises(stop),
        interrupts.signals_as_exceptions(),
        atomic_folder(target, overwrite=True) as folder,
    ):
        (folder.root / "model.keras").write_text("new model")
        _swallowed(signum)
    assert (target / "model.keras").read_text() == "old model"
    assert _hidden(tmp_path) == []


def test_a_swallowed_signal_is_raised_once_the_command_is_over_no_more():
    with pytest.raises(KeyboardInterrupt), interrupts.signals_as_exceptions():
        _swallowed(signal.SIGINT)
        interrupts.raise_if_received()
    interrupts.raise_if_received()  # outside the block: nothing to stop


@pytest.mark.parametrize("stop", [KeyboardInterrupt, interrupts.Terminated])
def test_an_interrupted_run_leaves_the_old_folder_and_nothing_else(tmp_path, stop):
    target = tmp_path / "run"
    target.mkdir()
    (target / "model.keras").write_text("old model")
    with pytest.raises(stop), atomic_folder(target, overwrite=True) as folder:
        (folder.root / "model.keras").write_text("")  # half written
        raise stop()
    assert (target / "model.keras").read_text() == "old model"
    assert _hidden(tmp_path) == []


def _command_that_fails_after(signum, error, monkeypatch):
    """Replaces `info` with a command that receives `signum` inside code
    catching every exception, then raises `error`: a signal landing in native
    code that CPython turns into another exception (SIGINT during
    TensorFlow's first compilation surfaced as a SystemError). The process
    is not ended, so that the test can read the exit code."""

    def run(args):
        if signum is not None:
            _swallowed(signum)
        raise error

    stopped_with = []
    monkeypatch.setitem(cli.COMMANDS, "info", cli.COMMANDS["info"]._replace(run=run))
    monkeypatch.setattr(interrupts, "exit_now", stopped_with.append)
    return stopped_with


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "signum, code, line",
    [
        (signal.SIGINT, 130, "error: interrupted"),
        (signal.SIGTERM, 143, "error: terminated"),
    ],
)
@pytest.mark.parametrize(
    "error", [SystemError("bad argument to internal function"), ValueError("x")]
)
def test_a_signal_turned_into_another_exception_still_exits_as_stopped(
    monkeypatch, capsys, signum, code, line, error
):
    stopped_with = _command_that_fails_after(signum, error, monkeypatch)
    assert cli.main(["info"]) == code
    assert stopped_with == [code]
    assert capsys.readouterr().err.strip().splitlines() == [line]


@pytest.mark.backend_independent
def test_an_internal_error_without_a_signal_is_not_reported_as_stopped(monkeypatch):
    stopped_with = _command_that_fails_after(None, SystemError("bug"), monkeypatch)
    with pytest.raises(SystemError, match="bug"):
        cli.main(["info"])
    assert stopped_with == []


@pytest.mark.backend_independent
def test_overwrite_leaves_no_stale_file_of_the_old_run(run, tmp_path):
    old = _copy_run(run, tmp_path)
    (old / "stale.txt").write_text("from an older version")
    forecaster = run["forecaster"]
    forecaster.calibrator_, calibrator = None, forecaster.calibrator_
    try:
        forecaster.save(old, overwrite=True)
    finally:
        forecaster.calibrator_ = calibrator
    names = {path.name for path in old.iterdir()}
    assert "calibration.json" not in names and "stale.txt" not in names
    assert Forecaster.load(old).calibrator_ is None


def test_a_second_run_cannot_write_the_same_out_folder(files, tmp_path, capsys):
    out = tmp_path / "shared"
    with atomic_folder(out):  # a first run, writing
        code, stdout, err = _cli(
            capsys, "train", "--config", files["config"], *TINY_CLI, "--out", out
        )
    assert code == 2
    assert "another run is writing this folder" in err
    assert "[3/5] training" not in stdout  # refused before training


def test_an_unwritable_out_is_refused_before_training(files, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    code, stdout, err = _cli(
        capsys, "train", "--config", files["config"], "--out", blocker / "run"
    )
    assert code == 2 and err.startswith("error: --out ")
    assert "is a file, not a folder" in err and "Traceback" not in err
    assert stdout == ""


def test_default_run_folder_names_never_collide(tmp_path):
    names = [new_run_path(tmp_path) for _ in range(3)]  # within one second
    assert len(set(names)) == 3 and all(path.is_dir() for path in names)


# -- output files: never an input, never inside a run -------------------------


@pytest.mark.parametrize(
    "where, message",
    [
        ("data", "is the input table"),
        ("run/dataset.json", "is inside the run folder"),
        ("folder", "is a folder"),
        ("existing", "the file exists"),
    ],
)
@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_outputs_never_replace_an_input_or_a_run_file(
    run, files, tmp_path, capsys, command, where, message
):
    model = _copy_run(run, tmp_path)
    data = tmp_path / "data.parquet"
    shutil.copy(files["future_file"], data)
    (tmp_path / "folder").mkdir()
    (tmp_path / "existing").write_text("keep me")
    path = data if where == "data" else tmp_path / where
    before = {p: p.read_bytes() for p in (data, model / "dataset.json")}
    option = "--out" if command == "predict" else "--forecasts"
    code, _, err = _cli(capsys, command, "--model", model, "--data", data, option, path)
    assert code == 2 and message in err, err
    assert err.startswith(f"error: {option} ")
    assert {p: p.read_bytes() for p in before} == before
    assert (tmp_path / "existing").read_text() == "keep me"


def test_predict_writes_outside_the_run_and_replaces_only_with_overwrite(
    run, files, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    model = _copy_run(run, tmp_path)
    before = _digest(model)
    code, _, err = _cli(
        capsys, "predict", "--model", model, "--data", files["future_file"], "--quiet"
    )
    assert code == 0, err
    (written,) = (tmp_path / "predictions").iterdir()
    assert written.name.startswith("run-") and written.suffix == ".csv"
    assert _digest(model) == before
    code, _, err = _cli(
        capsys, "predict", "--model", model, "--data", files["future_file"],
        "--out", written, "--overwrite", "--quiet",
    )  # fmt: skip
    assert code == 0, err
    forecasts = pd.read_csv(written)
    assert len(forecasts) == 2 * HORIZON
    # Times keep the input's zone: the horizon is after the DST change.
    assert forecasts["time"].str.endswith("+02:00").all()
    assert forecasts["forecast_origin"].str.endswith("+02:00").all()


def test_a_file_appearing_meanwhile_is_not_replaced(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("someone else's")
    with pytest.raises(FileExistsError):
        write_text_atomic(path, "mine", overwrite=False)
    assert path.read_text() == "someone else's"
    assert _hidden(tmp_path) == []


# -- tables: validated once, at the boundary ----------------------------------


def _spec(**changes):
    arguments = dict(
        time_column="time", id_column="id", target_columns="y",
        lookback=LOOKBACK, forecast_horizon=HORIZON, past_columns=("x",),
    )  # fmt: skip
    return DatasetSpec(**{**arguments, **changes})


@pytest.mark.parametrize("value", [np.inf, -np.inf, 1e300])
def test_infinite_or_absurd_values_name_column_series_and_time(files, value):
    frame = files["history"].copy()
    frame.loc[30, "y"] = value
    frame.loc[400, "x"] = value
    with pytest.raises(ValueError, match="Infinite or absurdly large") as error:
        prepare_frame(frame, _spec())
    message = str(error.value)
    assert "'y': 1 value(s), at series 'A' at 2016-03-21 05:00:00" in message
    assert "`past_columns` column 'x'" in message and "series 'B'" in message


def test_one_extreme_outlier_is_warned_with_a_count(files):
    frame = files["history"].copy()
    frame.loc[30, "y"] = 1e30
    with pytest.warns(UserWarning, match=r"'y': 1 value\(s\), first series 'A'"):
        prepare_frame(frame, _spec())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare_frame(files["history"], _spec())  # ordinary data: no warning
    assert not [w for w in caught if "Extreme outliers" in str(w.message)]


def _write(path, text):
    path.write_text(text)
    return path


def test_a_repeated_header_column_is_refused(tmp_path):
    path = _write(tmp_path / "t.csv", "time,y,y\n2016-01-01,1,2\n")
    with pytest.raises(ValueError, match=r"names column\(s\) \['y'\] more than once"):
        read_table(path, "--data")


def test_a_truncated_gzip_is_named_as_truncated(tmp_path):
    import gzip

    data = gzip.compress(("time,y\n" + "2016-01-01,1\n" * 5000).encode())
    path = tmp_path / "t.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="--data .*t.csv.gz: the compressed file is"):
        read_table(path, "--data")


def test_a_folder_as_data_and_a_header_only_file_are_named(tmp_path, capsys):
    folder = tmp_path / "tables.csv"
    folder.mkdir()
    with pytest.raises(ValueError, match="is a folder; expected a table file"):
        read_table(folder, "--data")
    header = _write(tmp_path / "empty.csv", "time,id,y\n")
    code, _, err = _cli(
        capsys, "train", "--data", header, "--time-col", "time", "--target", "y"
    )
    assert code == 2 and "the table has no rows" in err
    assert "filter" not in err


def test_leading_zero_ids_stay_separate_series(tmp_path):
    lines = ["time,id,y"] + [
        f"2016-01-{day:02d},{series},{day}"
        for series in ("01", "1", "001")
        for day in range(1, 4)
    ]
    path = _write(tmp_path / "t.csv", "\n".join(lines) + "\n")
    settings = {
        "data": str(path), "time_col": "time", "id_col": "id", "target": "y",
        "static": [], "past": [], "future": [], "series": None, "start": None,
        "end": None,
    }  # fmt: skip
    frame, _ = load_frame(settings)
    assert sorted(frame["id"].unique()) == ["001", "01", "1"]


def test_a_numeric_time_column_needs_a_time_format():
    numbers = pd.Series([20160101, 20160102])
    with pytest.raises(ValueError, match="holds numbers .*Give --time-format"):
        parse_times(numbers, "day")
    assert parse_times(numbers, "day", "%Y%m%d").tolist() == [
        pd.Timestamp("2016-01-01"),
        pd.Timestamp("2016-01-02"),
    ]
    seconds = parse_times(pd.Series([1451606400]), "t", "unix-s")
    assert seconds.tolist() == [pd.Timestamp("2016-01-01")]


def test_dst_offsets_are_read_and_calendar_features_follow_the_local_clock(files):
    text = files["history"]["time"].map(lambda t: t.isoformat())
    with pytest.warns(UserWarning, match="--timezone"):
        as_utc = parse_times(text, "time")
    local = parse_times(text, "time", timezone=ZONE)
    assert str(local.dt.tz) == ZONE and (as_utc == local).all()
    frame = files["history"].assign(time=local)
    data = ForecastDataset(_spec(calendar_features=("hour",), timezone=ZONE)).fit(frame)
    assert data.freq == "h"  # regular across the change, in UTC
    times = to_datetime_ns(local, "time")
    hours = calendar_features(times, ["hour"], timezone=ZONE)
    expected = calendar_features(local.dt.tz_localize(None), ["hour"])
    np.testing.assert_allclose(hours, expected)


def test_outputs_keep_the_zone_and_zone_less_times_are_refused(run, files):
    column = files["future"]["time"]
    frame = pd.DataFrame({"time": to_datetime_ns(column, "time")[:2]})
    restored = output_times(frame, column, "time")
    assert restored["time"].tolist() == column.iloc[:2].tolist()
    naive = files["future"].assign(time=files["future"]["time"].dt.tz_localize(None))
    with pytest.raises(ValueError, match="fitted on times with a time zone"):
        run["forecaster"].predict(naive)


def test_data_errors_name_the_cli_options_not_api_arguments(files, tmp_path, capsys):
    gappy = files["history"].drop(index=range(40, 43))
    data = tmp_path / "gappy.parquet"
    gappy.to_parquet(data)
    code, _, err = _cli(
        capsys, "train", "--config", files["config"], *TINY_CLI, "--data", data,
        "--out", tmp_path / "run",
    )  # fmt: skip
    assert code == 2 and "not regular" in err and "--fill-missing" in err
    assert "fill_gaps" not in err and "DatasetSpec" not in err
    assert not (tmp_path / "run").exists()


def test_mase_names_a_zero_scale_series_it_leaves_out():
    y = np.ones((2, 3, 1))
    forecast = np.repeat(y[:, :, None, :], 3, axis=2)
    with pytest.warns(RuntimeWarning, match=r"leave out 1 of 2 series.*\['flat'\]"):
        table = score(
            y, forecast, [0.1, 0.5, 0.9], series=np.array([0, 1]),
            scale=np.array([[1.0], [0.0]]), series_ids=["ok", "flat"],
        )  # fmt: skip
    assert (table["mase_series"] == 1).all()


def test_a_json_config_repeating_a_key_is_refused(tmp_path):
    path = _write(tmp_path / "run.json", '{"lookback": 14, "lookback": 28}')
    with pytest.raises(ValueError, match=r"\['lookback'\] given more than once"):
        read_config(path)


# -- model arrays -------------------------------------------------------------


@pytest.fixture(scope="module")
def model():
    from base_attentive import BaseAttentive

    model = BaseAttentive(
        static_input_dim=2, dynamic_input_dim=3, future_input_dim=1,
        forecast_horizon=4, quantiles=[0.1, 0.5, 0.9], **TINY,
    )  # fmt: skip
    model.compile(loss="auto")
    return model


def _arrays(batch=8):
    rng = np.random.default_rng(0)
    x = [rng.random((batch, 2)), rng.random((batch, 6, 3)), rng.random((batch, 4, 1))]
    return [part.astype("float32") for part in x], rng.random((batch, 4, 1))


@pytest.mark.parametrize("where", ["input", "target"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nan_or_inf_in_arrays_is_an_error(model, where, value):
    x, y = _arrays()
    (x[1] if where == "input" else y)[2, 1, 0] = value
    with pytest.raises(ValueError, match=r"`fit`: 1 NaN or infinite value\(s\)"):
        model.fit(x, y, epochs=1, verbose=0)
    if where == "input":
        with pytest.raises(ValueError, match=r"in input `dynamic`, first at index"):
            model.predict(x, verbose=0)


@pytest.mark.parametrize("shape", [(8, 4, 2), (8, 5, 1), (8, 4)])
def test_targets_of_the_wrong_shape_name_expected_and_received(model, shape):
    x, _ = _arrays()
    with pytest.raises(
        ValueError, match=r"= \(8, 4, 1\).*Received shape " + re.escape(str(shape))
    ):
        model.fit(x, np.zeros(shape), epochs=1, verbose=0)


def test_zero_samples_give_an_empty_forecast_and_cannot_train(model):
    x, y = _arrays(batch=0)
    assert model.predict(x, verbose=0).shape == (0, 4, 3, 1)
    with pytest.raises(ValueError, match="no sample"):
        model.fit(x, y, epochs=1, verbose=0)


def test_integer_inputs_are_cast(model):
    rng = np.random.default_rng(1)
    x = [rng.integers(0, 3, (4, 2)), rng.integers(0, 3, (4, 6, 3)), None]
    x[2] = rng.integers(0, 2, (4, 4, 1))
    floats = [part.astype("float32") for part in x]
    np.testing.assert_allclose(
        model.predict(x, verbose=0), model.predict(floats, verbose=0), rtol=1e-6
    )


# -- saved runs: safe loading -------------------------------------------------


def _edit(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize(
    "file, change, message",
    [
        (
            "dataset.json",
            lambda d: d["target_scaler"].update(scale=[[-1.0], [2.0]]),
            "key 'target_scaler.scale' must be numbers > 0",
        ),
        (
            "dataset.json",
            lambda d: d["spec"].update(lookback=48),
            "key 'spec.lookback' must be 24, the run's",
        ),
        ("run.json", lambda d: d.pop("training"), "key 'training' is missing"),
        (
            "calibration.json",
            lambda d: d.update(quantiles=[0.2, 0.5, 0.8]),
            "key 'quantiles' must be the run's quantiles",
        ),
    ],
)
def test_a_tampered_run_file_is_refused_naming_file_and_key(
    run, tmp_path, file, change, message
):
    folder = _copy_run(run, tmp_path)
    _edit(folder / file, change)
    with pytest.raises(ValueError, match=message) as error:
        Forecaster.load(folder)
    assert str(error.value).startswith(str(folder / file))


def test_a_corrupt_model_is_named_corrupt_not_missing(run, files, tmp_path, capsys):
    folder = _copy_run(run, tmp_path)
    keras_file = folder / "model.keras"
    keras_file.write_bytes(keras_file.read_bytes()[:1000])
    code, _, err = _cli(
        capsys, "predict", "--model", folder, "--data", files["future_file"]
    )
    assert code == 2 and "model.keras: the model file is corrupt" in err
    assert "not found" not in err.lower()
