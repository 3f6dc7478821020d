"""Make sure the resolved backend is installed; the only code that installs anything."""

import importlib
import shlex
import subprocess
import sys

from base_attentive.backend.detection import DISPLAY_NAMES, detect_backend
from base_attentive.backend.resolution import get_backend
from base_attentive.backend.versions import install_requirement

__all__ = ["ensure_default_backend"]


def _pip_command(name):
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--upgrade",
        install_requirement(name),
    ]


def ensure_default_backend(auto_install=False):
    """Return the active backend if it is installed in a supported version.

    Nothing is installed unless ``auto_install=True``; then the pip command is
    printed before it runs.

    Args:
        auto_install: bool, default False. If True and the backend is missing
            or too old, run ``python -m pip install --upgrade
            '<framework>>=<minimum>'`` with the current interpreter.

    Returns:
        The backend name (see :func:`get_backend`).

    Raises:
        RuntimeError: if the backend is missing or too old and
            ``auto_install`` is False (the message holds the pip command to
            run), or if it is still unusable after installing.
        subprocess.CalledProcessError: if pip fails.

    Example:

    >>> ensure_default_backend() == get_backend()  # installs nothing when usable
    True
    """
    name = get_backend()
    info = detect_backend(name)
    if info["supported"]:
        return name
    command = _pip_command(name)
    shown = shlex.join(command)
    if not auto_install:
        raise RuntimeError(
            f"The {name!r} backend is not usable: {info['reason']}. Install it "
            f"with:\n    {shown}\nor call ensure_default_backend(auto_install=True)."
        )
    print(f"base-attentive: installing {DISPLAY_NAMES[name]}: {shown}", flush=True)
    subprocess.run(command, check=True)
    importlib.invalidate_caches()
    info = detect_backend(name)
    if not info["supported"]:
        raise RuntimeError(
            f"Ran {shown}, but the {name!r} backend is still not usable: "
            f"{info['reason']}. Restart the Python process and check the pip output."
        )
    return name
