"""What a backend can do under Keras 3, as a plain dict."""

from base_attentive.backend.detection import detect_backend
from base_attentive.backend.devices import list_devices
from base_attentive.backend.names import normalize_backend_name
from base_attentive.backend.resolution import get_backend

__all__ = [
    "DATA_PARALLEL",
    "DistributionNotSupportedError",
    "TORCH_UNSUPPORTED",
    "get_backend_capabilities",
]

# Multi-device data parallelism with Keras 3.15, per backend, as
# base_attentive.distributed implements it. keras.distribution has a JAX
# implementation, a TensorFlow prototype marked "DO NOT USE"
# (keras/src/backend/tensorflow/distribution_lib.py) and none for torch
# (keras/src/backend/__init__.py sets distribution_lib = None).
DATA_PARALLEL = {
    "jax": "keras.distribution.DataParallel, several devices and processes "
    "(base_attentive.distributed.data_parallel, initialize_multi_host)",
    "tensorflow": "tf.distribute.MirroredStrategy, several devices of one "
    "machine (base_attentive.distributed.data_parallel)",
    "torch": "not supported: Keras 3's distribution API has no PyTorch "
    "implementation (one device)",
}

TORCH_UNSUPPORTED = (
    "Data-parallel training is not available on the torch backend: Keras "
    "3's distribution API (keras.distribution) has no PyTorch implementation, "
    "and base-attentive does not build one around Keras. Train on one device, "
    "or use the JAX backend (keras.distribution.DataParallel) or the "
    "TensorFlow backend (tf.distribute.MirroredStrategy)."
)


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
        - ``data_parallel`` (str): how Keras 3 spreads training over devices;
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
