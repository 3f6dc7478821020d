"""What a backend can do under Keras 3, as a plain dict."""

from base_attentive.backend.detection import detect_backend
from base_attentive.backend.devices import list_devices
from base_attentive.backend.names import normalize_backend_name
from base_attentive.backend.resolution import get_backend

__all__ = [
    "DATA_PARALLEL",
    "DistributionNotSupportedError",
    "get_backend_capabilities",
]

# Multi-device data parallelism with Keras 3.15, per backend, as
# base_attentive.distributed implements it. keras.distribution has a JAX
# implementation, a TensorFlow prototype marked "DO NOT USE"
# (keras/src/backend/tensorflow/distribution_lib.py) and none for torch
# (keras/src/backend/__init__.py sets distribution_lib = None); on torch the
# Keras model, a torch.nn.Module, trains under PyTorch's own
# DistributedDataParallel.
DATA_PARALLEL = {
    "jax": "keras.distribution.DataParallel, several devices and processes "
    "(base_attentive.distributed.data_parallel, initialize_multi_host)",
    "tensorflow": "tf.distribute.MirroredStrategy, several devices of one "
    "machine (base_attentive.distributed.data_parallel)",
    "torch": "torch.nn.parallel.DistributedDataParallel, one device per "
    "process, several processes and machines (Gloo on CPU, NCCL on GPU; "
    "torchrun, or base_attentive.distributed.initialize_multi_host)",
}


class DistributionNotSupportedError(RuntimeError):
    """The active backend (or this set-up) cannot train data-parallel."""


def get_backend_capabilities(name=None, *, include_devices=True):
    """Describe what backend ``name`` offers in this environment.

    Args:
        name: str or None, a backend name or alias; default None means the
            active backend (:func:`get_backend`).
        include_devices: bool, default True. Listing devices imports the
            framework (seconds); pass False to stay import-free.

    Returns:
        dict with keys:

        - ``name``, ``available``, ``version``, ``supported``,
          ``min_version``, ``distribution``, ``reason`` (why unsupported,
          None otherwise), as in :func:`detect_available_backends`;
        - ``training`` (bool): ``model.fit`` works (every supported backend);
        - ``jit_compile`` (bool): ``compile(jit_compile=True)`` takes effect
          (XLA on TensorFlow and JAX, ``torch.compile`` on torch >= 2.1);
        - ``data_parallel`` (str): the engine that spreads training over
          devices and processes on this backend;
        - ``devices`` (list of ``{"type", "name"}`` dicts; empty when not
          installed, unsupported or ``include_devices=False``);
        - ``devices_error`` (str or None): why devices could not be listed.

    Raises:
        ValueError, TypeError: if ``name`` is not a valid backend name.

    Example:

    >>> caps = get_backend_capabilities("jax", include_devices=False)
    >>> caps["data_parallel"].split(",")[0]
    'keras.distribution.DataParallel'
    """
    name = get_backend() if name is None else normalize_backend_name(name)
    info = detect_backend(name)
    capabilities = {
        "name": name,
        **info,
        "training": info["supported"],
        "jit_compile": info["supported"],
        "data_parallel": DATA_PARALLEL[name],
        "devices": [],
        "devices_error": None,
    }
    if include_devices and info["supported"]:
        try:
            capabilities["devices"] = list_devices(name)
        except (ImportError, OSError, RuntimeError) as err:
            # A broken install (missing shared library, CUDA mismatch) is
            # reported, not hidden: `info` shows this text.
            capabilities["devices_error"] = f"{type(err).__name__}: {err}"
    return capabilities
