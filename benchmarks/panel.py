"""Large panels: data preparation, window gathering, training and forecasting
at 1k, 10k and 30k series, ours against pytorch-forecasting, side by side.

    python benchmarks/panel.py                          # 1k, 10k, 30k; ours (torch) and ptf
    python benchmarks/panel.py --sizes 1000 --impl ours --backend jax
    python benchmarks/panel.py --impl ours,stream       # with the streaming Parquet path

The panel (`panel_data.py`) is written once per size as a directory of
Parquet files under `--cache` (1k: 0.8 M rows; 30k: 24 M rows), then every
implementation is measured on it in a fresh child process, one thread per
framework, alternating which goes first from size to size:

- `ours`: `benchmarks/panel_ours.py`, base-attentive on `--backend`;
- `ptf`: `benchmarks/panel_ptf.py`, pytorch-forecasting's
  `TimeSeriesDataSet` + `TemporalFusionTransformer`, in its own virtual
  environment (`--ptf-python`);
- `stream`: `benchmarks/panel_stream.py`, ours reading the Parquet
  directory lazily, per group of series, under a memory cap smaller than
  the table (`--stream-buffer-mb`).

Ours reads the known-future `event` as one categorical column, embedded
(`--event categorical`, the default), or as its three 0/1 columns
(`--event one-hot`, as measured before the data layer took categorical
columns in every role); pytorch-forecasting embeds it either way.

First, window gathering alone at the reference workload's shapes
(`panel_gather.py`). Figures per child: data preparation time and its peak memory (the table's
own size plus the most preparing added to the resident memory; for
`stream`, the most the whole fit added to the process with frameworks
loaded, the table never being in memory), against the raw table's size
(pandas, deep); window gathering
alone (windows per second, no model); training windows per second over a
second pass of `--train-batches` batches (the first compiles) and, from it,
the time of one epoch over every training window (an estimate: a full
epoch at 30k series takes hours on two cores); the time to forecast every
series; the peak resident memory of the process. A child whose memory
passes `--memory-cap-mb` is stopped and reported as such, with what it had
measured.

Output: the table on stdout, JSON (`--json`, default
`runs/benchmarks/panel-<time>.json`) and optionally Markdown.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import panel_data as panel

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCRIPTS = {"ours": "panel_ours.py", "ptf": "panel_ptf.py", "stream": "panel_stream.py"}
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "TF_ENABLE_ONEDNN_OPTS": "0",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,30000")
    parser.add_argument("--impl", default="ours,ptf", help="ours, ptf, stream")
    parser.add_argument("--backend", default="torch", help="ours: the Keras backend")
    parser.add_argument(
        "--event",
        choices=panel.EVENT_CHOICES,
        default="categorical",
        help="ours: the known-future `event` as a categorical column or one-hot",
    )
    parser.add_argument("--train-batches", type=int, default=40)
    parser.add_argument("--gather-batches", type=int, default=400)
    parser.add_argument("--cache", default=str(ROOT / "runs" / "panel-cache"))
    parser.add_argument(
        "--jobs", type=int, default=1, help="processes generating the panel's files"
    )
    parser.add_argument("--ours-python", default=None)
    parser.add_argument("--ptf-python", default="/tmp/venv-ptf/bin/python")
    parser.add_argument("--memory-cap-mb", type=float, default=12000)
    parser.add_argument("--stream-buffer-mb", type=float, default=256)
    parser.add_argument("--timeout-s", type=float, default=3600)
    parser.add_argument("--json", default=None)
    parser.add_argument("--markdown", default=None)
    args = parser.parse_args(argv)
    args.sizes = [int(size) for size in args.sizes.split(",")]
    args.impl = args.impl.split(",")
    unknown = set(args.impl) - set(SCRIPTS)
    if unknown:
        parser.error(f"--impl: unknown {sorted(unknown)}; choose from {list(SCRIPTS)}")
    if args.ours_python is None:
        venv = ROOT / ".venv" / "bin" / "python"
        args.ours_python = str(venv) if venv.exists() else sys.executable
    return args


def _rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def run_child(impl, panel_dir, args):
    """Runs one measuring child; returns its figures (merged) and status."""
    python = args.ptf_python if impl == "ptf" else args.ours_python
    command = [
        python,
        str(HERE / SCRIPTS[impl]),
        "--panel",
        str(panel_dir),
        "--train-batches",
        str(args.train_batches),
        "--gather-batches",
        str(args.gather_batches),
    ]
    if impl == "stream":
        command += ["--buffer-mb", str(args.stream_buffer_mb)]
    if impl != "ptf":
        command += ["--event", args.event]
    env = {**os.environ, **ONE_THREAD}
    if impl != "ptf":
        env["KERAS_BACKEND"] = args.backend
        env.pop("BASE_ATTENTIVE_BACKEND", None)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])]
        )
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=HERE,
    )
    highest, status = 0.0, "ok"
    while process.poll() is None:
        highest = max(highest, _rss_mb(process.pid))
        if highest > args.memory_cap_mb:
            process.kill()
            status = f"stopped: resident memory above {args.memory_cap_mb:.0f} MB"
        elif time.perf_counter() - started > args.timeout_s:
            process.kill()
            status = f"stopped: over {args.timeout_s:.0f} s"
        time.sleep(0.2)
    out, err = process.communicate()
    figures = {}
    for line in out.splitlines():
        if line.startswith(panel.FIGURE_PREFIX):
            figures.update(json.loads(line[len(panel.FIGURE_PREFIX) :]))
    if status == "ok" and figures.get("stage") != "done":
        tail = [line for line in err.strip().splitlines() if line.strip()][-1:]
        status = f"failed after stage {figures.get('stage')!r}: {' '.join(tail)}"
    figures.update(impl=impl, status=status, wall_seconds=time.perf_counter() - started)
    return figures


def reference_gather(args):
    """`panel_gather.py` in a fresh process: windows per second at REF shapes."""
    env = {**os.environ, **ONE_THREAD, "KERAS_BACKEND": args.backend}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])]
    )
    result = subprocess.run(
        [args.ours_python, str(HERE / "panel_gather.py")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def derived(figures):
    """Ratios the table shows, from one child's figures."""
    out = {}
    if "prepare_peak_mb" in figures and figures.get("table_mb"):
        out["memory_x_table"] = figures["prepare_peak_mb"] / figures["table_mb"]
    if (
        "peak_rss_mb" in figures
        and "baseline_mb" in figures
        and figures.get("table_mb")
    ):
        out["run_memory_x_table"] = (
            figures["peak_rss_mb"] - figures["baseline_mb"]
        ) / figures["table_mb"]
    if "prepare_seconds" in figures and "epoch_seconds_estimate" in figures:
        out["prepare_plus_epoch_s"] = (
            figures["prepare_seconds"] + figures["epoch_seconds_estimate"]
        )
    return out


