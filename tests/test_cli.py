"""The ``base-attentive`` command line: global options, dispatch, ``info``.

CLI tests for other commands go below in their own clearly named sections.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import base_attentive
from base_attentive import cli
from base_attentive.backend import resolution

# The backend this test run uses (the suite runs once per KERAS_BACKEND).
CURRENT_BACKEND = os.environ["KERAS_BACKEND"]
OTHER_BACKEND = "jax" if CURRENT_BACKEND != "jax" else "torch"


def _child_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k != "BASE_ATTENTIVE_BACKEND"}
    env.update(KERAS_BACKEND=CURRENT_BACKEND, TF_CPP_MIN_LOG_LEVEL="2")
    env.update(overrides)
    return env


def _console_script():
    script = Path(sys.executable).with_name("base-attentive")
    assert script.exists(), f"console script not installed next to {sys.executable}"
    return str(script)


@pytest.fixture
def fresh_backend_state(monkeypatch):
    """No backend variables; Keras taken as not imported (see _reset_for_tests)."""
    monkeypatch.delenv("BASE_ATTENTIVE_BACKEND", raising=False)
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    resolution._reset_for_tests(keras_backend=None)
    yield monkeypatch
    resolution._reset_for_tests()


@pytest.fixture
def probe_command(monkeypatch):
    """Register a throw-away ``probe`` command; returns what it saw."""
    seen = {}

    def run(args):
        seen["backend"] = base_attentive.get_backend()
        seen["KERAS_BACKEND"] = os.environ.get("KERAS_BACKEND")
        if args.fail_with:
            raise ValueError(args.fail_with)
        return 0

    def configure(parser):
        parser.add_argument("--fail-with", default=None)

    monkeypatch.setitem(
        cli.COMMANDS, "probe", cli.Command("test command", configure, run)
    )
    return seen


# -- global options and dispatch ---------------------------------------------


def test_cli_backend_option_is_applied_before_the_command(
    fresh_backend_state, probe_command
):
    assert cli.main(["--backend", "PyTorch", "probe"]) == 0
    assert probe_command == {"backend": "torch", "KERAS_BACKEND": "torch"}


def test_cli_bad_backend_option_is_one_error_line(
    fresh_backend_state, probe_command, capsys
):
    assert cli.main(["--backend", "theano", "probe"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --backend theano: Invalid backend: 'theano' is a")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert probe_command == {}


def test_cli_backend_option_losing_to_environment_is_an_error(
    fresh_backend_state, probe_command, capsys
):
    fresh_backend_state.setenv("KERAS_BACKEND", "jax")
    assert cli.main(["--backend", "torch", "probe"]) == 2
    err = capsys.readouterr().err
    assert "KERAS_BACKEND environment variable ('jax') has priority" in err


def test_cli_user_error_in_a_command_exits_2_without_traceback(
    fresh_backend_state, probe_command, capsys
):
    assert cli.main(["probe", "--fail-with", "window too long"]) == 2
    assert capsys.readouterr().err == "error: window too long\n"


def test_cli_debug_shows_the_traceback(fresh_backend_state, probe_command):
    with pytest.raises(ValueError, match="window too long"):
        cli.main(["--debug", "probe", "--fail-with", "window too long"])


def test_cli_without_a_command_prints_usage_and_exits_2(capsys):
    assert cli.main([]) == 2
    assert "info" in capsys.readouterr().err


def test_cli_unknown_command_exits_2(capsys):
    assert cli.main(["fly"]) == 2
    assert "invalid choice: 'fly'" in capsys.readouterr().err


def test_cli_version_option(capsys):
    assert cli.main(["--version"]) == 0
    assert (
        capsys.readouterr().out.strip()
        == f"base-attentive {base_attentive.__version__}"
    )


# -- info ---------------------------------------------------------------------


def test_console_script_is_installed_and_runs():
    result = subprocess.run(
        [_console_script(), "--version"],
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"base-attentive {base_attentive.__version__}"


def test_python_m_info_json_reports_the_running_backend():
    # A fresh process, as a user runs it. Devices are skipped here: listing
    # them imports every installed framework (tens of seconds); the device
    # path is tested in tests/backend for the backend of this run.
    result = subprocess.run(
        [sys.executable, "-m", "base_attentive", "info", "--json", "--no-devices"],
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["active_backend"] == {
        "name": CURRENT_BACKEND,
        "rule": "KERAS_BACKEND",
        "decided_by": "KERAS_BACKEND environment variable",
    }
    assert report["conflict"] is None
    assert report["keras"]["backend"] == CURRENT_BACKEND
    assert report["keras"]["floatx"] == "float32"
    assert report["keras"]["version"].startswith("3.")
    assert Path(report["python"]["executable"]).parent == Path(sys.executable).parent
    assert report["environment"]["KERAS_BACKEND"] == CURRENT_BACKEND
    assert set(report["frameworks"]) == {"tensorflow", "torch", "jax"}
    current = report["frameworks"][CURRENT_BACKEND]
    assert current["installed"] and current["compatible"]
    assert current["min_version"] and current["version"]


# -- an invalid backend variable ------------------------------------------------
# The CLI resolves the backend first: an invalid BASE_ATTENTIVE_BACKEND is one
# error line and exit code 2, started either way.

BAD_BACKEND_ENV = {"BASE_ATTENTIVE_BACKEND": "nonsense"}


def _run_with_bad_backend(*command):
    return subprocess.run(
        [*command, "info", "--no-devices"],
        env=_child_env(**BAD_BACKEND_ENV),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("launcher", ["console script", "python -m"])
def test_cli_invalid_backend_variable_is_one_error_line(launcher):
    if launcher == "console script":
        result = _run_with_bad_backend(_console_script())
    else:
        result = _run_with_bad_backend(sys.executable, "-m", "base_attentive")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: Invalid backend: unknown backend name.")
    assert "BASE_ATTENTIVE_BACKEND='nonsense'" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_cli_invalid_backend_variable_with_debug_shows_the_traceback():
    result = _run_with_bad_backend(sys.executable, "-m", "base_attentive", "--debug")
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "ValueError: Invalid backend" in result.stderr


@pytest.fixture
def keras_imported(monkeypatch):
    """Keras imported in this process with this run's backend."""
    monkeypatch.delenv("BASE_ATTENTIVE_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_BACKEND", CURRENT_BACKEND)
    resolution._reset_for_tests()
    import keras

    assert keras.backend.backend() == CURRENT_BACKEND
    yield monkeypatch
    resolution._reset_for_tests()


