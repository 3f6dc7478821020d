"""base-attentive: attentive encoder-decoder forecasting on Keras 3.

Importing this package never raises and imports neither Keras nor any
framework. It decides the Keras backend (see :mod:`base_attentive.backend`)
and writes it to ``KERAS_BACKEND`` *before* Keras is loaded, so that
``import base_attentive`` then ``import keras`` agree. The model is loaded
lazily, on first access of ``base_attentive.BaseAttentive`` (or
``load_model``, ``make_fast_predict_fn``).

An invalid ``BASE_ATTENTIVE_BACKEND`` or ``KERAS_BACKEND`` is reported at
first use, where the user can act on it: `get_backend`, the first access of
the model and the ``base-attentive`` command raise the same ``ValueError``,
naming the variable, its value and the valid names.
"""

import contextlib

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
    "Forecaster",
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

# An invalid backend variable raises a ValueError here. Nothing is written to
# KERAS_BACKEND then, and every later resolution (get_backend, the model's
# first import, the CLI) raises the same error: it is deferred, not lost.
with contextlib.suppress(ValueError):
    configure_keras_backend_env()

_LAZY = {
    "BaseAttentive": "base_attentive.models",
    "Forecaster": "base_attentive.forecaster",
    "load_model": "base_attentive.models",
    "make_fast_predict_fn": "base_attentive.models",
}


def __getattr__(name):
    """PEP 562: import the model (and so Keras) only when it is asked for."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'base_attentive' has no attribute {name!r}")