def _fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _hours(seconds):
    return "-" if seconds is None else f"{seconds / 3600:.2f} h"


def tables(results):
    """The figure table and the ratio table, as Markdown lines."""
    lines = [
        "| series | rows | table MB | impl | prep s | prep peak MB (x table) "
        "| gather windows/s | train windows/s | epoch (est.) | prep + epoch "
        "| forecast all s | peak RSS MB | status |",
        "|" + " --- |" * 13,
    ]
    for row in results:
        extra = derived(row)
        memory = (
            f"{_fmt(row.get('prepare_peak_mb'), 0)} ({extra['memory_x_table']:.2f}x)"
            if "memory_x_table" in extra
            else "-"
        )
        lines.append(
            f"| {row['size']:,} | {_fmt(row.get('rows'))} | {_fmt(row.get('table_mb'), 0)} "
            f"| {row['impl']} | {_fmt(row.get('prepare_seconds'))} | {memory} "
            f"| {_fmt(row.get('gather_windows_per_s'), 0)} "
            f"| {_fmt(row.get('train_windows_per_s'), 0)} "
            f"| {_hours(row.get('epoch_seconds_estimate'))} "
            f"| {_hours(extra.get('prepare_plus_epoch_s'))} "
            f"| {_fmt(row.get('forecast_seconds'))} | {_fmt(row.get('peak_rss_mb'), 0)} "
            f"| {row['status']} |"
        )
    ratios = [
        "",
        "| series | ptf / ours: prep | gather | training | prep + epoch (target >= 3) "
        "| forecast all | ours memory x table (target <= 3) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for size in sorted({row["size"] for row in results}):
        ours = next(
            (r for r in results if r["size"] == size and r["impl"] == "ours"), None
        )
        ptf = next(
            (r for r in results if r["size"] == size and r["impl"] == "ptf"), None
        )
        if ours is None or ptf is None:
            continue

        def ratio(key, inverse=False, a=ours, b=ptf):
            x, y = a.get(key), b.get(key)
            if x is None or y is None:
                return "-"
            return f"{(x / y if inverse else y / x):.1f}x"

        ours_extra, ptf_extra = derived(ours), derived(ptf)
        both = (
            ours_extra.get("prepare_plus_epoch_s"),
            ptf_extra.get("prepare_plus_epoch_s"),
        )
        ratios.append(
            f"| {size:,} | {ratio('prepare_seconds')} "
            f"| {ratio('gather_windows_per_s', inverse=True)} "
            f"| {ratio('train_windows_per_s', inverse=True)} "
            f"| {'-' if None in both else f'{both[1] / both[0]:.1f}x'} "
            f"| {ratio('forecast_seconds')} "
            f"| {_fmt(ours_extra.get('memory_x_table'), 2)} |"
        )
    return lines + ratios


def main(argv=None):
    args = parse_args(argv)
    cache = Path(args.cache)
    results, panels = [], {}
    began = datetime.datetime.now()
    for position, size in enumerate(args.sizes):
        directory = cache / f"panel-{size}"
        print(
            f"[panel] writing/reading {size:,} series at {directory}", file=sys.stderr
        )
        panels[size] = panel.write_panel(directory, size, jobs=args.jobs)
        order = args.impl if position % 2 == 0 else list(reversed(args.impl))
        for impl in order:
            load = os.getloadavg()[0]
            print(f"[panel] {size:,} series: {impl} (load {load:.1f})", file=sys.stderr)
            figures = run_child(impl, directory, args)
            figures.update(size=size, load_average=load)
            print(
                f"[panel]   {figures['status']}, {figures['wall_seconds']:.0f} s",
                file=sys.stderr,
            )
            results.append(figures)
    gather = reference_gather(args) if "ours" in args.impl else None
    lines = tables(results)
    if gather is not None:
        lines += [
            "",
            "Window gathering alone at the reference shapes (static 4, dynamic "
            "8 x 48, future 6 x 24, 2 targets, batch 32; `WindowDataset[i]`, one "
            "thread; target >= 50,000): "
            f"{gather['reference_gather_windows_per_s']:,.0f} windows/s.",
        ]
    print("\n".join(lines))
    report = {
        "command": "python benchmarks/panel.py "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "started": began.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "settings": {
            key: getattr(panel, key)
            for key in (
                "LOOKBACK",
                "HORIZON",
                "VALIDATION_STEPS",
                "BATCH_SIZE",
                "HIDDEN",
                "NUM_HEADS",
                "DROPOUT",
                "QUANTILES",
                "LEARNING_RATE",
                "CALENDAR",
            )
        },
        "arguments": vars(args),
        "panels": panels,
        "reference_gather": gather,
        "results": results,
    }
    path = Path(
        args.json or ROOT / "runs" / "benchmarks" / f"panel-{began:%Y%m%d-%H%M%S}.json"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".tmp").write_text(json.dumps(report, indent=2))
    os.replace(path.with_suffix(".tmp"), path)
    print(f"[panel] JSON: {path}", file=sys.stderr)
    if args.markdown:
        markdown = Path(args.markdown)
        markdown.write_text(
            f"`{report['command']}` ({report['started']})\n\n" + "\n".join(lines) + "\n"
        )
    # A run that failed or was stopped makes the exit status non-zero.
    return 0 if all(result.get("status") == "ok" for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
