"""What was asked for in this process: backend variables, set_backend, Keras.

Holds the process state behind :mod:`base_attentive.backend.resolution`: the
user's ``KERAS_BACKEND`` (snapshot before this package writes the variable),
the name given to ``set_backend()``, and the probe telling which backend an
imported Keras runs. Never imports Keras or a framework.
"""

import os
import sys

from base_attentive.backend.names import _normalize

ENV_VAR = "BASE_ATTENTIVE_BACKEND"
KERAS_ENV_VAR = "KERAS_BACKEND"

_PROBE = "probe"


class _State:
    """Process-wide state; one instance, replaced by ``_reset_for_tests``."""

    def __init__(self, keras_backend=_PROBE):
        self.snapshot_taken = False
        self.user_keras_backend = None  # KERAS_BACKEND as the user set it
        self.written = None  # the last value this package wrote to KERAS_BACKEND
        self.requested = None  # name given to set_backend()
        self.keras_imported_first = False  # Keras loaded before configure ran
        self.simulated_keras = keras_backend  # see _reset_for_tests


_STATE = _State()


def state():
    """The current process state (an ``_State``)."""
    return _STATE


def _reset_for_tests(keras_backend=_PROBE):
    """Forget all backend state, as in a fresh process (tests only).

    The next resolution takes a new snapshot of the user's ``KERAS_BACKEND``
    from ``os.environ``. Tests call it (through a fixture) around changes of
    environment variables made with ``monkeypatch``.

    Args:
        keras_backend: which backend Keras is taken to run. The default
            ``"probe"`` looks at ``sys.modules`` as in production; ``None``
            acts as if Keras were not imported; a backend name acts as if
            Keras ran that backend. Simulating lets a test process whose Keras
            runs one backend check the behaviour for another.
    """
    global _STATE
    _STATE = _State(keras_backend)


def take_snapshot():
    """Record the user's KERAS_BACKEND once, before this package writes it."""
    if not _STATE.snapshot_taken:
        _STATE.user_keras_backend = os.environ.get(KERAS_ENV_VAR)
        _STATE.snapshot_taken = True


def user_keras_backend():
    """The user's KERAS_BACKEND value (raw string or None)."""
    take_snapshot()
    current = os.environ.get(KERAS_ENV_VAR)
    if _STATE.written is None or current != _STATE.written:
        # Nothing written yet, or the user changed it after this package wrote.
        return current
    return _STATE.user_keras_backend


def write_keras_backend(name):
    """Put ``name`` in KERAS_BACKEND (for Keras, and child processes)."""
    take_snapshot()
    os.environ[KERAS_ENV_VAR] = name
    _STATE.written = name


def env_backend(var, value):
    """Normalize a variable's value; empty or unset gives None."""
    if value is None or not value.strip():
        return None
    return _normalize(
        value, var, fix=f"Fix: set {var} to one of these names, or unset it."
    )


def running_keras_backend():
    """The backend Keras runs, or None if Keras is not (fully) imported."""
    if _STATE.simulated_keras != _PROBE:
        return _STATE.simulated_keras
    keras = sys.modules.get("keras")
    if keras is None:
        return None
    backend_fn = getattr(getattr(keras, "backend", None), "backend", None)
    if backend_fn is None:  # Keras is still being imported
        return None
    return backend_fn()


def explicit_request():
    """``(name, rule, source)`` of the highest-priority explicit request, or None.

    Explicit requests are, in order: ``BASE_ATTENTIVE_BACKEND``, the user's
    ``KERAS_BACKEND``, ``set_backend()``. ``source`` describes the request
    for error messages, e.g. ``"BASE_ATTENTIVE_BACKEND='torch'"``.
    """
    raw = os.environ.get(ENV_VAR)
    name = env_backend(ENV_VAR, raw)
    if name is not None:
        return name, "BASE_ATTENTIVE_BACKEND", f"{ENV_VAR}={raw!r}"
    raw = user_keras_backend()
    name = env_backend(KERAS_ENV_VAR, raw)
    if name is not None:
        return name, "KERAS_BACKEND", f"{KERAS_ENV_VAR}={raw!r}"
    if _STATE.requested is not None:
        return _STATE.requested, "set_backend", f"set_backend({_STATE.requested!r})"
    return None
