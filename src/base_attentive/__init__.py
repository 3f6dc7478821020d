"""base-attentive: attentive encoder-decoder forecasting on Keras 3.

Importing this package decides the Keras backend (see
:mod:`base_attentive.backend`) and writes it to ``KERAS_BACKEND`` *before*
Keras is loaded. It imports neither Keras nor any framework; the model is
loaded lazily on first access of ``base_attentive.BaseAttentive`` (or
``base_attentive.load_model``).
"""

from base_attentive.backend import (
    detect_available_backends,
    ensure_default_backend,
    get_available_backends,
    get_backend,
    get_backend_capabilities,
    normalize_backend_name,
    select_best_backend,
    set_backend,
)
from base_attentive.backend.resolution import configure_keras_backend_env

__version__ = "0.1.0"

__all__ = [
    "BaseAttentive",
    "load_model",
    "make_fast_predict_fn",
    "__version__",
    "detect_available_backends",
    "ensure_default_backend",
    "get_available_backends",
    "get_backend",
    "get_backend_capabilities",
    "normalize_backend_name",
    "select_best_backend",
    "set_backend",
]

configure_keras_backend_env()

_LAZY = {
    "BaseAttentive": "base_attentive.models",
    "load_model": "base_attentive.models",
    "make_fast_predict_fn": "base_attentive.models",
}


def __getattr__(name):
    """PEP 562: import the model (and so Keras) only when it is asked for."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'base_attentive' has no attribute {name!r}")
