"""``ref_workload.py --serving``: REF inference through ONNX Runtime next to
our fastest Keras path, per backend, and the install size of a serving
environment next to a training one.

For each backend, one child (``measure_serving.py --runtime keras``) builds
our REF model (hybrid encoder by default), times ``make_fast_predict_fn``
on a batch of 32 (median of the timed calls) and on a large batch
(windows/s), and exports the model to ONNX on that backend; a second child
(``--runtime onnx``) runs the artifact with ONNX Runtime in a process where
every framework is blocked, on the same windows, and reports the largest
difference from the Keras outputs. Children run one after the other with
one thread per framework (``--threads``). ``install_size.py`` adds up the
installed sizes.
"""

import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import child
import ref_workload

HERE = Path(__file__).resolve().parent


def _run(command, env, timeout):
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout
    )
    figures = ref_workload.parse_figures(done.stdout)
    if done.returncode != 0:
        figures["error"] = ref_workload.error_line(done.stderr)
    return figures


def measure(args, folder):
    """Keras and ONNX Runtime figures per backend and encoder."""
    python = ref_workload.interpreter("ours", args)
    rows = []
    for backend in args.backends:
        for encoder in args.encoders:
            artifact = str(Path(folder) / f"ref-{backend}-{encoder}.onnx")
            env = ref_workload.child_env("ours", backend, args.threads)
            common = [
                "--artifact", artifact, "--encoder", encoder,
                "--threads", str(args.threads),
                "--warmup-calls", str(args.warmup_calls),
                "--timed-calls", str(args.timed_calls),
            ]  # fmt: skip
            script = str(HERE / "measure_serving.py")
            print(f"{backend:<10} {encoder:<11} keras ...", file=sys.stderr, flush=True)
            keras_figures = _run(
                [python, script, "--runtime", "keras", *common], env, args.child_timeout
            )
            onnx_figures = {"error": "no artifact"}
            if "error" not in keras_figures:
                print(f"{backend:<10} {encoder:<11} onnx ...", file=sys.stderr)
                onnx_env = {k: v for k, v in env.items() if k != "KERAS_BACKEND"}
                onnx_figures = _run(
                    [python, script, "--runtime", "onnx", *common],
                    onnx_env,
                    args.child_timeout,
                )
            rows.append(
                {
                    "backend": backend,
                    "encoder": encoder,
                    "keras": keras_figures,
                    "onnx": onnx_figures,
                    "load_average": round(os.getloadavg()[0], 2),
                }
            )
    return rows


def install_sizes(args):
    python = ref_workload.interpreter("ours", args)
    done = subprocess.run(
        [python, str(HERE / "install_size.py")], capture_output=True, text=True
    )
    return json.loads(done.stdout) if done.returncode == 0 else {"error": done.stderr}


def _cell(figures, key, form):
    return form.format(figures[key]) if key in figures else figures.get("error", "-")


def tables(rows, sizes):
    lines = [
        "| backend | encoder | Keras ms / batch 32 | ONNX Runtime ms / batch 32 "
        "| Keras windows/s | ONNX Runtime windows/s | max abs difference | export s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        keras_figures, onnx_figures = row["keras"], row["onnx"]
        lines.append(
            f"| {row['backend']} | {row['encoder']} "
            f"| {_cell(keras_figures, 'latency_ms_batch32', '{:.1f}')} "
            f"| {_cell(onnx_figures, 'latency_ms_batch32', '{:.1f}')} "
            f"| {_cell(keras_figures, 'windows_per_s_large', '{:,.0f}')} "
            f"| {_cell(onnx_figures, 'windows_per_s_large', '{:,.0f}')} "
            f"| {_cell(onnx_figures, 'max_abs_difference_vs_keras', '{:.1e}')} "
            f"| {_cell(keras_figures, 'export_seconds', '{:.0f}')} |"
        )
    lines += [
        "",
        "| environment | installed MB | distributions |",
        "| --- | --- | --- |",
    ]
    for profile, entry in sizes.get("profiles", {}).items():
        lines.append(f"| {profile} | {entry['mb']:,.0f} | {entry['distributions']} |")
    return "\n".join(lines)


def main(args):
    with tempfile.TemporaryDirectory(prefix="serving-bench-") as folder:
        rows = measure(args, folder)
    sizes = install_sizes(args)
    result = {
        "benchmark": "REF-serving",
        "date": datetime.now().isoformat(timespec="minutes"),
        "command": " ".join(["python", *sys.argv]),
        "threads": args.threads,
        "versions": {
            key: value
            for backend in args.backends
            for key, value in child.installed_versions(backend).items()
        }
        | {
            name: child.dist_version(name)
            for name in ("onnxruntime", "onnx", "tf2onnx", "onnxscript", "jax2onnx")
        },
        "rows": rows,
        "install_sizes": sizes,
    }
    text = tables(rows, sizes)
    print(text)
    json_path = args.json or (
        ref_workload.REPO
        / "runs"
        / "benchmarks"
        / f"ref-serving-{datetime.now():%Y%m%d-%H%M%S}.json"
    )
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nJSON: {json_path}")
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0
