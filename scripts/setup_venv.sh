#!/usr/bin/env bash
# Create .venv (if missing) and install base-attentive with all three backends,
# plotting and the dev tools, at the known-good versions of constraints.txt.
# Idempotent: reinstalls only when pyproject.toml or constraints.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
stamp="$VENV/.base-attentive-installed"
if [ ! -x "$VENV/bin/python" ]; then
    echo "[setup] creating virtual environment $VENV with $($PYTHON --version)"
    "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    echo "[setup] installing base-attentive[all,dev] (constraints.txt)"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -c constraints.txt -e ".[all,dev]"
    touch "$stamp"
fi
