"""SIGINT and SIGTERM as exceptions, so that a stopped run cleans up.

A command stopped by Ctrl-C (SIGINT) or by `kill` (SIGTERM, what job
schedulers and containers send) must leave no partial run folder behind and
exit with the shell's codes, 130 and 143. Python turns SIGINT into a
`KeyboardInterrupt`; SIGTERM kills the process at once by default, so no
`finally` block or `except` clause runs. `signals_as_exceptions` installs
handlers that raise `KeyboardInterrupt` (SIGINT) or `Terminated`, a
subclass, (SIGTERM) wherever the main thread is, so `run_folder.atomic_folder`
removes its temporary folder either way.

Python runs a signal handler in the main thread between two bytecodes, or
when C code calls `PyErr_CheckSignals`. XLA's compiler does the latter
while JAX compiles a function: jaxlib then returns the exception at once
and leaves the compilation running in a thread of its own. Once the command
has cleaned up, the process must therefore not run JAX's exit handler
(`jax._src.api.clean_up`), which destroys the backend under that thread and
crashed the process with a segmentation fault (exit 139). `exit_now` ends
the process without exit handlers, after flushing the output; `cli.main`
calls it once the exception has unwound the command.

Some library code catches every exception, and a signal that lands inside
it is lost: Keras 3.15's torch backend traces a model's output shapes
inside a bare `except:` and retries, so a Ctrl-C during the first training
step used to let the run go on to the end (exit 0). `raise_if_received`
raises such a signal again; the training recipe calls it before every batch
(`callbacks.StopOnSignal`) and `run_folder.atomic_folder` before it puts a
finished run in place.

`deferred` holds both signals for a block that must not be cut in half: the
renames that put a finished run folder in place.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading

__all__ = [
    "EXIT_CODES",
    "Terminated",
    "at_stop",
    "cancel_at_stop",
    "deferred",
    "exit_now",
    "raise_if_received",
    "received",
    "signals_as_exceptions",
]

# Exit codes of a command stopped by a signal: 128 + the signal's number.
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_received = []  # the signals that stopped a command, in this process
_active = []  # non-empty while `signals_as_exceptions` is in force
_at_stop = []  # callables `exit_now` runs (exit handlers do not run then)


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when the process receives SIGTERM.

    A subclass of `KeyboardInterrupt`, so that code which cleans up after
    Ctrl-C cleans up after `kill` too.
    """


def _exception(signum):
    if signum == signal.SIGTERM:
        return Terminated(f"terminated (signal {signum})")
    return KeyboardInterrupt()


def _raise(signum, frame):
    _received.append(signum)
    raise _exception(signum)


def raise_if_received():
    """Raises the exception of a signal received within
    `signals_as_exceptions`, again.

    Within the block a received signal always ends the command, so if the
    code is still running after one, the first exception was swallowed on
    its way out (see the module docstring). Outside the block, and when no
    signal came, it does nothing.

    Raises:
        KeyboardInterrupt: after SIGINT; `Terminated` after SIGTERM.
    """
    if _active and _received:
        raise _exception(_received[-1])


def received():
    """The signal that stopped the last command of this process, or None.

    None also when a `KeyboardInterrupt` was raised by code rather than by
    a signal (as tests do).
    """
    return _received[-1] if _received else None


def _in_main_thread():
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _installed(handler):
    """Within the block, ``handler`` handles SIGINT and SIGTERM; yields the
    handlers it replaced, which come back after the block."""
    previous = {signum: signal.signal(signum, handler) for signum in _SIGNALS}
    try:
        yield previous
    finally:
        for signum, replaced in previous.items():
            signal.signal(signum, replaced)


@contextlib.contextmanager
def signals_as_exceptions():
    """Within the block, SIGINT raises `KeyboardInterrupt` and SIGTERM
    `Terminated` in the main thread; the previous handlers come back after.

    Outside the main thread (where Python cannot install handlers) the block
    runs unchanged.
    """
    if not _in_main_thread():
        yield
        return
    _received.clear()
    _active.append(True)
    try:
        with _installed(_raise):
            yield
    finally:
        _active.pop()


@contextlib.contextmanager
def deferred():
    """Holds SIGINT and SIGTERM until the block ends, then acts on them.

    A signal received within the block is handled, by the handler that was
    installed, right after it (so it raises after the block has finished its
    work). Outside the main thread the block runs unchanged.
    """
    if not _in_main_thread():
        yield
        return
    pending = []

    def hold(signum, frame):
        pending.append((signum, frame))

    previous = {}
    try:
        with _installed(hold) as previous:
            yield
    finally:
        for signum, frame in pending[:1]:
            handler = previous[signum]
            if callable(handler):
                handler(signum, frame)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


def at_stop(callback):
    """Registers `callback()` to run when `exit_now` ends the process.

    For what must not outlive a stopped command, e.g. the worker processes
    a local multi-process run started (`atexit` handlers do not run then).
    """
    _at_stop.append(callback)


def cancel_at_stop(callback):
    """Removes a callback registered with `at_stop` (no error if absent)."""
    with contextlib.suppress(ValueError):
        _at_stop.remove(callback)


def exit_now(code):
    """Ends the process with `code` at once, without exit handlers.

    The `at_stop` callbacks run and output streams and logging are flushed
    first. Used after a signal stopped a command: frameworks may still run
    work in their own threads (JAX: an interrupted compilation) that their
    exit handlers would tear down underneath them.
    """
    for callback in reversed(_at_stop):
        callback()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed or broken pipe
            stream.flush()
    logging.shutdown()
    os._exit(code)
