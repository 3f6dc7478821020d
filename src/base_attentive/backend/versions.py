"""Minimum framework versions, version comparison and installed versions.

Versions are read from package metadata (``importlib.metadata``); nothing here
imports a framework.
"""

import importlib.metadata
import platform

from packaging.version import InvalidVersion, Version

from base_attentive.backend.names import normalize_backend_name

__all__ = [
    "MIN_VERSIONS",
    "find_distribution",
    "get_backend_version",
    "install_requirement",
    "version_at_least",
]

# The oldest framework release the installed Keras 3 (3.15) really works with.
# This table is the single source of truth in the code; docs/backends.md and
# the README quote it.
#
# Evidence:
# - tensorflow 2.16.0: TF 2.16 is the first release built for Keras 3
#   (`tf.keras` is Keras 3 from 2.16 on); `tensorflow<=2.15` pins `keras<3`
#   and overwrites a Keras 3 install (keras.io "Getting started": "If you
#   install TensorFlow 2.15, you should reinstall Keras 3 afterwards ... not
#   necessary for TensorFlow versions 2.16 onwards").
# - torch 2.1.0: Keras' own requirements files pin `torch>=2.1.0`; Keras 3.15
#   refers to `torch.float8_e4m3fn` (new in torch 2.1) at import in
#   keras/src/backend/torch/core.py, and keras/src/backend/torch/trainer.py
#   turns `jit_compile=True` off with a warning below torch 2.1.0.
# - jax 0.4.30: Keras 3.15 runs `from jax import export` at import in
#   keras/src/backend/jax/core.py; `jax.export` became public in JAX 0.4.30
#   (JAX changelog, 2024-06-18), so older JAX cannot even import the backend.
#   Note: multi-device `keras.distribution` layouts additionally use
#   `jax.set_mesh` (public since JAX 0.7.1).
MIN_VERSIONS = {
    "tensorflow": "2.16.0",
    "torch": "2.1.0",
    "jax": "0.4.30",
}

# Distributions that can provide each framework's import package, most common
# first. TensorFlow ships under several names (CPU-only, macOS, Windows and
# nightly builds); the first one installed gives the version.
_DISTRIBUTIONS = {
    "tensorflow": (
        "tensorflow",
        "tensorflow-cpu",
        "tensorflow-macos",
        "tensorflow-intel",
        "tensorflow-gpu",
        "tf-nightly",
        "tf-nightly-cpu",
    ),
    "torch": ("torch",),
    "jax": ("jax",),
}


def _parse(value, label):
    if not isinstance(value, str):
        raise TypeError(
            f"`{label}` must be a version string such as '2.16.0'. "
            f"Received: {label}={value!r} of type {type(value).__name__}"
        )
    try:
        return Version(value.strip())
    except InvalidVersion as err:
        raise ValueError(
            f"`{label}` is not a valid version string (PEP 440, e.g. '2.16.0', "
            f"'2.13.0+cpu', '2.16.0rc1'). Received: {label}={value!r}"
        ) from err


def version_at_least(version, minimum):
    """Return whether ``version`` is at least ``minimum`` (PEP 440 order).

    Local labels count as the release (``"2.13.0+cpu"`` is at least
    ``"2.13.0"``); pre-releases and dev builds come before their release
    (``"2.16.0rc1"`` is not at least ``"2.16.0"`` but is at least
    ``"2.15"``).

    Args:
        version: str, the version to test, e.g. ``"2.13.0+cpu"``.
        minimum: str, the lowest acceptable version, e.g. ``"2.12.0"``.

    Returns:
        bool.

    Raises:
        TypeError: if either argument is not a string.
        ValueError: if either argument is not a valid version string.

    Example:

    >>> version_at_least("2.13.0+cpu", "2.12.0")
    True
    >>> version_at_least("2.16.0rc1", "2.16.0")
    False
    """
    return _parse(version, "version") >= _parse(minimum, "minimum")


def find_distribution(name):
    """Return ``(distribution, version)`` of the installed framework, or None.

    Args:
        name: str, a backend name or alias.

    Returns:
        A tuple such as ``("tensorflow-cpu", "2.21.0")``, or ``None`` when no
        known distribution of the framework is installed.

    Example:

    >>> find_distribution("torch")  # doctest: +ELLIPSIS
    ('torch', '...')
    """
    name = normalize_backend_name(name)
    for distribution in _DISTRIBUTIONS[name]:
        try:
            return distribution, importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def get_backend_version(name):
    """Return the installed version of a framework, without importing it.

    Args:
        name: str, a backend name or alias (``"tf"``, ``"torch"``, ...).

    Returns:
        The version string from package metadata (e.g. ``"2.21.0"``), or
        ``None`` if the framework is not installed.

    Example:

    >>> get_backend_version("tf")  # doctest: +ELLIPSIS
    '2...'
    """
    found = find_distribution(name)
    return None if found is None else found[1]


def install_requirement(name):
    """Return the pip requirement that installs a supported ``name``.

    It mirrors the package extras: ``tensorflow-cpu`` on Linux x86_64 (unless
    another TensorFlow distribution is already installed, which is then
    upgraded), ``tensorflow`` elsewhere.

    Args:
        name: str, a backend name or alias.

    Returns:
        A requirement string such as ``"torch>=2.1.0"``.

    Example:

    >>> install_requirement("jax")
    'jax>=0.4.30'
    """
    name = normalize_backend_name(name)
    found = find_distribution(name)
    if found is not None:
        distribution = found[0]
    elif name == "tensorflow" and _is_linux_x86_64():
        distribution = "tensorflow-cpu"
    else:
        distribution = name
    return f"{distribution}>={MIN_VERSIONS[name]}"


def _is_linux_x86_64():
    return platform.system() == "Linux" and platform.machine() == "x86_64"
