"""`WindowBatches`: the prediction windows as NumPy batches, without Keras."""

import subprocess
import sys

import numpy as np
import pytest

from base_attentive.data import ChronologicalSplit, ForecastDataset


@pytest.fixture
def data(frame, spec):
    # Without known-future columns the horizon times follow the frequency.
    spec = spec.replace(future_columns=())
    return ForecastDataset(spec).fit(frame, ChronologicalSplit(validation=0.2))


def test_batches_are_the_prediction_windows_in_the_same_order(data, frame):
    keras_windows = data.prediction_windows(frame, batch_size=2)
    batches = data.prediction_batches(frame, batch_size=2)
    assert batches.num_windows == keras_windows.num_windows == 3
    assert len(batches) == len(keras_windows) == 2
    for index in range(len(batches)):
        for ours, theirs in zip(batches[index], keras_windows[index][0], strict=True):
            assert ours.dtype == np.float32
            np.testing.assert_array_equal(ours, theirs)
    for ours, theirs in zip(
        batches.materialize(), keras_windows.materialize(), strict=True
    ):
        np.testing.assert_array_equal(ours, theirs)
    assert batches.window_index().equals(keras_windows.window_index())
    with pytest.raises(IndexError):
        batches[2]


def test_forecast_frame_reads_batches_like_windows(data, frame):
    batches = data.prediction_batches(frame, batch_size=8)
    keras_windows = data.prediction_windows(frame, batch_size=8)
    horizon = data.spec.forecast_horizon
    predictions = np.random.default_rng(0).normal(size=(3, horizon, 3, 1))
    ours = data.forecast_frame(predictions, batches, quantiles=[0.1, 0.5, 0.9])
    theirs = data.forecast_frame(predictions, keras_windows, quantiles=[0.1, 0.5, 0.9])
    assert ours.equals(theirs)


def test_batch_size_is_checked(data, frame):
    with pytest.raises(ValueError, match="batch_size"):
        data.prediction_batches(frame, batch_size=0)
    with pytest.raises(TypeError, match="batch_size"):
        data.prediction_batches(frame, batch_size=2.0)


def test_prediction_batches_import_no_framework():
    code = (
        "import sys\n"
        "from tests.data.conftest import make_frame, make_spec\n"
        "from base_attentive.data import ForecastDataset\n"
        "frame = make_frame()\n"
        "data = ForecastDataset(make_spec(future_columns=())).fit(frame)\n"
        "batches = data.prediction_batches(frame)\n"
        "assert batches.materialize()[1].shape[0] == 3\n"
        "frameworks = ('keras', 'tensorflow', 'torch', 'jax')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in frameworks))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
