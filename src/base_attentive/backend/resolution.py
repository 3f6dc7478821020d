"""Which backend base-attentive uses, decided before Keras starts.

Keras fixes its backend when it is first imported. This module decides the
name to put in ``KERAS_BACKEND`` *before* that moment and, once Keras runs,
reports what Keras actually runs (``keras.backend.backend()``).

Resolution order (first match wins):

1. ``BASE_ATTENTIVE_BACKEND`` environment variable;
2. ``KERAS_BACKEND`` environment variable, as set by the user;
3. the name given to :func:`set_backend` in this process;
4. the best installed backend (tensorflow > torch > jax), detected without
   importing any framework;
5. ``"tensorflow"``.

Empty environment variables count as unset (as Keras treats an empty
``KERAS_BACKEND``). Because :func:`configure_keras_backend_env` itself writes
``KERAS_BACKEND``, the user's value is the one seen at the first resolution;
if the variable later holds something other than what this module wrote, the
user changed it and the new value is theirs.

This module never imports Keras or a framework.
"""

import os

from base_attentive.backend import environment
from base_attentive.backend.detection import select_best_backend
from base_attentive.backend.environment import (
    ENV_VAR,
    KERAS_ENV_VAR,
    _reset_for_tests,  # noqa: F401  (tests reset state via resolution)
    env_backend,
    explicit_request,
    running_keras_backend,
    user_keras_backend,
)
from base_attentive.backend.names import _normalize

__all__ = [
    "RULE_DESCRIPTIONS",
    "BackendConflictError",
    "check_keras_backend",
    "configure_keras_backend_env",
    "get_backend",
    "resolve_backend",
    "set_backend",
]

# Rule identifiers returned by resolve_backend(), with their meaning.
RULE_DESCRIPTIONS = {
    "BASE_ATTENTIVE_BACKEND": "BASE_ATTENTIVE_BACKEND environment variable",
    "KERAS_BACKEND": "KERAS_BACKEND environment variable",
    "set_backend": "set_backend() in this process",
    "detected": "best installed backend (preference: tensorflow, torch, jax)",
    "fallback": "fallback default (no supported backend detected)",
    "keras": "Keras itself (it was imported before base-attentive could decide)",
}
EXPLICIT_RULES = ("BASE_ATTENTIVE_BACKEND", "KERAS_BACKEND", "set_backend")


class BackendConflictError(RuntimeError):
    """Keras already runs a backend other than the one requested.

    Keras cannot switch backends inside a running process; the message names
    both backends and how to fix it.
    """


def resolve_backend():
    """Decide the backend by the resolution order, without importing anything.

    Returns:
        ``(name, rule)``: ``name`` is ``"tensorflow"``, ``"torch"`` or
        ``"jax"``; ``rule`` is the step that decided it, one of
        ``"BASE_ATTENTIVE_BACKEND"``, ``"KERAS_BACKEND"``, ``"set_backend"``,
        ``"detected"``, ``"fallback"`` (see ``RULE_DESCRIPTIONS``).

    Raises:
        ValueError: if ``BASE_ATTENTIVE_BACKEND`` or ``KERAS_BACKEND`` holds an
            invalid name; the message names the variable and its value.

    Example:

    >>> name, rule = resolve_backend()
    """
    request = explicit_request()
    if request is not None:
        return request[0], request[1]
    best = select_best_backend(require_supported=True)
    if best is not None:
        return best, "detected"
    return "tensorflow", "fallback"


def _conflict_message(requested, running, source):
    return (
        f"Keras is already running the {running!r} backend, but {source} "
        f"requests {requested!r}. Switching backends inside a running process "
        f"is not supported: Keras fixes its backend when it is first imported. "
        f"Fix: set {ENV_VAR}={requested} (or {KERAS_ENV_VAR}={requested}) "
        f"before the first import of keras or base_attentive, or restart the "
        f"Python process."
    )


def _verify_running(running):
    """Return ``running`` or raise if an explicit request names another backend."""
    request = explicit_request()
    if request is not None and request[0] != running:
        raise BackendConflictError(_conflict_message(request[0], running, request[2]))
    return running


