"""base-attentive: attentive encoder-decoder forecasting on Keras 3.

Importing this package decides the Keras backend (see
:mod:`base_attentive.backend`) and writes it to ``KERAS_BACKEND`` *before*
Keras is loaded. It imports neither Keras nor any framework; the model is
loaded lazily on first access of ``base_attentive.BaseAttentive`` (or
``base_attentive.load_model``).

An invalid ``BASE_ATTENTIVE_BACKEND`` or ``KERAS_BACKEND`` makes the import
raise a ``ValueError`` naming the variable. The one exception is
``python -m base_attentive``, which imports this package to run its CLI: the
error is then kept for the CLI to print as one ``error: ...`` line (exit code
2). The ``base-attentive`` console script enters through the top-level module
``_base_attentive_cli`` for the same reason.
"""

import sys

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


def _running_as_python_m():
    """Whether ``python -m base_attentive`` is importing this package to run it.

    While ``python -m`` imports the packages of its module, ``sys.argv[0]``
    is ``"-m"``, and the module name comes right before the arguments for
    the module in ``sys.orig_argv`` (``-m NAME`` or ``-mNAME``).
    """
    if sys.argv[:1] != ["-m"] or len(sys.orig_argv) < len(sys.argv):
        return False
    target = sys.orig_argv[-len(sys.argv)]
    if target.startswith("-"):
        target = target.partition("m")[2]
    return target in (__name__, f"{__name__}.__main__")


# The error `python -m base_attentive` defers to the CLI (`cli.main` raises it).
_backend_error = None
try:
    configure_keras_backend_env()
except ValueError as err:
    if not _running_as_python_m():
        raise
    _backend_error = err

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
