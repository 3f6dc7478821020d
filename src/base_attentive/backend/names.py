"""Backend names: the valid Keras 3 backends of base-attentive and their aliases.

Every backend name that enters base-attentive (an argument, an environment
variable, a CLI option) goes through :func:`normalize_backend_name`, so no
unchecked string ever reaches ``KERAS_BACKEND``.
"""

__all__ = [
    "KERAS2_BACKENDS",
    "VALID_BACKENDS",
    "normalize_backend_name",
]

# The Keras 3 backends base-attentive supports, in detection preference order
# (see ``detection.select_best_backend``).
VALID_BACKENDS = ("tensorflow", "torch", "jax")

_ALIASES = {
    "tensorflow": "tensorflow",
    "tf": "tensorflow",
    "torch": "torch",
    "pytorch": "torch",
    "pt": "torch",
    "jax": "jax",
}

# Keras 2 (multi-backend Keras <= 2.3) backends; none of them exists in Keras 3.
KERAS2_BACKENDS = ("theano", "cntk", "mxnet", "plaidml")

# Keras 3 backends that base-attentive does not support, with the reason.
_UNSUPPORTED_KERAS3 = {
    "numpy": "the Keras 'numpy' backend is inference-only (no training)",
    "openvino": "the Keras 'openvino' backend is inference-only (no training)",
}


def _valid_names_text():
    aliases = ", ".join(
        f"{alias!r} -> {name!r}" for alias, name in _ALIASES.items() if alias != name
    )
    valid = ", ".join(repr(name) for name in VALID_BACKENDS)
    return f"Valid backends: {valid} (aliases: {aliases})"


def _normalize(name, label="name", fix=None):
    """Normalize ``name``; ``label`` names its origin in error messages.

    ``label`` is e.g. ``"name"`` for an argument or
    ``"BASE_ATTENTIVE_BACKEND"`` for an environment variable, so the error
    says exactly which setting holds the bad value; ``fix`` is appended to
    the message when given.
    """
    suffix = f" {fix}" if fix else ""
    if not isinstance(name, str):
        raise TypeError(
            f"A backend name must be a string. {_valid_names_text()}. "
            f"Received: {label}={name!r} of type {type(name).__name__}.{suffix}"
        )
    key = name.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    if key in KERAS2_BACKENDS:
        reason = (
            f"{key!r} is a Keras 2 backend, not a Keras 3 backend; "
            "Keras 3 runs on TensorFlow, PyTorch or JAX"
        )
    elif key in _UNSUPPORTED_KERAS3:
        reason = f"{_UNSUPPORTED_KERAS3[key]}, so base-attentive does not support it"
    elif not key:
        reason = "the backend name is empty"
    else:
        reason = "unknown backend name"
    raise ValueError(
        f"Invalid backend: {reason}. {_valid_names_text()}. "
        f"Received: {label}={name!r}.{suffix}"
    )


def normalize_backend_name(name):
    """Return the canonical Keras 3 backend name for ``name``.

    Matching ignores case and surrounding whitespace. Aliases: ``"tf"`` ->
    ``"tensorflow"``; ``"pytorch"``, ``"pt"`` -> ``"torch"``.

    Args:
        name: str, a backend name or alias.

    Returns:
        One of ``"tensorflow"``, ``"torch"``, ``"jax"``.

    Raises:
        TypeError: if ``name`` is not a string (this includes ``None``).
        ValueError: if ``name`` is empty, unknown, a Keras 2 backend
            (``theano``, ``cntk``, ``mxnet``, ``plaidml``) or a Keras 3
            backend base-attentive does not support (``numpy``,
            ``openvino``). The message lists the valid names.

    Example:

    >>> normalize_backend_name(" TF ")
    'tensorflow'
    >>> normalize_backend_name("PyTorch")
    'torch'
    """
    return _normalize(name, "name")
