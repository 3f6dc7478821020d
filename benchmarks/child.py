"""What every measuring child process shares: its arguments and its output.

A child reports every figure as soon as it has it, as one JSON line on
stdout prefixed with ``workload.FIGURE_PREFIX``, so that a child that fails
later (say, in ``fit``) still hands its earlier figures to the parent. The
peak resident memory so far rides along with every line.
"""

import argparse
import json
import platform
import resource
import sys
from importlib import metadata

import workload

FRAMEWORK_DISTS = {
    "tensorflow": ("tensorflow", "tensorflow-cpu"),
    "torch": ("torch",),
    "jax": ("jax", "jaxlib"),
}
VERSION_DISTS = ("keras", "numpy", "base-attentive", "pytorch-forecasting", "lightning")


def parse_args(argv=None):
    """Arguments the parent passes to a child (see ``ref_workload.py``)."""
    parser = argparse.ArgumentParser(description="one REF measurement")
    parser.add_argument("--impl", required=True)
    parser.add_argument("--backend", required=True)
    parser.add_argument("--encoder", required=True)
    parser.add_argument("--lookback", type=int, default=workload.LOOKBACK)
    parser.add_argument("--batch-size", type=int, default=workload.BATCH_SIZE)
    parser.add_argument("--n-windows", type=int, default=workload.N_WINDOWS)
    parser.add_argument("--epochs", type=int, default=workload.TRAIN_EPOCHS)
    parser.add_argument("--warmup-calls", type=int, default=workload.WARMUP_CALLS)
    parser.add_argument("--timed-calls", type=int, default=workload.TIMED_CALLS)
    parser.add_argument("--stages", default="build,inference,train")
    parser.add_argument(
        "--torch-compile",
        action="store_true",
        help="ours on torch: predict through torch.compile",
    )
    parser.add_argument(
        "--devices",
        type=int,
        default=0,
        help="train data-parallel on N virtual CPU devices from lazy windows "
        "(0: the REF measurement)",
    )
    args = parser.parse_args(argv)
    args.stages = args.stages.split(",")
    return args


def peak_rss_mb():
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def emit(**figures):
    """Report figures to the parent as one JSON line, with the peak RSS."""
    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(workload.FIGURE_PREFIX + json.dumps(figures), flush=True)


def dist_version(name):
    """Installed version of distribution ``name``, or None when absent."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def installed_versions(backend):
    """Versions of Python and of every distribution the figures depend on."""
    names = VERSION_DISTS + FRAMEWORK_DISTS.get(backend, ())
    versions = {name: dist_version(name) for name in names}
    versions = {name: version for name, version in versions.items() if version}
    return {"python": platform.python_version(), **versions}
