"""Measure BaseAttentive on the reference workload (REF) of BENCHMARK.md.

Usage::

    python benchmarks/ref_workload.py                  # all impls, backends
    python benchmarks/ref_workload.py --impl ours --backend torch --quick
    python benchmarks/ref_workload.py --scaling --backend jax
    python benchmarks/ref_workload.py --devices --quick   # 1 vs 2 CPU devices
    python benchmarks/ref_workload.py --serving           # ONNX Runtime vs Keras

This script launches every measurement (implementation x backend x encoder)
in a fresh child process (``measure_keras.py`` or ``measure_ptf.py``) with
``KERAS_BACKEND`` set in the child's environment and the interpreter of the
virtual environment that holds the implementation: ``ours`` (this repository), ``competitor``
(``base-attentive==2.3.0``) and ``ptf`` (pytorch-forecasting's
TemporalFusionTransformer, torch only). Implementations alternate within
each backend so that machine noise hits all of them. Each child prints one
JSON line per figure as soon as it is measured; a child that fails keeps the
figures it had and is reported with its error line.

Figures per child: ``import base_attentive`` wall time (the first import of
the process), build time (construct + first call), inference (median ms per
batch over the timed calls, through the fastest documented prediction path),
training samples/s over the last epoch of ``fit``, peak resident memory
(``ru_maxrss``) and parameter count. ``--scaling`` measures training
throughput and peak memory of ``ours`` as lookback and batch grow.
``--devices`` measures training throughput of ``ours`` from lazy windows on
1 and 2 virtual CPU devices (data-parallel; JAX and TensorFlow, as torch has
no data parallelism in Keras 3). ``--serving`` measures inference of
``ours`` through ONNX Runtime (an artifact exported on each backend) next to
the fastest Keras path, and the install size of a serving environment next
to a training one (``serving_bench.py``).
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import report
import workload

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BACKENDS = ("tensorflow", "torch", "jax")
IMPLS = ("ours", "competitor", "ptf")
DEFAULT_PYTHON = {
    "competitor": "/tmp/venv-competitor/bin/python",
    "ptf": "/tmp/venv-ptf/bin/python",
}
QUICK_N_WINDOWS = 1024
QUICK_TIMED_CALLS = 20
ERROR_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)
XLA_THREAD_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads={}"


def interpreter(impl, args):
    """Python of the virtual environment that holds ``impl``."""
    chosen = getattr(args, f"{impl}_python")
    if chosen:
        return chosen
    if impl == "ours":
        venv_python = REPO / ".venv" / "bin" / "python"
        return str(venv_python) if venv_python.exists() else sys.executable
    return DEFAULT_PYTHON[impl]


def child_env(impl, backend, threads):
    """Environment of a child: backend and thread counts fixed before start.

    ``threads`` > 0 caps the intra-op and inter-op thread pools of every
    framework (the machines are small and shared: two-thread pools on two
    busy cores run several times slower and far noisier than one thread);
    0 keeps the frameworks' defaults.
    """
    env = dict(os.environ, KERAS_BACKEND=backend, BASE_ATTENTIVE_BACKEND=backend)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if threads:
        count = str(threads)
        for name in THREAD_VARIABLES:
            env[name] = count
        env["XLA_FLAGS"] = " ".join(
            filter(None, [env.get("XLA_FLAGS"), XLA_THREAD_FLAGS.format(count)])
        )
    if impl != "ours":
        # A PYTHONPATH pointing at this repository's src/ would shadow the
        # other package of the same import name.
        env.pop("PYTHONPATH", None)
    return env


def error_line(stderr):
    """The exception line of a child's traceback (or its last line)."""
    lines = [ANSI.sub("", line).strip() for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return "no output on stderr"
    for index in range(len(lines) - 1, -1, -1):
        if ERROR_LINE.match(lines[index]):
            return " ".join(lines[index : index + 4])[:400]
    return lines[-1][:400]


def run_measurement(spec, args):
    """Run one child for ``spec`` and return its record."""
    python = interpreter(spec["impl"], args)
    record = {**spec, "python": python, "status": "failed", "figures": {}}
    options = {
        "impl": spec["impl"],
        "backend": spec["backend"],
        "encoder": spec["encoder"],
        "lookback": spec["lookback"],
        "batch-size": spec["batch_size"],
        "n-windows": spec["n_windows"],
        "epochs": spec["epochs"],
        "warmup-calls": args.warmup_calls,
        "timed-calls": args.timed_calls,
        "stages": spec["stages"],
        "devices": spec["devices"],
    }
    script = HERE / ("measure_ptf.py" if spec["impl"] == "ptf" else "measure_keras.py")
    command = [python, str(script)]
    for name, value in options.items():
        command += [f"--{name}", str(value)]
    if args.torch_compile and spec["impl"] == "ours" and spec["backend"] == "torch":
        command.append("--torch-compile")
    record["command"] = shlex.join(command)
    if not Path(python).exists():
        record["error"] = f"interpreter not found: {python} (see docs/benchmarks.md)"
        return record
    record["load_average"] = round(os.getloadavg()[0], 2)
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            command,
            env=child_env(spec["impl"], spec["backend"], args.threads),
            capture_output=True,
            text=True,
            timeout=args.child_timeout,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired as timeout:
        stdout = timeout.stdout or ""
        stdout = stdout.decode() if isinstance(stdout, bytes) else stdout
        record["figures"] = parse_figures(stdout)
        stage = record["figures"].pop("stage", "import")
        record["failed_stage"] = stage
        record["error"] = f"[{stage}] timed out after {args.child_timeout} s"
        return record
    record["wall_seconds"] = round(time.perf_counter() - start, 1)
    figures = parse_figures(proc.stdout)
    record["versions"] = figures.pop("versions", {})
    stage = figures.pop("stage", "import")
    record["figures"] = figures
    if proc.returncode == 0:
        record["status"] = "ok"
    else:
        record["failed_stage"] = stage
        record["error"] = f"[{stage}] {error_line(proc.stderr)}"
        record["stderr_tail"] = proc.stderr.splitlines()[-30:]
    return record


def parse_figures(stdout):
    """Merge the figure lines of a child's stdout into one dict."""
    figures = {}
    for line in stdout.splitlines():
        if line.startswith(workload.FIGURE_PREFIX):
            figures.update(json.loads(line[len(workload.FIGURE_PREFIX) :]))
    return figures


def schedule(args):
    """Measurement specs in run order, implementations alternating."""
    n_windows = QUICK_N_WINDOWS if args.quick else workload.N_WINDOWS
    if args.devices:
        return [
            _spec("ours", backend, encoder, n_windows, stages="build,train",
                  devices=devices)
            for backend in args.backends
            for encoder in args.encoders
            for devices in workload.DEVICE_COUNTS
        ]  # fmt: skip
    if args.scaling:
        base = n_windows // 2 if args.quick else workload.SCALING_N_WINDOWS
        return [
            _spec(impl, backend, encoder,
                  workload.scaling_windows(base, lookback, batch_size),
                  lookback=lookback, batch_size=batch_size,
                  epochs=workload.SCALING_EPOCHS, stages="build,train")
            for backend in args.backends
            for encoder in args.encoders
            for lookback, batch_size in workload.SCALING_CONFIGS
            for impl in args.impls
        ]  # fmt: skip
    specs = []
    keras_impls = [impl for impl in args.impls if impl != "ptf"]
    for backend in args.backends:
        for encoder in args.encoders:
            specs += [_spec(impl, backend, encoder, n_windows) for impl in keras_impls]
            keras_impls.reverse()  # the other implementation goes first next time
        if backend == "torch" and "ptf" in args.impls:
            specs.append(_spec("ptf", "torch", "tft", n_windows))
    if "ptf" in args.impls and "torch" not in args.backends:
        specs.append(_spec("ptf", "torch", "tft", n_windows))
    return specs


def _spec(
    impl,
    backend,
    encoder,
    n_windows,
    lookback=workload.LOOKBACK,
    batch_size=workload.BATCH_SIZE,
    epochs=workload.TRAIN_EPOCHS,
    stages="build,inference,train",
    devices=0,
):
    return {
        "impl": impl,
        "backend": backend,
        "encoder": encoder,
        "lookback": lookback,
        "batch_size": batch_size,
        "n_windows": n_windows,
        "epochs": epochs,
        "stages": stages,
        "devices": devices,
    }


def run_all(args):
    """Run every scheduled child, printing progress; return the records."""
    specs = schedule(args)
    records = []
    for number, spec in enumerate(specs, start=1):
        label = (
            f"[{number}/{len(specs)}] {spec['impl']:<10} {spec['backend']:<10} "
            f"{spec['encoder']:<11} lookback={spec['lookback']} "
            f"batch={spec['batch_size']}"
            + (f" devices={spec['devices']}" if spec["devices"] else "")
        )
        print(label, end=" ... ", file=sys.stderr, flush=True)
        record = run_measurement(spec, args)
        outcome = record["status"]
        if record.get("error"):
            outcome += f": {record['error'][:160]}"
        print(f"{outcome} ({record.get('wall_seconds', '-')} s)", file=sys.stderr)
        records.append(record)
    return records


def _names(value, allowed, option, parser):
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if not names or unknown:
        parser.error(f"{option} takes names from {', '.join(allowed)}; got {value!r}")
    return names


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--impl",
        help="comma-separated from ours, competitor, ptf "
        "(default: all three; ours with --scaling)",
    )
    parser.add_argument(
        "--backend",
        default="all",
        help="tensorflow, torch, jax, comma-separated or all",
    )
    parser.add_argument(
        "--encoders", default=",".join(workload.ENCODERS), help="hybrid,transformer"
    )
    parser.add_argument("--json", type=Path, help="where to write the JSON result")
    parser.add_argument("--markdown", type=Path, help="also write the tables here")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_N_WINDOWS} windows and {QUICK_TIMED_CALLS} timed calls",
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="training throughput and memory for lookback 48/192/768 and batch 32/256",
    )
    parser.add_argument(
        "--torch-compile",
        action="store_true",
        help="ours on torch predicts through make_fast_predict_fn(model, "
        "jit_compile=True), i.e. torch.compile (a 1-3 min first call per child)",
    )
    parser.add_argument(
        "--devices",
        action="store_true",
        help="data-parallel training throughput on 1 and 2 virtual CPU devices "
        "(ours; default backends jax,tensorflow)",
    )
    parser.add_argument(
        "--serving",
        action="store_true",
        help="ONNX Runtime vs our fastest Keras path (latency at batch 32, "
        "windows/s at batch 1024) and serving vs training install sizes",
    )
    for impl in IMPLS:
        parser.add_argument(f"--{impl}-python", help=f"interpreter holding {impl}")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="thread pool size of every framework in the children (0: defaults)",
    )
    parser.add_argument("--child-timeout", type=float, default=900.0)
    parser.add_argument("--warmup-calls", type=int, default=workload.WARMUP_CALLS)
    parser.add_argument("--timed-calls", type=int)
    args = parser.parse_args(argv)

    if sum((args.devices, args.scaling, args.serving)) > 1:
        parser.error("--devices, --scaling and --serving are separate runs")
    default_impls = "ours" if args.scaling or args.devices else ",".join(IMPLS)
    args.impls = _names(args.impl or default_impls, IMPLS, "--impl", parser)
    if args.devices and args.impls != ["ours"]:
        parser.error("--devices measures ours only")
    all_backends = ("jax", "tensorflow") if args.devices else BACKENDS
    backend = ",".join(all_backends) if args.backend == "all" else args.backend
    args.backends = _names(backend, BACKENDS, "--backend", parser)
    args.encoders = _names(args.encoders, workload.ENCODERS, "--encoders", parser)
    if args.timed_calls is None:
        args.timed_calls = QUICK_TIMED_CALLS if args.quick else workload.TIMED_CALLS
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.serving:
        import serving_bench

        return serving_bench.main(args)
    records = run_all(args)
    result, tables = report.build(args, records)
    report.print_tables(result, tables)
    json_path = args.json or (
        REPO
        / "runs"
        / "benchmarks"
        / f"{result['benchmark'].lower()}-{datetime.now():%Y%m%d-%H%M%S}.json"
    )
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nJSON: {json_path}")
    if args.markdown:
        report.write_markdown(args.markdown, result, tables)
        print(f"Markdown: {args.markdown}")
    # A measurement that failed makes the exit status non-zero.
    return 1 if any(record.get("error") for record in records) else 0


if __name__ == "__main__":
    sys.exit(main())
