"""The ``base-attentive info`` report: a dict for machines, text for people.

Building the report imports Keras (after the backend is resolved and written
to ``KERAS_BACKEND``), so it states what this process really runs.
"""

import os
import platform
import sys

from base_attentive.backend.capabilities import get_backend_capabilities
from base_attentive.backend.environment import user_keras_backend
from base_attentive.backend.names import VALID_BACKENDS
from base_attentive.backend.resolution import (
    ENV_VAR,
    KERAS_ENV_VAR,
    RULE_DESCRIPTIONS,
    BackendConflictError,
    active_backend,
    configure_keras_backend_env,
)

__all__ = ["build_report", "format_report"]


def _package_version():
    from base_attentive import __version__

    return __version__


def _keras_section():
    """Import Keras and describe it; an import failure is reported, not raised."""
    try:
        import keras
    except ImportError as err:
        return {
            "version": None,
            "floatx": None,
            "backend": None,
            "error": f"{type(err).__name__}: {err}",
        }
    return {
        "version": keras.__version__,
        "floatx": keras.config.floatx(),
        "backend": keras.backend.backend(),
        "error": None,
    }


def _environment_section():
    current = os.environ.get(KERAS_ENV_VAR)
    return {
        ENV_VAR: os.environ.get(ENV_VAR),
        KERAS_ENV_VAR: current,
        # True when the value is this package's write, not the user's choice.
        "KERAS_BACKEND_written_by_base_attentive": (
            current is not None and user_keras_backend() != current
        ),
    }


def build_report(include_devices=True):
    """Collect what someone debugging an install needs, as a JSON-ready dict.

    Resolves the backend, writes it to ``KERAS_BACKEND`` (unless Keras is
    already imported), imports Keras and reports the backend Keras runs.

    Args:
        include_devices: bool, default True. Listing devices imports every
            installed framework (seconds each).

    Returns:
        dict with keys ``base_attentive`` (version), ``active_backend``
        (``{"name", "rule", "decided_by"}``), ``conflict`` (message or None),
        ``keras`` (``{"version", "floatx", "backend", "error"}``), ``python``
        (``{"version", "executable", "platform"}``), ``environment`` (the two
        backend variables, and whether ``KERAS_BACKEND`` holds this package's
        own write rather than a user choice) and ``frameworks`` (per backend: ``installed``,
        ``version``, ``distribution``, ``min_version``, ``compatible``,
        ``reason``, ``devices`` (None when not listed), ``devices_error``).

    Raises:
        ValueError: if a backend environment variable is invalid.

    Example:

    >>> report = build_report(include_devices=False)
    >>> report["active_backend"]["name"] == report["keras"]["backend"]
    True
    """
    configure_keras_backend_env()
    keras_info = _keras_section()
    conflict = None
    try:
        name, rule = active_backend()
    except BackendConflictError as err:
        conflict = str(err)
        name, rule = keras_info["backend"], "keras"
    frameworks = {}
    for backend in VALID_BACKENDS:
        caps = get_backend_capabilities(backend, include_devices=include_devices)
        frameworks[backend] = {
            "installed": caps["available"],
            "version": caps["version"],
            "distribution": caps["distribution"],
            "min_version": caps["min_version"],
            "compatible": caps["supported"],
            "reason": caps["reason"],
            "devices": caps["devices"] if include_devices else None,
            "devices_error": caps["devices_error"],
        }
    return {
        "base_attentive": _package_version(),
        "active_backend": {
            "name": name,
            "rule": rule,
            "decided_by": RULE_DESCRIPTIONS[rule],
        },
        "conflict": conflict,
        "keras": keras_info,
        "python": {
            "version": platform.python_version(),
            "executable": sys.executable,
            "platform": platform.platform(),
        },
        "environment": _environment_section(),
        "frameworks": frameworks,
    }


def _yes_no(flag):
    return "yes" if flag else "no"


def _devices_text(entry):
    if entry["devices_error"]:
        return f"error: {entry['devices_error']}"
    if entry["devices"] is None:
        return "(not listed)"
    if not entry["devices"]:
        return "-"
    return ", ".join(
        f"{device['type']} {device['name']}" for device in entry["devices"]
    )


def format_report(report):
    """Render a :func:`build_report` dict as the text ``base-attentive info`` prints.

    Args:
        report: dict from :func:`build_report`.

    Returns:
        str, several lines, no trailing newline.

    Example:

    >>> text = format_report(build_report(include_devices=False))
    >>> "Active backend : " in text
    True
    """
    active = report["active_backend"]
    keras_info = report["keras"]
    if keras_info["error"]:
        keras_line = f"not importable ({keras_info['error']})"
    else:
        keras_line = f"{keras_info['version']} (floatx: {keras_info['floatx']})"
    env = report["environment"]
    base_value = env[ENV_VAR] if env[ENV_VAR] is not None else "(unset)"
    keras_value = env[KERAS_ENV_VAR] if env[KERAS_ENV_VAR] is not None else "(unset)"
    if env["KERAS_BACKEND_written_by_base_attentive"]:
        keras_value += " (written by base-attentive)"
    lines = [
        f"base-attentive {report['base_attentive']}",
        f"Active backend : {active['name']} (decided by: {active['decided_by']})",
    ]
    if report["conflict"]:
        lines.append(f"CONFLICT       : {report['conflict']}")
    lines += [
        f"Keras          : {keras_line}",
        f"Python         : {report['python']['version']} ({report['python']['executable']})",
        f"Platform       : {report['python']['platform']}",
        f"Environment    : {ENV_VAR}={base_value}  {KERAS_ENV_VAR}={keras_value}",
        "",
        f"{'Framework':<11} {'Installed':<9} {'Version':<13} {'Minimum':<8} "
        f"{'Compatible':<10} Devices",
    ]
    notes = []
    for backend, entry in report["frameworks"].items():
        version = entry["version"] or "-"
        lines.append(
            f"{backend:<11} {_yes_no(entry['installed']):<9} {version:<13} "
            f"{entry['min_version']:<8} {_yes_no(entry['compatible']):<10} "
            f"{_devices_text(entry)}"
        )
        if entry["reason"]:
            notes.append(f"  {backend}: {entry['reason']}")
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines)
