"""Devices each framework can see (CPU, GPU, TPU, MPS).

This is the only module of base-attentive that imports TensorFlow, PyTorch or
JAX, and only inside functions, when a device list is asked for. Importing a
framework takes seconds and may print its own log lines.
"""

from base_attentive.backend.names import normalize_backend_name

__all__ = ["list_devices"]


def _tensorflow_devices():
    import tensorflow as tf

    return [
        {"type": device.device_type, "name": device.name}
        for device in tf.config.list_physical_devices()
    ]


def _torch_devices():
    import torch

    devices = [{"type": "CPU", "name": "cpu"}]
    if torch.cuda.is_available():
        devices += [
            {
                "type": "GPU",
                "name": f"cuda:{index} ({torch.cuda.get_device_name(index)})",
            }
            for index in range(torch.cuda.device_count())
        ]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append({"type": "MPS", "name": "mps"})
    xpu = getattr(torch, "xpu", None)
    if xpu is not None and xpu.is_available():
        devices += [
            {"type": "XPU", "name": f"xpu:{index}"}
            for index in range(xpu.device_count())
        ]
    return devices


def _jax_devices():
    import jax

    devices = list(jax.devices())
    if all(device.platform != "cpu" for device in devices):
        devices += jax.devices("cpu")
    return [
        {"type": device.platform.upper(), "name": str(device)} for device in devices
    ]


_LISTERS = {
    "tensorflow": _tensorflow_devices,
    "torch": _torch_devices,
    "jax": _jax_devices,
}


def list_devices(name):
    """Return the devices framework ``name`` sees, importing that framework.

    Args:
        name: str, a backend name or alias.

    Returns:
        list of dicts ``{"type": "CPU" | "GPU" | "TPU" | "MPS" | ...,
        "name": str}``, e.g. ``[{"type": "CPU", "name": "cpu"}]``.

    Raises:
        ImportError: if the framework is not installed or fails to import.

    Example:

    >>> from base_attentive import get_backend
    >>> devices = list_devices(get_backend())
    >>> devices[0]["type"] in {"CPU", "GPU", "TPU", "MPS"}
    True
    """
    return _LISTERS[normalize_backend_name(name)]()
