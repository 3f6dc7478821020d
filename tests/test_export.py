"""`Forecaster.export` to a TensorFlow SavedModel and a PyTorch
ExportedProgram from the backend of the run: each serves any batch size and
returns the Keras model's numbers; the pairs Keras cannot make are errors
that say so. (ONNX export and serving: `tests/test_serving.py`.)"""

import json

import numpy as np
import pytest

from base_attentive.artifacts import INPUT_NAMES, ROUTES, input_shapes
from tests.test_forecaster import CURRENT_BACKEND, frames, make_forecaster  # noqa: F401


@pytest.fixture(scope="module")
def fitted(frames):  # noqa: F811
    return make_forecaster().fit(frames["train"], validation=21, verbose=0)


def sample_batches(forecaster):
    """Random inputs of the export's shapes, batches of 1 and 3, and the
    Keras model's outputs for them."""
    import keras

    shapes = input_shapes(forecaster.dataset_)
    rng = np.random.default_rng(0)
    for size in (1, 3):
        inputs = [
            rng.standard_normal((size, *shapes[name])).astype("float32")
            for name in INPUT_NAMES
        ]
        expected = keras.ops.convert_to_numpy(forecaster.model_(inputs))
        yield inputs, expected


def test_saved_model_serves_any_batch_size(fitted, tmp_path):
    import tensorflow as tf

    folder = fitted.export(tmp_path / "export", format="tf_saved_model")
    manifest = json.loads((folder / "export.json").read_text())
    assert manifest["artifact"]["route"] == ROUTES[("tf_saved_model", CURRENT_BACKEND)]
    assert manifest["artifact"]["run_backend"] == CURRENT_BACKEND
    assert (folder / "dataset.json").is_file()
    artifact = tf.saved_model.load(str(folder / "saved_model"))
    for inputs, expected in sample_batches(fitted):
        received = artifact.serve([tf.constant(array) for array in inputs]).numpy()
        np.testing.assert_allclose(received, expected, atol=1e-4, rtol=0)


@pytest.mark.skipif(
    CURRENT_BACKEND != "torch", reason="Keras makes ExportedPrograms on torch only"
)
def test_torch_program_serves_any_batch_size(fitted, tmp_path):
    import torch

    folder = fitted.export(tmp_path / "export", format="torch")
    program = torch.export.load(str(folder / "model.pt2")).module()
    for inputs, expected in sample_batches(fitted):
        received = program([torch.from_numpy(array) for array in inputs])
        np.testing.assert_allclose(
            received.detach().numpy(), expected, atol=1e-4, rtol=0
        )


@pytest.mark.skipif(CURRENT_BACKEND == "torch", reason="torch makes this format")
def test_torch_format_from_another_backend_says_how(fitted, tmp_path):
    with pytest.raises(
        ValueError, match=r"only from the torch backend.*--backend torch"
    ):
        fitted.export(tmp_path / "export", format="torch")
    assert not (tmp_path / "export").exists()


def test_bad_format_and_existing_folder_are_refused(fitted, tmp_path):
    with pytest.raises(ValueError, match="`format` must be one of"):
        fitted.export(tmp_path / "export", format="tflite")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        fitted.export(tmp_path / "full", format="onnx")
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
