"""The network of a fitted model as a serving artifact, with a dynamic batch
size: ONNX, TensorFlow SavedModel or PyTorch ExportedProgram.

The network goes through Keras' own `model.export` where Keras can make the
pair (format, backend), with two exceptions that make a supported pair work
(the table is `ROUTES`):

- ONNX from PyTorch: Keras uses the TorchScript exporter whenever a
  dimension is dynamic, and it fails on this model with a dynamic batch
  (layer normalisation reads the traced shape). We call the exporter Keras
  uses for fixed shapes, `torch.onnx.export(dynamo=True)`, with the batch
  marked dynamic.
- SavedModel from PyTorch: Keras converts through `torch_xla`, which has no
  release for current PyTorch. A `.keras` file loads on every backend with
  the same weights, so the SavedModel is made by Keras on TensorFlow, in a
  subprocess (`python -m base_attentive.artifacts`), from the model's
  `.keras` file (TensorFlow must be installed).

A PyTorch ExportedProgram comes from PyTorch only (Keras' rule); from
TensorFlow or JAX the error says so, and `base-attentive --backend torch
export` loads the same run on PyTorch. `check_onnx` runs an ONNX artifact
against the Keras model. `base_attentive.export` writes the export folder
around the artifact. Frameworks and converters are imported inside the
functions.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

__all__ = [
    "ARTIFACTS",
    "CONVERTERS",
    "FORMATS",
    "INPUT_NAMES",
    "ROUTES",
    "check_format",
    "check_onnx",
    "check_route",
    "export_model",
    "input_shapes",
]

FORMATS = ("onnx", "tf_saved_model", "torch")
ARTIFACTS = {
    "onnx": "model.onnx",
    "tf_saved_model": "saved_model",
    "torch": "model.pt2",
}
# The model's inputs, in the order of `BaseAttentive` (and of `gather`).
INPUT_NAMES = ("static", "dynamic", "future")
# How each (format, backend) pair is made; absent pairs are not supported.
ROUTES = {
    ("onnx", "tensorflow"): "keras model.export (tf2onnx)",
    ("onnx", "jax"): "keras model.export (jax2onnx)",
    ("onnx", "torch"): "torch.onnx.export(dynamo=True), dynamic batch",
    ("tf_saved_model", "tensorflow"): "keras model.export",
    ("tf_saved_model", "jax"): "keras model.export (jax2tf)",
    ("tf_saved_model", "torch"): "keras model.export on tensorflow, from model.keras",
    ("torch", "torch"): "keras model.export (torch.export)",
}
# Modules each pair needs besides the backend (extras `export`, `export-jax`;
# `tensorflow` for the SavedModel made on TensorFlow).
CONVERTERS = {
    ("onnx", "tensorflow"): ("tf2onnx", "onnx", "onnxruntime"),
    ("onnx", "jax"): ("jax2onnx", "onnx", "onnxruntime"),
    ("onnx", "torch"): ("onnxscript", "onnx", "onnxruntime"),
    ("tf_saved_model", "jax"): ("tensorflow",),
    ("tf_saved_model", "torch"): ("tensorflow",),
}
# Largest difference between the artifact and the Keras model (scaled units)
# accepted by the check at export time.
TOLERANCE = 1e-4
_CHECK_BATCH_SIZES = (1, 3)


def check_format(format):
    if format not in FORMATS:
        raise ValueError(
            f"`format` must be one of {list(FORMATS)}. Received: format={format!r}"
        )


def check_route(format, backend):
    """Raises unless the pair can be made here; returns its route."""
    check_format(format)
    route = ROUTES.get((format, backend))
    if route is None:
        makers = [b for (f, b) in ROUTES if f == format]
        raise ValueError(
            f"Keras exports format={format!r} only from the {' and '.join(makers)} "
            f"backend (this process runs {backend}). A run folder loads on any "
            f"backend: `base-attentive --backend {makers[0]} export --model RUN "
            f"--format {format}`, or set KERAS_BACKEND={makers[0]} before "
            "importing Keras."
        )
    missing = [
        name
        for name in CONVERTERS.get((format, backend), ())
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        extra = {"tensorflow": "tensorflow", "jax2onnx": "export-jax"}.get(
            missing[0], "export"
        )
        raise ImportError(
            f"Exporting format={format!r} from {backend} needs {', '.join(missing)}: "
            f'pip install "base-attentive[{extra}]"'
        )
    return route


def input_shapes(dataset):
    """Shapes of the model's inputs without the batch axis.

    Args:
        dataset: the fitted `ForecastDataset`.

    Returns:
        dict `{"static": (S,), "dynamic": (T, D), "future": (H or T+H, F)}`.
    """
    spec, dims = dataset.spec, dataset.model_dims()
    future_steps = spec.forecast_horizon + (spec.lookback if spec.mode == "tft" else 0)
    return {
        "static": (dims["static_input_dim"],),
        "dynamic": (spec.lookback, dims["dynamic_input_dim"]),
        "future": (future_steps, dims["future_input_dim"]),
    }


def export_model(model, path, format, shapes):
    """Exports a built `BaseAttentive` with a dynamic batch size.

    Args:
        model: the built model (on the backend Keras runs).
        path: the artifact's path (`model.onnx`, `saved_model`, `model.pt2`).
        format: one of `FORMATS`.
        shapes: `input_shapes(dataset)`.

    Returns:
        dict: `"route"` (how it was made) and `"backend"` (the backend that
        ran the exporter).

    Raises:
        ValueError: for a pair Keras cannot make; ImportError when the
            converter is not installed.
    """
    import keras

    from base_attentive import kernels

    backend = keras.backend.backend()
    route = check_route(format, backend)
    signature = [
        keras.InputSpec(shape=(None, *shapes[name]), dtype="float32", name=name)
        for name in INPUT_NAMES
    ]
    made_on = kernels.export_model(model, str(path), format, signature)
    return {"route": route, "backend": made_on}


def saved_model_on_tensorflow(model, path, shapes):
    """The SavedModel made by Keras on TensorFlow from the model's `.keras`,
    in a TensorFlow process (the route for a model on another backend)."""
    with tempfile.TemporaryDirectory() as temporary:
        keras_file = Path(temporary) / "model.keras"
        model.save(keras_file)
        env = dict(
            os.environ,
            KERAS_BACKEND="tensorflow",
            BASE_ATTENTIVE_BACKEND="tensorflow",
            TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        )
        command = [sys.executable, "-m", "base_attentive.artifacts"]
        command += [str(keras_file), path, json.dumps(shapes)]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise RuntimeError(
            "Exporting the SavedModel on TensorFlow failed: "
            + (lines[-1] if lines else f"exit code {done.returncode}")
        )


def check_onnx(model, path, shapes):
    """Runs the ONNX artifact and the Keras model on the same random inputs.

    Returns:
        dict: the artifact's input names (in `INPUT_NAMES` order), output
        name, the batch sizes checked and the largest absolute difference.

    Raises:
        ValueError: if the artifact differs from the model by more than
            `TOLERANCE`.
    """
    import keras
    import onnxruntime

    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [item.name for item in session.get_inputs()]
    rng = np.random.default_rng(0)
    largest = 0.0
    for size in _CHECK_BATCH_SIZES:
        inputs = [
            rng.standard_normal((size, *shapes[name])).astype(np.float32)
            for name in INPUT_NAMES
        ]
        expected = keras.ops.convert_to_numpy(model(inputs, training=False))
        received = session.run(None, dict(zip(names, inputs, strict=True)))[0]
        if received.shape != expected.shape:
            raise ValueError(
                f"The ONNX artifact {path} returned shape {received.shape} for a "
                f"batch of {size}; the model returns {expected.shape}."
            )
        largest = max(largest, float(np.abs(received - expected).max()))
    if largest > TOLERANCE:
        raise ValueError(
            f"The ONNX artifact {path} differs from the Keras model by {largest:.3g} "
            f"(tolerance {TOLERANCE:g}); nothing was exported."
        )
    return {
        "input_names": names,
        "output_name": session.get_outputs()[0].name,
        "check": {
            "batch_sizes": list(_CHECK_BATCH_SIZES),
            "max_abs_difference": largest,
        },
    }


def _main(argv):
    """`python -m base_attentive.artifacts KERAS_FILE ARTIFACT SHAPES_JSON`: the
    SavedModel of a `.keras` model, on the backend of this process."""
    from base_attentive.models import load_model

    keras_file, artifact, shapes = argv
    shapes = {name: tuple(shape) for name, shape in json.loads(shapes).items()}
    model = load_model(keras_file, compile=False, safe_mode=True)
    model([np.zeros((1, *shapes[name]), np.float32) for name in INPUT_NAMES])
    export_model(model, artifact, "tf_saved_model", shapes)


if __name__ == "__main__":
    _main(sys.argv[1:])