def test_info_shows_a_backend_conflict_and_exits_1(keras_imported, capsys):
    keras_imported.setenv("BASE_ATTENTIVE_BACKEND", OTHER_BACKEND)
    assert cli.main(["info", "--json", "--no-devices"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["active_backend"]["name"] == CURRENT_BACKEND
    assert f"running the {CURRENT_BACKEND!r} backend" in report["conflict"]
    assert f"requests {OTHER_BACKEND!r}" in report["conflict"]
    assert "Traceback" not in captured.err


def test_info_text_names_the_backend_and_the_deciding_rule(keras_imported, capsys):
    assert cli.main(["info", "--no-devices"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"base-attentive {base_attentive.__version__}"
    assert lines[1] == (
        f"Active backend : {CURRENT_BACKEND} "
        "(decided by: KERAS_BACKEND environment variable)"
    )
    assert any(line.startswith("Keras          : 3.") for line in lines)
    assert any("(floatx: float32)" in line for line in lines)
    assert any(line.startswith("Python         : 3.") for line in lines)
    for backend in ("tensorflow", "torch", "jax"):
        assert any(line.startswith(f"{backend} ") for line in lines)


# -- train / predict / evaluate ------------------------------------------------
# The user workflow runs in fresh processes on a slice of the bundled data
# (2 stations, 2016, a tiny model, 1 epoch of 2 steps) on the backend of this
# test run. Training once and checking everything in one test keeps the suite
# fast under pytest-xdist (a shared fixture would train once per worker).
# `evaluate` is tested in tests/commands/test_evaluate.py with a stand-in
# model (each fresh process compiles the model again: ~15 s on JAX).

STATIONS = ["Austin", "Clark_Lake"]
LOOKBACK, HORIZON, TEST_STEPS = 14, 7, 28
TINY_MODEL = [
    "--embed-dim", "4", "--hidden-units", "4", "--lstm-units", "4",
    "--attention-units", "4", "--num-heads", "1", "--memory-size", "4",
    "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "64",
]  # fmt: skip
SLICE_COLUMNS = ["date", "station", "rides", "temp", "humidity", "Cubs_Home"]


# Cheaper XLA compilation (JAX): a third less start-up for these tiny runs.
FAST_XLA = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


def _run_cli(*args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "base_attentive", *map(str, args)],
        env=_child_env(XLA_FLAGS=FAST_XLA),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def ridership_slice(tmp_path):
    """The slice as CSV (history) and Parquet-free CSV with 14 future days."""
    from base_attentive.data import load_chicago_ridership

    history = load_chicago_ridership(stations=STATIONS, start="2016-01-01")
    history_path = tmp_path / "rides.csv"
    history[SLICE_COLUMNS].to_csv(history_path, index=False)
    future = load_chicago_ridership(
        stations=STATIONS, start="2016-06-01", include_future_covariates=True
    )
    future_path = tmp_path / "rides_future.csv"
    future[SLICE_COLUMNS].to_csv(future_path, index=False)
    config = tmp_path / "run.toml"
    config.write_text(
        f'data = "{history_path.name}"\n'
        'time_col = "date"\nid_col = "station"\ntarget = "rides"\n'
        'static = ["station"]\npast = "temp,humidity"\nfuture = ["Cubs_Home"]\n'
        f"lookback = {LOOKBACK}\nhorizon = {HORIZON}\n"
        f"test = {TEST_STEPS}\nvalidation = 21\n"
    )
    return {"history": history_path, "future": future_path, "config": config}


def _assert_valid_png(path):
    from PIL import Image

    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == "PNG" and min(image.size) > 100
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is None or len(colours) > 1, f"{path.name} is blank"


def _check_run_folder(out):
    expected = {"model.keras", "dataset.json", "baseline.json", "run.json"}
    expected |= {"metrics.json", "report.md", "forecasts.csv", "plots"}
    expected |= {"calibration.json"}
    assert expected <= {path.name for path in out.iterdir()}
    metrics = json.loads((out / "metrics.json").read_text())
    for forecast in ("model", "baseline"):
        for name in ("mae", "mase", "mean_quantile_loss", "coverage@80%"):
            assert np.isfinite(metrics[forecast][name]), (forecast, name)
    assert metrics["windows"] == len(STATIONS) * (TEST_STEPS - HORIZON + 1)
    run = json.loads((out / "run.json").read_text())
    assert run["backend"] == CURRENT_BACKEND
    report = (out / "report.md").read_text()
    assert "| base-attentive |" in report and "seasonal naive (season 7)" in report


def _check_forecasts_csv(path):
    forecasts = pd.read_csv(path, parse_dates=["date", "forecast_origin"])
    windows_per_series = TEST_STEPS - HORIZON + 1
    assert len(forecasts) == len(STATIONS) * windows_per_series * HORIZON
    assert sorted(forecasts["station"].unique()) == STATIONS
    assert set(forecasts["horizon_step"]) == set(range(1, HORIZON + 1))
    assert forecasts["date"].min() == pd.Timestamp("2016-08-14") - pd.Timedelta(
        days=TEST_STEPS - 1
    )
    assert (forecasts["q0.1"] <= forecasts["q0.5"]).all()
    assert (forecasts["q0.5"] <= forecasts["q0.9"]).all()
    assert forecasts["actual"].notna().all()


def test_cli_train_then_predict_in_fresh_processes(ridership_slice, tmp_path):
    out = tmp_path / "run"
    trained = _run_cli(
        "train", "--config", ridership_slice["config"], *TINY_MODEL,
        "--plot-series", "1", "--out", out,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    lines = trained.stdout.splitlines()
    assert lines[0].startswith("[1/5] data: ")
    assert any(line.startswith("[3/5] training: up to 1 epochs") for line in lines)
    header = next(line for line in lines if line.startswith("forecast "))
    assert header.split()[1:4] == ["MAE", "MASE", "mean"] and "80% coverage" in header
    assert any(line.startswith("seasonal naive (season 7)") for line in lines)
    assert f"Run folder: {out}" in trained.stdout
    _check_run_folder(out)
    _check_forecasts_csv(out / "forecasts.csv")
    plots = sorted((out / "plots").glob("*.png"))
    names = {path.stem for path in plots}
    assert {"history", "forecast_Austin", "variable_importance"} <= names
    assert any(name.startswith("attention_") for name in names)
    for path in plots:
        _assert_valid_png(path)

    predictions = tmp_path / "next_week.csv"
    predicted = _run_cli(
        "predict", "--model", out, "--data", ridership_slice["future"],
        "--out", predictions, "--json",
    )  # fmt: skip
    assert predicted.returncode == 0, predicted.stderr
    assert json.loads(predicted.stdout)["rows"] == len(STATIONS) * HORIZON
    forecast = pd.read_csv(predictions, parse_dates=["date"])
    assert forecast.groupby("station")["date"].min().tolist() == [
        pd.Timestamp("2016-08-15")
    ] * len(STATIONS)
    assert forecast[["q0.1", "q0.5", "q0.9"]].notna().all().all()


@pytest.mark.backend_independent
def test_cli_window_scaling_categories_and_a_new_station_in_original_units(
    ridership_slice, tmp_path
):
    out = tmp_path / "run"
    trained = _run_cli(
        "train", "--config", ridership_slice["config"], *TINY_MODEL,
        "--scaling", "window", "--seasonal-lags", "7,21", "--plot-series", "0",
        "--categorical", "Cubs_Home", "--out", out, "--json",
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    dataset = json.loads((out / "dataset.json").read_text())
    assert dataset["spec"]["scaling"] == "window"
    assert dataset["spec"]["seasonal_lags"] == [7, 21]
    assert dataset["vocabulary"]["values"] == {
        "station": STATIONS,
        "Cubs_Home": ["0", "1"],  # a 0/1 column named categorical
    }
    forecasts = pd.read_csv(out / "forecasts.csv")
    # Original units: each station's forecasts follow its own level (Clark
    # Lake has about ten times Austin's rides). Values left in the windows'
    # scaled units would sit at one level for both; this barely trained
    # model is not asked to be accurate.
    level = forecasts.groupby("station")[["actual", "q0.5"]].median()
    ratios = level.loc["Clark_Lake"] / level.loc["Austin"]
    assert ratios["actual"] / 3 < ratios["q0.5"] < ratios["actual"] * 3
    predicted = _run_cli(
        "predict", "--model", out, "--data", ridership_slice["future"],
        "--out", tmp_path / "next.csv", "--json",
    )  # fmt: skip
    assert predicted.returncode == 0, predicted.stderr
    forecast = pd.read_csv(tmp_path / "next.csv")
    assert len(forecast) == len(STATIONS) * HORIZON
    by_station = forecast.groupby("station")["q0.5"].median()
    predicted_ratio = by_station["Clark_Lake"] / by_station["Austin"]
    assert ratios["actual"] / 3 < predicted_ratio < ratios["actual"] * 3

    # A station the run never saw: its id is the unknown category, and its
    # own lookback scales its windows.
    from base_attentive.data import load_chicago_ridership

    new = load_chicago_ridership(
        stations=["Belmont"], start="2016-06-01", include_future_covariates=True
    )
    with_new = tmp_path / "with_new_station.csv"
    new[SLICE_COLUMNS].to_csv(with_new, index=False)
    predicted = _run_cli(
        "predict", "--model", out, "--data", with_new,
        "--out", tmp_path / "belmont.csv", "--json",
    )  # fmt: skip
    assert predicted.returncode == 0, predicted.stderr
    forecast = pd.read_csv(tmp_path / "belmont.csv")
    assert len(forecast) == HORIZON and set(forecast["station"]) == {"Belmont"}
    assert forecast[["q0.1", "q0.5", "q0.9"]].notna().all().all()
    level = new["rides"].dropna().tail(28).median()
    assert level / 3 < forecast["q0.5"].median() < level * 3


def _with_holes(path, out):
    """The table at `path` with Austin's rides missing on 03-10..19 and
    07-20..22 and Clark/Lake's rows of 05-02..04 absent, written to `out`."""
    frame = pd.read_csv(path, parse_dates=["date"])
    austin, dates = frame["station"] == "Austin", frame["date"]
    frame.loc[austin & dates.between("2016-03-10", "2016-03-19"), "rides"] = np.nan
    frame.loc[austin & dates.between("2016-07-20", "2016-07-22"), "rides"] = np.nan
    gap = (frame["station"] == "Clark_Lake") & dates.between("2016-05-02", "2016-05-04")
    frame[~gap].to_csv(out, index=False)
    return out


@pytest.mark.backend_independent
def test_cli_missing_mask_trains_on_a_table_with_gaps_and_nan(
    ridership_slice, tmp_path
):
    history = _with_holes(ridership_slice["history"], tmp_path / "holes.csv")
    future = _with_holes(ridership_slice["future"], tmp_path / "holes_future.csv")
    out = tmp_path / "run"
    trained = _run_cli(
        "train", "--config", ridership_slice["config"], *TINY_MODEL, "--data",
        history, "--missing", "mask", "--plot-series", "0", "--out", out,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    assert "missing values masked: 4 training and 0 validation windows dropped" in (
        trained.stdout
    )
    run = json.loads((out / "run.json").read_text())
    assert run["data"]["unobserved_windows"] == {"train": 4, "validation": 0}
    assert "missing values masked: 4 train" in (out / "report.md").read_text()
    dataset = json.loads((out / "dataset.json").read_text())
    assert dataset["spec"]["missing"] == "mask"
    assert dataset["indicators"]["target"] == ["rides"]
    forecasts = pd.read_csv(out / "forecasts.csv", parse_dates=["date"])
    unobserved = forecasts["actual"].isna()
    assert set(forecasts.loc[unobserved, "date"].dt.strftime("%m-%d")) == {
        "07-20", "07-21", "07-22",
    }  # fmt: skip
    assert forecasts[["q0.1", "q0.5", "q0.9"]].notna().all().all()
    metrics = json.loads((out / "metrics.json").read_text())
    assert np.isfinite(metrics["model"]["mase"])
    predicted = _run_cli(
        "predict", "--model", out, "--data", future, "--out", tmp_path / "next.csv"
    )
    assert predicted.returncode == 0, predicted.stderr
    forecast = pd.read_csv(tmp_path / "next.csv")
    assert len(forecast) == len(STATIONS) * HORIZON
    assert np.isfinite(forecast[["q0.1", "q0.5", "q0.9"]].to_numpy()).all()


def test_cli_train_data_parallel_on_two_devices(ridership_slice, tmp_path):
    out = tmp_path / "run"
    trained = _run_cli(
        "train", "--config", ridership_slice["config"], *TINY_MODEL,
        "--devices", "2", "--plot-series", "0", "--out", out,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    engine = {
        "jax": "keras.distribution.DataParallel",
        "tensorflow": "tf.distribute.MirroredStrategy",
        "torch": "torch.nn.parallel.DistributedDataParallel",
    }[CURRENT_BACKEND]
    assert "data-parallel on 2 device(s) (" in trained.stdout
    cpu = (
        "process 0 of 2, 1 local device(s); the CPU runs 2 processes"
        if CURRENT_BACKEND == "torch"  # one process per device
        else "the CPU is split into 2 virtual devices"
    )
    assert f"with {engine}; {cpu}" in trained.stdout
    _check_run_folder(out)
    distribution = json.loads((out / "run.json").read_text())["distribution"]
    assert distribution["engine"] == engine and len(distribution["devices"]) == 2


def test_cli_train_two_processes_on_localhost(ridership_slice, tmp_path):
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "run"
    if CURRENT_BACKEND == "tensorflow":
        refused = _run_cli(
            "train", "--config", ridership_slice["config"], "--out", out,
            "--coordinator-address", f"localhost:{port}", "--num-processes", "2",
            "--process-id", "0",
        )  # fmt: skip
        assert refused.returncode == 2 and "JAX and torch backends" in refused.stderr
        assert not out.exists()
        return
    command = [
        sys.executable, "-m", "base_attentive", "train",
        "--config", str(ridership_slice["config"]), *TINY_MODEL,
        "--plot-series", "0", "--out", str(out),
        "--coordinator-address", f"localhost:{port}", "--num-processes", "2",
    ]  # fmt: skip
    workers = [
        subprocess.Popen(
            [*command, "--process-id", str(index)],
            env=_child_env(XLA_FLAGS=FAST_XLA),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in (1, 0)
    ]
    (second, _), (first, first_err) = [w.communicate(timeout=900) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], first_err[-2000:]
    assert "process 1 of 2: training done" in second
    assert "process 0 of 2, 1 local device(s)" in first
    _check_run_folder(out)
    distribution = json.loads((out / "run.json").read_text())["distribution"]
    assert distribution["num_processes"] == 2 and len(distribution["devices"]) == 2


def test_cli_train_batch_must_split_over_the_devices(ridership_slice, tmp_path):
    result = _run_cli(
        "train", "--config", ridership_slice["config"], *TINY_MODEL,
        "--devices", "2", "--batch-size", "63", "--out", tmp_path / "run",
    )  # fmt: skip
    assert result.returncode == 2
    # (TensorFlow's C++ start-up notices may come first on stderr.)
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("error: `batch_size` must be a multiple of the 2 devices")
    )
    # Found right after the devices are set up: no data read, no model.
    assert "[1/5]" not in result.stdout


def test_cli_devices_need_data_parallel(ridership_slice, tmp_path):
    result = _run_cli(
        "train", "--config", ridership_slice["config"], "--devices", "2",
        "--distribution", "none", "--out", tmp_path / "run",
    )  # fmt: skip
    assert result.returncode == 2
    assert "need --distribution data_parallel" in result.stderr


def test_cli_train_refuses_a_non_empty_out_folder(ridership_slice, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.txt").write_text("x")
    result = _run_cli(
        "train", "--config", ridership_slice["config"], "--out", tmp_path / "full"
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: --out {tmp_path / 'full'}: ")
    assert "not empty" in result.stderr and "--overwrite" in result.stderr


def test_cli_train_bad_data_names_the_problem_and_debug_shows_traceback(
    ridership_slice, tmp_path
):
    frame = pd.read_csv(ridership_slice["history"])
    frame.loc[5, "rides"] = np.nan
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    result = _run_cli("train", "--config", ridership_slice["config"], "--data", bad)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "rides" in result.stderr
    assert "NaN" in result.stderr and "Traceback" not in result.stderr
    assert "--missing mask" in result.stderr  # the remedy in the CLI's words
    debug = _run_cli(
        "--debug", "train", "--config", ridership_slice["config"], "--data", bad
    )
    assert debug.returncode != 0 and "Traceback" in debug.stderr


@pytest.mark.parametrize(
    "options, message",
    [
        (["--target", "ridez"], "--target names column(s) not in"),
        (
            ["--lookback", "zero"],
            "--lookback must be an integer >= 1. Received: 'zero'",
        ),
        (["--quantiles", "0.1,0.9"], "--quantiles must include 0.5"),
        (["--data", "missing.csv"], "no such file"),
    ],
)
def test_cli_train_bad_options_give_one_error_line_and_exit_2(
    ridership_slice, options, message
):
    result = _run_cli("train", "--config", ridership_slice["config"], *options)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""
