"""Data-parallel training through each backend's own engine, on this
CPU-only machine: two virtual CPU devices (JAX, TensorFlow), two processes
on localhost over Gloo (JAX; torch with DistributedDataParallel), and clear
errors where a backend cannot.

The training runs happen in fresh processes (`train_pair.py`,
`multi_process.py`): a framework's devices are fixed when it starts.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from base_attentive import get_backend_capabilities
from base_attentive.distributed import (
    DistributionNotSupportedError,
    data_parallel,
    initialize_multi_host,
    resolve_multi_host,
    split_cpu_devices,
)

BACKEND = keras.backend.backend()
HERE = Path(__file__).parent
# Cheaper XLA compilation: these runs test numbers, not speed.
FAST_XLA = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


def _run(script, *args, timeout=900):
    env = {k: v for k, v in os.environ.items() if k != "BASE_ATTENTIVE_BACKEND"}
    env.update(KERAS_BACKEND=BACKEND, TF_CPP_MIN_LOG_LEVEL="2", XLA_FLAGS=FAST_XLA)
    return subprocess.Popen(
        [sys.executable, str(HERE / script), *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _result(process, timeout=900):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    # The JSON is the last line (Gloo prints its connection lines first).
    return json.loads(out.strip().splitlines()[-1])


def _assert_same_trajectory(reference, run):
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(run[key], reference[key], rtol=1e-4, err_msg=key)


ENGINES = {
    "jax": "keras.distribution.DataParallel",
    "tensorflow": "tf.distribute.MirroredStrategy",
    "torch": "torch.nn.parallel.DistributedDataParallel",
}
TORCH_CPU_NOT_SPLIT = "The CPU is not split into devices on the torch backend"


def _refused(process, message):
    """The child failed with `message` (the backend cannot do it)."""
    _, err = process.communicate(timeout=900)
    assert process.returncode != 0 and message in err, err[-2000:]


def test_two_devices_follow_the_single_device_loss_trajectory():
    if BACKEND == "torch":
        # One process per device on torch: see the two-process test.
        _refused(_run("train_pair.py"), TORCH_CPU_NOT_SPLIT)
        return
    result = _result(_run("train_pair.py"))
    plan = result["plan"]
    assert plan["engine"] == ENGINES[BACKEND]
    assert len(plan["devices"]) == 2 and plan["local_devices"] == 2
    # Same batches, same initial weights: the same losses, epoch by epoch,
    # including the validation loss over 101 windows (zero-weight padding).
    _assert_same_trajectory(result["single"], result["parallel"])
    # Within 1e-3 of the forecasts' size (float32 round-off of a different
    # summation order, grown over the training steps).
    assert result["prediction_difference"] < 1e-3


def test_two_processes_match_one_process():
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        port = probe.getsockname()[1]
    if BACKEND == "tensorflow":
        _refused(
            _run("multi_process.py", "worker", 0, port), "JAX and torch backends only"
        )
        return
    workers = [_run("multi_process.py", "worker", index, port) for index in (0, 1)]
    reference = _result(_run("multi_process.py", "reference"))
    results = [_result(worker) for worker in workers]
    for index, result in enumerate(results):
        assert result["plan"]["engine"] == ENGINES[BACKEND]
        assert result["refused_before_prepare"] is (BACKEND == "torch")
        assert result["released"]
        alone = index == 0 and BACKEND == "torch"
        assert result["trains_alone"] is (True if alone else None)
        assert result["plan"]["num_processes"] == 2
        assert result["plan"]["process_index"] == index
        assert result["local_batch"] == reference["local_batch"] // 2
        assert result["steps"] == reference["steps"]
        _assert_same_trajectory(reference["history"], result["history"])


def test_each_backend_plans_with_its_own_engine():
    capabilities = get_backend_capabilities(BACKEND, include_devices=False)
    assert capabilities["data_parallel"].startswith(ENGINES[BACKEND])
    plan = data_parallel(devices=1)
    assert plan.engine == ENGINES[BACKEND] and plan.num_replicas == 1
    assert plan.describe()["num_processes"] == 1


def test_one_process_plan_prepares_the_model_unchanged():
    # One device, one process: nothing to synchronise on any backend.
    plan = data_parallel(devices=1)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with plan.scope():
        assert plan.prepare(model) is model
    assert "forward" not in vars(model)


def test_too_many_devices_is_a_clear_error():
    expected = (
        r"one process per device instead: `torchrun --nproc-per-node 64"
        if BACKEND == "torch"
        else r"`devices=64` asked for.*split_cpu_devices"
    )
    with pytest.raises(ValueError, match=expected):
        data_parallel(devices=64)


@pytest.mark.parametrize("devices", [0, -1, 1.5, True, "2"])
def test_devices_must_be_a_positive_int(devices):
    with pytest.raises(ValueError, match="`devices` must be None"):
        data_parallel(devices=devices)


@pytest.mark.parametrize(
    "arguments,match",
    [
        ((None, 2, 0), "`coordinator_address` is required"),
        (("localhost", 2, 0), "must be 'host:port'"),
        (("localhost:1", "two", 0), "`num_processes` must be an integer"),
        (("localhost:1", 2, 2), r"`process_id` must be in \[0, 2\)"),
    ],
)
def test_multi_host_arguments_are_checked_on_jax_and_torch(
    arguments, match, monkeypatch
):
    for variable in (
        "KERAS_DISTRIBUTION_JOB_ADDRESSES",
        "KERAS_DISTRIBUTION_NUM_PROCESSES",
        "KERAS_DISTRIBUTION_PROCESS_ID",
    ):
        monkeypatch.delenv(variable, raising=False)
    if BACKEND == "tensorflow":
        match = "Multi-process training is implemented on the JAX and torch"
    error = ValueError if BACKEND != "tensorflow" else DistributionNotSupportedError
    with pytest.raises(error, match=match):
        initialize_multi_host(*arguments)


def test_multi_host_settings_come_from_arguments_then_keras_variables(
    monkeypatch,
):
    monkeypatch.setenv("KERAS_DISTRIBUTION_JOB_ADDRESSES", "localhost:1")
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "3")
    monkeypatch.setenv("KERAS_DISTRIBUTION_PROCESS_ID", "")  # empty: unset
    assert resolve_multi_host(process_id="2") == ("localhost:1", 3, 2)
    assert resolve_multi_host(num_processes=2, check=False) == ("localhost:1", 2, None)
    with pytest.raises(ValueError, match="`process_id` is required"):
        resolve_multi_host()
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "three")
    with pytest.raises(
        ValueError, match="KERAS_DISTRIBUTION_NUM_PROCESSES must be an integer"
    ):
        resolve_multi_host(check=False)


def test_splitting_a_started_cpu_says_how_to_do_it():
    keras.ops.ones(1)  # the framework has started
    expected = (
        (DistributionNotSupportedError, TORCH_CPU_NOT_SPLIT)
        if BACKEND == "torch"
        else (RuntimeError, "already started")
    )
    with pytest.raises(expected[0], match=expected[1]):
        split_cpu_devices(7)
