"""The README table: test metrics and run time of the default
`base-attentive train` on each backend.

Each backend runs the real command in a fresh process (`KERAS_BACKEND` set,
nothing else changed), exactly as a user runs it, one after the other (so
they do not compete for the CPU). The metrics are read from each run's
`metrics.json`; the seasonal-naive baseline does not depend on the backend
and is reported once. Run time is the wall-clock time of the whole command
(start-up, data, training, test forecasts, plots, saving).

Usage:
    python benchmarks/cli_default_run.py                   # all three backends
    python benchmarks/cli_default_run.py --backends jax    # one
    python benchmarks/cli_default_run.py -- --epochs 1     # extra train options
    python benchmarks/cli_default_run.py --json            # machine-readable

The run folders are kept under `--out` (default `runs/cli_default_run`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BACKENDS = ("tensorflow", "torch", "jax")
COLUMNS = (
    ("mae", "MAE"),
    ("mase", "MASE"),
    ("mean_quantile_loss", "mean quantile loss"),
    ("coverage@80%", "80% coverage"),
)


def run_backend(backend, out, extra):
    """Runs the default `train` on one backend; returns its result dict."""
    folder = out / backend
    command = [
        sys.executable, "-m", "base_attentive", "train",
        "--out", str(folder), "--overwrite", "--json", *extra,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "BASE_ATTENTIVE_BACKEND"}
    env.update(KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        return {"backend": backend, "error": result.stderr.strip()[-2000:]}
    metrics = json.loads((folder / "metrics.json").read_text())
    run = json.loads((folder / "run.json").read_text())
    return {
        "backend": backend,
        "seconds": seconds,
        "training_seconds": run["training"]["seconds"],
        "epochs": run["training"]["epochs_run"],
        "stopped_by": run["training"]["stopped_by"],
        "model": metrics["model"],
        "baseline": metrics["baseline"],
        "test_period": metrics["test_period"],
        "framework_version": run["versions"]["backend"],
    }


def _cells(scores):
    cells = []
    for key, _ in COLUMNS:
        value = scores.get(key)
        if value is None:
            cells.append("n/a")
        else:
            cells.append(f"{value:.1%}" if "@" in key else f"{value:.3f}")
    return cells


def _minutes(seconds):
    return f"{int(seconds // 60)} min {seconds % 60:02.0f} s"


def markdown(results):
    """The Markdown table of the results (one row per backend + baseline)."""
    headers = ["forecast", "backend"] + [h for _, h in COLUMNS]
    headers += ["epochs", "training", "whole run"]
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    done = [r for r in results if "error" not in r]
    for result in results:
        if "error" in result:
            lines.append(f"| base-attentive | {result['backend']} | failed |")
            continue
        name = f"{result['backend']} {result['framework_version']}"
        row = ["base-attentive", name, *_cells(result["model"])]
        row += [
            f"{result['epochs']} ({result['stopped_by']})",
            _minutes(result["training_seconds"]),
            _minutes(result["seconds"]),
        ]
        lines.append("| " + " | ".join(row) + " |")
    if done:
        baseline = done[0]["baseline"]
        row = ["seasonal naive (season 7)", "any", *_cells(baseline), "", "", ""]
        lines.append("| " + " | ".join(row) + " |")
        period = done[0]["test_period"]
        lines.append("")
        lines.append(
            f"Test period {period['start']} .. {period['end']} (original units, "
            f"thousands of rides). Machine: {os.cpu_count()} CPU cores, "
            f"{platform.platform(terse=True)}, Python {platform.python_version()}."
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--out", default="runs/cli_default_run", type=Path)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("extra", nargs="*", help="options passed to train")
    args = parser.parse_args(argv)
    results = []
    for backend in args.backends.split(","):
        print(f"[{backend}] base-attentive train ...", file=sys.stderr, flush=True)
        results.append(run_backend(backend.strip(), args.out, args.extra))
        if "error" in results[-1]:
            print(f"[{backend}] failed:\n{results[-1]['error']}", file=sys.stderr)
        else:
            print(f"[{backend}] {_minutes(results[-1]['seconds'])}", file=sys.stderr)
    print(json.dumps(results, indent=2) if args.json else markdown(results))
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
