"""The kernels dispatcher: process settings, seeding, fallbacks."""

import importlib
import os
import random
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import ops

from base_attentive import kernels

BACKEND = keras.backend.backend()


def _backend_kernels():
    return importlib.import_module(f"base_attentive.kernels.{BACKEND}")


def test_configure_process_sets_defaults_and_keeps_the_users_values(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    defaults = kernels.configure_process()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "2" == defaults["TF_CPP_MIN_LOG_LEVEL"]
    assert os.environ["OMP_NUM_THREADS"] == "3"  # set by the user: kept


def test_pytorch_alone_gets_one_intra_op_thread(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    kernels.configure_process()
    expected = "1" if BACKEND == "torch" else None
    assert os.environ.get("OMP_NUM_THREADS") == expected


# A CLI process on JAX: its compiled programs go to the cache folder
# `configure_process` chose, which is gone once the process has ended.
CACHED_PROCESS = """
import os, pathlib
from base_attentive.commands.runtime import prepare_process
prepare_process()
import jax
jax.jit(lambda x: x * 2 + 1)(jax.numpy.arange(3.0)).block_until_ready()
folder = pathlib.Path(os.environ["JAX_COMPILATION_CACHE_DIR"])
print(folder, len(list(folder.iterdir())))
"""


def _cached_process(env):
    """`(folder, entries)` of the cache of a fresh process with `env`."""
    environment = {**os.environ, "KERAS_BACKEND": BACKEND}
    environment.pop("JAX_COMPILATION_CACHE_DIR", None)  # the suite's own
    result = subprocess.run(
        [sys.executable, "-c", CACHED_PROCESS],
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    folder, entries = result.stdout.split()
    return Path(folder), int(entries)


@pytest.mark.skipif(BACKEND != "jax", reason="an XLA compilation cache is JAX's")
def test_a_jax_process_caches_compilations_in_a_folder_removed_at_exit(tmp_path):
    # Every compilation is cached (by default those over a second: a
    # model's training step, not this tiny function).
    every = {"JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0"}
    folder, entries = _cached_process(every)
    assert entries > 0
    assert folder.name.startswith("base-attentive-xla-cache-")
    assert not folder.exists()  # removed when the process ended
    # A folder the user set is used and kept for later runs.
    mine = tmp_path / "xla-cache"
    folder, entries = _cached_process({**every, "JAX_COMPILATION_CACHE_DIR": str(mine)})
    assert folder == mine and entries > 0 and len(list(mine.iterdir())) == entries


def test_only_jax_gets_a_compilation_cache(monkeypatch):
    monkeypatch.setenv("JAX_COMPILATION_CACHE_DIR", "")  # unset; restored after
    defaults = kernels.configure_process()
    assert ("JAX_COMPILATION_CACHE_DIR" in defaults) is (BACKEND == "jax")


def test_seeding_the_global_generator_repeats_unseeded_dropout():
    """Unseeded dropout repeats after the commands' seeding (Python's
    `random` and the backend's global generator) on every backend."""
    layer_masks = []
    for _ in range(2):
        random.seed(7)
        kernels.seed_global_generator(7)
        layer = keras.layers.Dropout(0.5)
        layer_masks.append(
            ops.convert_to_numpy(layer(np.ones((64, 64), "float32"), training=True))
        )
    np.testing.assert_array_equal(*layer_masks)


def test_a_missing_kernel_raises_not_implemented(monkeypatch):
    monkeypatch.delattr(_backend_kernels(), "lstm", raising=False)
    with pytest.raises(NotImplementedError, match=f"no 'lstm' fast path on {BACKEND}"):
        kernels.lstm(None, None, None, None, False)
