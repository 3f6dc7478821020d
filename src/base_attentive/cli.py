"""Command line interface: ``base-attentive COMMAND`` (or ``python -m base_attentive``).

Global options come before the command::

    base-attentive [--backend NAME] [--debug] info [--json] [--no-devices]

``--backend`` is applied with :func:`base_attentive.set_backend` before any
command runs, so before anything imports Keras. This module imports neither
Keras nor a framework; commands import what they need inside ``run``.

Adding a command: write a module with ``configure_parser(parser)`` (adds the
command's arguments) and ``run(args) -> int`` (the exit code; imports Keras
inside the function), then add a :class:`Command` entry to ``COMMANDS``.
User errors raised by a command (``ValueError``, ``TypeError``,
``FileNotFoundError``, ``ImportError``, :class:`BackendConflictError`,
:class:`DistributionNotSupportedError`) are
printed as one ``error: ...`` line with exit code 2; ``--debug`` shows the
traceback instead. SIGINT (Ctrl-C) and SIGTERM stop a command at any point
with exit code 130 and 143, after it has cleaned up (no partial run folder;
see `base_attentive.interrupts`), also when the signal lands inside native
code that turns it into another exception. So is an invalid backend
environment variable, which ``import base_attentive`` leaves for first use:
:func:`main` resolves the backend before anything else.
"""

import argparse
import json
import os
import signal
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import NamedTuple

from base_attentive import interrupts
from base_attentive.backend.capabilities import DistributionNotSupportedError
from base_attentive.backend.resolution import (
    BackendConflictError,
    configure_keras_backend_env,
    set_backend,
)
from base_attentive.commands import evaluate, export, predict, train, tune
from base_attentive.commands.tables import cli_message

__all__ = ["COMMANDS", "Command", "main"]

# Exit codes.
EXIT_OK = 0
EXIT_PROBLEM = 1  # the command ran and found a problem (e.g. a backend conflict)
EXIT_USER_ERROR = 2  # bad arguments, settings or inputs
EXIT_INTERRUPTED = interrupts.EXIT_CODES[signal.SIGINT]  # 130
EXIT_TERMINATED = interrupts.EXIT_CODES[signal.SIGTERM]  # 143

USER_ERRORS = (
    ValueError,
    TypeError,
    FileNotFoundError,
    ImportError,
    BackendConflictError,
    DistributionNotSupportedError,
)


class Command(NamedTuple):
    """A subcommand: its help line, argument set-up and implementation."""

    help: str
    configure_parser: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _configure_info_parser(parser):
    parser.add_argument(
        "--json", action="store_true", help="print the report as JSON (for machines)"
    )
    parser.add_argument(
        "--no-devices",
        action="store_true",
        help="do not list devices (skips importing every installed framework)",
    )


def _run_info(args):
    # Imported here: building the report imports Keras.
    from base_attentive.backend.report import build_report, format_report

    # Keep TensorFlow's C++ start-up logs out of the report.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    report = build_report(include_devices=not args.no_devices)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
    problem = report["conflict"] is not None or report["keras"]["error"] is not None
    return EXIT_PROBLEM if problem else EXIT_OK


COMMANDS = {
    "info": Command(
        help="show the active backend, why it was chosen, Keras and frameworks",
        configure_parser=_configure_info_parser,
        run=_run_info,
    ),
    "train": Command(
        help="train a model (bundled Chicago data by default), score it against "
        "a seasonal-naive baseline, write a run folder",
        configure_parser=train.configure_parser,
        run=train.run,
    ),
    "tune": Command(
        help="search a configuration with Optuna on the validation period, then "
        "train the best one and write a run folder as train does",
        configure_parser=tune.configure_parser,
        run=tune.run,
    ),
    "predict": Command(
        help="forecast past the end of each series with a trained run",
        configure_parser=predict.configure_parser,
        run=predict.run,
    ),
    "evaluate": Command(
        help="backtest a trained run on a table: model and baseline metrics",
        configure_parser=evaluate.configure_parser,
        run=evaluate.run,
    ),
    "export": Command(
        help="export a trained run for serving (ONNX, TensorFlow SavedModel, "
        "PyTorch ExportedProgram) with its preprocessing",
        configure_parser=export.configure_parser,
        run=export.run,
    ),
}


def _apply_backend_option(value):
    try:
        set_backend(value)
    except ValueError as err:
        raise ValueError(f"--backend {value}: {err}") from err


def _build_parser():
    from base_attentive import __version__

    parser = argparse.ArgumentParser(
        prog="base-attentive",
        description="Multi-horizon probabilistic forecasting on Keras 3 "
        "(TensorFlow, PyTorch or JAX).",
    )
    parser.add_argument(
        "--backend",
        metavar="NAME",
        help="Keras backend for this run: tensorflow (tf), torch (pytorch, pt) "
        "or jax. BASE_ATTENTIVE_BACKEND and KERAS_BACKEND, when set, take "
        "priority; a different value is an error.",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show full tracebacks on errors"
    )
    parser.add_argument(
        "--version", action="version", version=f"base-attentive {__version__}"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in COMMANDS.items():
        sub = subparsers.add_parser(name, help=command.help, description=command.help)
        command.configure_parser(sub)
    return parser


def main(argv=None):
    """Run the CLI and return its exit code.

    Args:
        argv: list of str or None, the arguments after the program name;
            default None reads ``sys.argv[1:]``.

    Returns:
        int: 0 on success, 1 when a command reports a problem (e.g. a
        backend conflict in ``info``), 2 for user errors (including bad
        arguments), 130 when interrupted (SIGINT), 143 when terminated
        (SIGTERM).

    Example:

    >>> main(["--version"])
    base-attentive ...
    0
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse: --help, --version or a usage error
        return exit_.code if isinstance(exit_.code, int) else EXIT_USER_ERROR
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USER_ERROR
    try:
        with interrupts.signals_as_exceptions(), warnings.catch_warnings():
            warnings.showwarning = _show_warning
            configure_keras_backend_env()  # raises on an invalid backend variable
            if args.backend is not None:
                _apply_backend_option(args.backend)
            return COMMANDS[args.command].run(args)
    except KeyboardInterrupt as interrupt:
        return _stopped(isinstance(interrupt, interrupts.Terminated), args.debug)
    except Exception as err:
        signum = interrupts.received()
        if signum is not None:
            # The signal stopped the command, but landed inside native code
            # that turned its exception into another one: CPython raises
            # `SystemError: ... bad argument to internal function` when
            # SIGINT arrives during TensorFlow's first compilation.
            return _stopped(signum == signal.SIGTERM, args.debug)
        if args.debug or not isinstance(err, USER_ERRORS):
            raise
        message = " ".join(cli_message(err).split()) or type(err).__name__
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USER_ERROR


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings (e.g. extreme outliers in the data) as `warning: ...` lines."""
    text = " ".join(str(message).split())
    print(f"warning: {text}", file=sys.stderr if file is None else file)


def _stopped(terminated, debug):
    """The exit code of a command stopped by SIGINT or, when ``terminated``,
    SIGTERM.

    The command has cleaned up while the exception unwound it. When a real
    signal stopped it, the process ends here, without exit handlers (see
    `base_attentive.interrupts.exit_now`: JAX's would crash under an
    interrupted compilation).
    """
    if debug:
        traceback.print_exc()
    print(f"error: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
    code = EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    if interrupts.received() is not None:
        interrupts.exit_now(code)
    return code
