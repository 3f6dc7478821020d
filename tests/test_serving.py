"""Forecasting from an ONNX export with ONNX Runtime and no deep-learning
framework: `base-attentive export`, then `base-attentive predict` in a
process where Keras, TensorFlow, PyTorch and JAX cannot be imported. The
export is made on the backend of the run (KERAS_BACKEND)."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from base_attentive.cli import main
from base_attentive.serving import OnnxForecaster, choose_runtime
from tests.test_forecaster import CURRENT_BACKEND, make_forecaster

pytest.importorskip("onnxruntime", reason='pip install "base-attentive[onnx]"')
if CURRENT_BACKEND == "jax":
    pytest.importorskip("jax2onnx", reason='pip install "base-attentive[export-jax]"')

FRAMEWORKS = ("keras", "tensorflow", "torch", "jax", "jaxlib")
# Runs the CLI with every framework blocked on `sys.meta_path`, then lists
# the framework modules that were imported anyway.
BLOCKED_CLI = f"""
import sys

class BlockFrameworks:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {FRAMEWORKS!r}:
            raise ImportError("blocked by the test: " + name)
        return None

sys.meta_path.insert(0, BlockFrameworks())
from base_attentive.cli import main

code = main(sys.argv[1:])
print("IMPORTED", sorted(m for m in sys.modules if m.split(".")[0] in {FRAMEWORKS!r}))
sys.exit(code)
"""
QUANTILE_COLUMNS = ["q0.1", "q0.5", "q0.9"]


@pytest.fixture(scope="module")
def frames():
    from base_attentive.data import load_chicago_ridership
    from tests.test_forecaster import COLUMNS, STATIONS

    future = load_chicago_ridership(
        stations=STATIONS, start="2016-05-01", include_future_covariates=True
    )[COLUMNS]
    train = future[future["date"] < pd.Timestamp("2016-07-15")]
    return {"train": train, "future": future}


def run_blocked_cli(*arguments, cwd):
    """`base-attentive ARGUMENTS` in a process that cannot import a framework."""
    return subprocess.run(
        [sys.executable, "-c", BLOCKED_CLI, *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )


def test_framework_free_predict_matches_the_keras_model(
    frames, tmp_path, capsys, monkeypatch
):
    forecaster = make_forecaster().fit(frames["train"], validation=21, verbose=0)
    run = forecaster.save(tmp_path / "run")
    data = tmp_path / "future.csv"
    frames["future"].to_csv(data, index=False)

    assert main(["export", "--model", str(run), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["export"] == str(run / "onnx")
    assert summary["exported_on"] == CURRENT_BACKEND
    assert summary["check"]["max_abs_difference"] < 1e-4
    manifest = json.loads((run / "onnx" / "export.json").read_text())
    names = forecaster.dataset_.feature_names()
    assert [item["name"] for item in manifest["inputs"]] == [
        "static",
        "dynamic",
        "future",
    ]
    assert manifest["inputs"][1]["shape"] == [None, 14, len(names["dynamic"])]
    assert manifest["inputs"][2]["features"] == names["future"]
    assert manifest["output"]["quantiles"] == [0.1, 0.5, 0.9]
    assert {"dataset.json", "calibration.json", "model.onnx"} <= {
        path.name for path in (run / "onnx").iterdir()
    }

    served = run_blocked_cli(
        "predict", "--model", str(run), "--data", str(data), "--out",
        str(tmp_path / "onnx.csv"), cwd=tmp_path,
    )  # fmt: skip
    assert served.returncode == 0, served.stderr[-3000:]
    assert "runtime: ONNX Runtime" in served.stdout
    assert "IMPORTED []" in served.stdout

    expected = forecaster.predict(frames["future"])
    received = pd.read_csv(
        tmp_path / "onnx.csv", parse_dates=["forecast_origin", "date"]
    )
    assert list(received.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(
        received.drop(columns=QUANTILE_COLUMNS + ["actual"]),
        expected.drop(columns=QUANTILE_COLUMNS + ["actual"]),
        check_dtype=False,
    )
    # Within 1e-4, plus the CSV's 6 significant digits.
    np.testing.assert_allclose(
        received[QUANTILE_COLUMNS], expected[QUANTILE_COLUMNS], rtol=1e-5, atol=1e-4
    )

    # In process, unrounded, one window per batch.
    onnx_forecaster = OnnxForecaster(run)
    onnx_forecaster.batch_size = 1
    np.testing.assert_allclose(
        onnx_forecaster.predict(frames["future"])[QUANTILE_COLUMNS],
        expected[QUANTILE_COLUMNS],
        atol=1e-4,
        rtol=0,
    )

    arguments = ["predict", "--model", str(run), "--data", str(data), "--json"]
    monkeypatch.chdir(tmp_path)  # the default --out is ./predictions/
    assert main([*arguments, "--runtime", "keras"]) == 0
    assert json.loads(capsys.readouterr().out)["runtime"] == "keras"


def test_runtime_rule(tmp_path, monkeypatch):
    run = tmp_path / "run"
    (run / "onnx").mkdir(parents=True)
    assert choose_runtime(run, "auto") == ("keras", "no ONNX export in the run")
    with pytest.raises(FileNotFoundError, match="base-attentive export"):
        choose_runtime(run, "onnx")
    with pytest.raises(ValueError, match="runtime"):
        choose_runtime(run, "tflite")
    (run / "onnx" / "export.json").write_text(
        json.dumps(
            {
                "format": "base_attentive.Export",
                "format_version": 1,
                "artifact": {"format": "onnx"},
            }
        )
    )
    assert choose_runtime(run, "auto")[0] == "onnx"
    assert choose_runtime(run / "onnx", "onnx")[0] == "onnx"
    assert choose_runtime(run, "keras")[0] == "keras"
    # Without onnxruntime: Keras when the run has its model, else an error
    # naming the extra.
    monkeypatch.setattr("base_attentive.serving.onnxruntime_installed", lambda: False)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    (run / "model.keras").write_text("")
    runtime, reason = choose_runtime(run, "auto")
    assert runtime == "keras" and "onnxruntime is not installed" in reason
    with pytest.raises(ImportError, match=r"base-attentive\[onnx\]"):
        choose_runtime(run / "onnx", "auto")
    with pytest.raises(ImportError, match=r"base-attentive\[onnx\]"):
        choose_runtime(run, "onnx")


def test_predict_without_an_export_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no ONNX export"):
        OnnxForecaster(tmp_path)
