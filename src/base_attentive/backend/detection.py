"""Which frameworks are installed, in which version, and whether Keras 3 can use them.

Detection reads ``importlib.util.find_spec`` and package metadata only: it
never imports TensorFlow, PyTorch or JAX, so it is cheap and cannot change
which backend Keras later picks.
"""

import importlib.util
import sys

from base_attentive.backend.names import VALID_BACKENDS, normalize_backend_name
from base_attentive.backend.versions import (
    MIN_VERSIONS,
    find_distribution,
    install_requirement,
    version_at_least,
)

__all__ = [
    "check_jax_compatibility",
    "check_tensorflow_compatibility",
    "check_torch_compatibility",
    "detect_available_backends",
    "detect_backend",
    "get_available_backends",
    "select_best_backend",
]

# Human-readable framework names for messages.
DISPLAY_NAMES = {"tensorflow": "TensorFlow", "torch": "PyTorch", "jax": "JAX"}


def _module_installed(module):
    """True if ``module`` can be imported, decided without importing it."""
    if module in sys.modules:
        return True
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        # ValueError: a module object without __spec__ (e.g. a stub left in
        # sys.modules); ImportError: a broken parent package. Neither is a
        # usable installation.
        return False


def detect_backend(name):
    """Detect one framework; see :func:`detect_available_backends` for the fields.

    Args:
        name: str, a backend name or alias.

    Returns:
        dict with keys ``available``, ``version``, ``supported``,
        ``min_version``, ``distribution``, ``reason``.

    Example:

    >>> detect_backend("jax")["min_version"]
    '0.4.30'
    """
    name = normalize_backend_name(name)
    minimum = MIN_VERSIONS[name]
    found = find_distribution(name)
    info = {
        "available": _module_installed(name),
        "version": None if found is None else found[1],
        "supported": False,
        "min_version": minimum,
        "distribution": None if found is None else found[0],
        "reason": None,
    }
    requirement = install_requirement(name)
    if not info["available"]:
        info["reason"] = f"not installed (pip install '{requirement}')"
    elif info["version"] is None:
        info["reason"] = (
            f"installed, but no package metadata gives its version, so "
            f">= {minimum} cannot be confirmed (reinstall with pip install "
            f"'{requirement}')"
        )
    elif name == "jax" and not _module_installed("jaxlib"):
        info["reason"] = f"jaxlib is missing (pip install '{requirement}')"
    else:
        try:
            recent_enough = version_at_least(info["version"], minimum)
        except ValueError:
            info["reason"] = f"its version {info['version']!r} cannot be parsed"
        else:
            if recent_enough:
                info["supported"] = True
            else:
                info["reason"] = (
                    f"version {info['version']} is older than the minimum "
                    f"{minimum} (pip install --upgrade '{requirement}')"
                )
    return info


def detect_available_backends():
    """Report every supported framework, installed or not, without importing any.

    Returns:
        dict mapping ``"tensorflow"``, ``"torch"`` and ``"jax"`` to a dict:

        - ``available`` (bool): the framework's package can be imported;
        - ``version`` (str or None): installed version from package metadata;
        - ``supported`` (bool): installed and ``version >= min_version``;
        - ``min_version`` (str): minimum version for this Keras release;
        - ``distribution`` (str or None): the pip distribution providing it,
          e.g. ``"tensorflow-cpu"``;
        - ``reason`` (str or None): why it is not supported, with the pip
          command that fixes it.

    Example:

    >>> info = detect_available_backends()
    >>> sorted(info)
    ['jax', 'tensorflow', 'torch']
    """
    return {name: detect_backend(name) for name in VALID_BACKENDS}


def get_available_backends():
    """Return the backends that are installed in a supported version.

    Returns:
        list of names in preference order (``tensorflow``, ``torch``,
        ``jax``), e.g. ``["torch", "jax"]``; empty if none is usable.

    Example:

    >>> set(get_available_backends()) <= {"tensorflow", "torch", "jax"}
    True
    """
    return [
        name for name, info in detect_available_backends().items() if info["supported"]
    ]


def select_best_backend(require_supported=True):
    """Pick the best installed backend without importing any framework.

    Preference order: ``tensorflow`` (Keras' own default backend), then
    ``torch``, then ``jax``.

    Args:
        require_supported: bool, default True. If True, only backends whose
            installed version is at least the minimum count; if False, any
            installed one does.

    Returns:
        The backend name, or ``None`` if no backend qualifies.

    Example:

    >>> select_best_backend() in {"tensorflow", "torch", "jax", None}
    True
    """
    key = "supported" if require_supported else "available"
    for name, info in detect_available_backends().items():
        if info[key]:
            return name
    return None


def _check(name):
    info = detect_backend(name)
    label = DISPLAY_NAMES[name]
    if info["supported"]:
        return True, (
            f"{label} {info['version']} is compatible (>= {info['min_version']})"
        )
    if not info["available"]:
        return False, (
            f"{label} is not installed: pip install '{install_requirement(name)}'"
        )
    return False, f"{label} is not compatible: {info['reason']}"


def check_tensorflow_compatibility():
    """Check the installed TensorFlow against the minimum Keras 3 needs.

    Returns:
        ``(ok, message)``, e.g. ``(True, "TensorFlow 2.21.0 is compatible
        (>= 2.16.0)")`` or ``(False, "TensorFlow is not installed: pip
        install 'tensorflow-cpu>=2.16.0'")``.

    Example:

    >>> ok, message = check_tensorflow_compatibility()
    """
    return _check("tensorflow")


def check_torch_compatibility():
    """Check the installed PyTorch against the minimum Keras 3 needs.

    Returns:
        ``(ok, message)``, e.g. ``(True, "PyTorch 2.13.0+cpu is compatible
        (>= 2.1.0)")``.

    Example:

    >>> ok, message = check_torch_compatibility()
    """
    return _check("torch")


def check_jax_compatibility():
    """Check the installed JAX (and jaxlib) against the minimum Keras 3 needs.

    Returns:
        ``(ok, message)``, e.g. ``(True, "JAX 0.10.2 is compatible
        (>= 0.4.30)")``.

    Example:

    >>> ok, message = check_jax_compatibility()
    """
    return _check("jax")