def get_backend():
    """Return the backend base-attentive uses: the truth once Keras runs.

    Once Keras is imported this is ``keras.backend.backend()``. Before, it is
    the name the resolution order gives (see :func:`resolve_backend`), which
    is what Keras will load, because importing base_attentive wrote it to
    ``KERAS_BACKEND``.

    Returns:
        The backend name, e.g. ``"torch"``.

    Raises:
        BackendConflictError: if Keras runs a backend other than the one
            explicitly requested (``BASE_ATTENTIVE_BACKEND``, the user's
            ``KERAS_BACKEND`` or :func:`set_backend`).
        ValueError: if a backend environment variable is invalid.

    Example:

    >>> get_backend() in {"tensorflow", "torch", "jax"}
    True
    """
    running = running_keras_backend()
    if running is None:
        return resolve_backend()[0]
    return _verify_running(running)


def active_backend():
    """Return ``(name, rule)`` for the backend in use, as ``info`` reports it.

    Like :func:`get_backend`, but also says which rule decided; ``rule`` is
    ``"keras"`` when Keras was imported before base_attentive and chose the
    backend itself (no explicit request).

    Example:

    >>> name, rule = active_backend()
    """
    running = running_keras_backend()
    name, rule = resolve_backend()
    if running is None:
        return name, rule
    _verify_running(running)
    if rule not in EXPLICIT_RULES and (
        environment.state().keras_imported_first or name != running
    ):
        return running, "keras"
    return running, rule


def check_keras_backend():
    """Confirm, right after ``import keras``, that Keras runs the requested backend.

    The model package calls this once after importing Keras, so a mismatch
    fails loudly at the first use instead of silently running elsewhere.

    Returns:
        The backend Keras runs, e.g. ``"jax"``.

    Raises:
        BackendConflictError: if an explicit request names another backend.
        RuntimeError: if Keras is not imported yet.

    Example:

    >>> import keras
    >>> check_keras_backend() == keras.backend.backend()
    True
    """
    running = running_keras_backend()
    if running is None:
        raise RuntimeError(
            "check_keras_backend() must be called after `import keras`; Keras "
            "is not imported in this process yet. Use get_backend() to ask "
            "which backend Keras will load."
        )
    return _verify_running(running)


def set_backend(name):
    """Choose the backend for this process, before Keras is imported.

    Environment variables have priority (resolution steps 1 and 2): if one
    names another backend, this raises instead of being silently ignored.

    Args:
        name: str, a backend name or alias (``"tf"``, ``"pytorch"``, ...).

    Returns:
        The normalized name.

    Raises:
        BackendConflictError: if Keras already runs a different backend.
        ValueError: if ``name`` is invalid, or ``BASE_ATTENTIVE_BACKEND`` or
            the user's ``KERAS_BACKEND`` names a different backend.
        TypeError: if ``name`` is not a string.

    Example:

    >>> set_backend("pytorch")  # doctest: +SKIP
    'torch'
    """
    name = _normalize(name, "name")
    running = running_keras_backend()
    if running is not None and running != name:
        raise BackendConflictError(
            _conflict_message(name, running, f"set_backend({name!r})")
        )
    for var, raw in (
        (ENV_VAR, os.environ.get(ENV_VAR)),
        (KERAS_ENV_VAR, user_keras_backend()),
    ):
        wins = env_backend(var, raw)
        if wins is not None and wins != name:
            raise ValueError(
                f"set_backend({name!r}) cannot take effect: the {var} "
                f"environment variable ({raw!r}) has priority over set_backend(). "
                f"Fix: unset {var} or set it to {name!r}."
            )
    environment.state().requested = name
    environment.write_keras_backend(name)
    return name


def configure_keras_backend_env():
    """Resolve the backend and write it to ``KERAS_BACKEND`` for Keras to read.

    Called when ``base_attentive`` is imported. If Keras is already imported
    it writes nothing (Keras has chosen; :func:`get_backend` reports that
    choice and raises on a conflict). Never imports Keras or a framework.

    Returns:
        The resolved backend name.

    Raises:
        ValueError: if a backend environment variable is invalid.

    Example:

    >>> configure_keras_backend_env() == get_backend()
    True
    """
    environment.take_snapshot()
    name, _ = resolve_backend()
    if running_keras_backend() is None:
        environment.write_keras_backend(name)
    elif environment.state().written is None:
        environment.state().keras_imported_first = True
    return name
