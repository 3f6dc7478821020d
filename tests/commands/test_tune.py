"""`base-attentive tune`: the search on the data before the test period, the
best configuration scored on the test period and written as a run folder;
one run in a fresh process, and the option errors in this one."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from base_attentive import cli

STATIONS = ["Austin", "Clark_Lake"]
COLUMNS = ["date", "station", "rides", "temp", "Cubs_Home"]
TEST_STEPS = 21
TINY_MODEL = [
    "--embed-dim", "4", "--hidden-units", "4", "--lstm-units", "4",
    "--attention-units", "4", "--num-heads", "1", "--memory-size", "4",
    "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "64",
]  # fmt: skip
FAST_XLA = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


@pytest.fixture
def inputs(tmp_path):
    from base_attentive.data import load_chicago_ridership

    frame = load_chicago_ridership(stations=STATIONS, start="2016-03-01")[COLUMNS]
    frame.to_csv(tmp_path / "rides.csv", index=False)
    config = tmp_path / "run.toml"
    config.write_text(
        'data = "rides.csv"\ntime_col = "date"\nid_col = "station"\n'
        'target = "rides"\nstatic = ["station"]\npast = ["temp"]\n'
        'future = ["Cubs_Home"]\nlookback = 14\nhorizon = 7\n'
        f"test = {TEST_STEPS}\nvalidation = 21\n"
    )
    space = tmp_path / "space.toml"
    space.write_text(
        "lookback = [7, 14]\nhidden_units = [4, 8]\n"
        "learning_rate = { low = 0.001, high = 0.01, log = true }\n"
    )
    return {"config": config, "space": space}


@pytest.mark.backend_independent
def test_tune_writes_a_run_folder_scored_on_the_test_period(inputs, tmp_path):
    out, database = tmp_path / "run", tmp_path / "study.db"
    env = {
        **os.environ, "KERAS_BACKEND": os.environ["KERAS_BACKEND"],
        "TF_CPP_MIN_LOG_LEVEL": "2", "XLA_FLAGS": FAST_XLA,
    }  # fmt: skip
    env.pop("BASE_ATTENTIVE_BACKEND", None)
    result = subprocess.run(
        [
            sys.executable, "-m", "base_attentive", "tune",
            "--config", inputs["config"], *TINY_MODEL,
            "--search-space", inputs["space"], "--n-trials", "2",
            "--storage", f"sqlite:///{database}", "--study-name", "cli",
            "--plot-series", "1", "--out", out, "--json",
        ],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    printed = json.loads(result.stdout)
    assert printed["tuning"]["counts"] == {"complete": 2}
    assert printed["tuning"]["storage"] == f"sqlite:///{database}"
    tuning = json.loads((out / "tuning.json").read_text())
    run = json.loads((out / "run.json").read_text())
    metrics = json.loads((out / "metrics.json").read_text())
    best = tuning["best"]["params"]
    # The run is the best trial's configuration, trained and scored.
    assert run["settings"]["lookback"] == best["lookback"]
    assert run["model"]["arguments"]["hidden_units"] == best["hidden_units"]
    assert run["forecaster"]["training"]["learning_rate"] == best["learning_rate"]
    # The search saw only the periods before the test period.
    test_start = pd.Timestamp(metrics["test_period"]["start"])
    assert test_start == pd.Timestamp("2016-08-14") - pd.Timedelta(days=TEST_STEPS - 1)
    assert pd.Timestamp(tuning["validation"]["start"]) == test_start - pd.Timedelta(
        days=21
    )
    assert pd.Timestamp(run["data"]["last_time"]) < test_start
    assert metrics["windows"] == len(STATIONS) * (TEST_STEPS - 7 + 1)
    report = (out / "report.md").read_text()
    assert "## Tuning" in report and f"best: trial {tuning['best']['trial']}" in report
    assert "(plots/tuning.png)" in report
    from PIL import Image

    with Image.open(out / "plots" / "tuning.png") as image:
        assert image.format == "PNG" and min(image.size) > 100


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "Tuning needs a budget: pass `n_trials`"),
        (["--n-trials", "0"], "--n-trials must be an integer >= 1"),
        (["--n-trials", "2", "--pruner", "early"], "--pruner must be one of"),
        (["--n-trials", "2", "--search-space", "missing.toml"], "no such file"),
    ],
)
def test_tune_option_errors_are_one_line(arguments, message, capsys):
    assert cli.main(["tune", *arguments]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error
    assert len(error.strip().splitlines()) == 1


def test_a_bad_search_space_file_names_the_file_and_setting(tmp_path, capsys):
    space = tmp_path / "space.json"
    space.write_text(json.dumps({"dropout_rate": {"low": 0.5, "high": 0.1}}))
    assert cli.main(["tune", "--n-trials", "2", "--search-space", str(space)]) == 2
    error = capsys.readouterr().err
    assert f"--search-space {space}: Search space `dropout_rate`" in error
