"""Tables, ratios and files of a ``ref_workload.py`` run.

Works on the run records of the parent (one per child process): each has
the spec of the run (impl, backend, encoder, lookback, batch size), its
status, error line, versions and the figures the child reported.
"""

import os
import platform
import shlex
import sys
from datetime import datetime, timezone

import workload

BACKEND_ORDER = ("tensorflow", "torch", "jax")
IMPL_ORDER = ("ours", "competitor", "ptf")
TARGETS = {
    "train_speed_ratio": (">=", 2.0),
    "inference_latency_ratio": ("<=", 0.5),
    "memory_ratio": ("<=", 1.0),
    "ptf_train_speed_ratio": (">=", 3.0),
}


def _find(records, impl, backend, encoder):
    for record in records:
        if (record["impl"], record["backend"], record["encoder"]) == (
            impl,
            backend,
            encoder,
        ):
            return record
    return None


def _complete(record):
    figures = record["figures"] if record else {}
    return "train_samples_per_s" in figures and "inference_ms" in figures


def _ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _meets(name, value):
    if value is None:
        return None
    sign, bound = TARGETS[name]
    return value >= bound if sign == ">=" else value <= bound


def competitor_reference(records, backend, encoder):
    """The competitor run to compare with, and how it was chosen.

    The same encoder when that run completed; otherwise the competitor's
    fastest completed run on the backend (where it fails, ours must beat its
    best figure there).
    """
    same = _find(records, "competitor", backend, encoder)
    if _complete(same):
        return same, f"competitor {encoder}"
    complete = [
        r
        for r in records
        if r["impl"] == "competitor" and r["backend"] == backend and _complete(r)
    ]
    if not complete:
        return None, f"competitor failed on {backend}"
    best = max(complete, key=lambda r: r["figures"]["train_samples_per_s"])
    return best, (
        f"competitor's best on {backend} ({best['encoder']}; its {encoder} failed)"
    )


def ratio_rows(records):
    """Ours vs competitor per backend and encoder, and ours-torch vs ptf."""
    rows = []
    pairs = dict.fromkeys(
        (r["backend"], r["encoder"]) for r in records if r["impl"] == "ours"
    )
    for backend, encoder in pairs:
        ours_record = _find(records, "ours", backend, encoder)
        # Figures of a run that stopped early (say, its peak memory before
        # training) would flatter ours: no ratio from an incomplete run.
        ours = ours_record["figures"] if _complete(ours_record) else {}
        if any(r["impl"] == "competitor" for r in records):
            reference, against = competitor_reference(records, backend, encoder)
            if not ours:
                against += f"; ours failed in {ours_record.get('failed_stage')}"
            other = reference["figures"] if reference else {}
            rows.append(
                _ratio_row(
                    backend,
                    encoder,
                    against,
                    train_speed_ratio=_ratio(
                        ours.get("train_samples_per_s"),
                        other.get("train_samples_per_s"),
                    ),
                    inference_latency_ratio=_ratio(
                        ours.get("inference_ms"), other.get("inference_ms")
                    ),
                    memory_ratio=_ratio(
                        ours.get("peak_rss_mb"), other.get("peak_rss_mb")
                    ),
                )
            )
        ptf = _find(records, "ptf", "torch", "tft")
        if backend == "torch" and ptf:
            rows.append(
                _ratio_row(
                    backend,
                    encoder,
                    "pytorch-forecasting TFT",
                    ptf_train_speed_ratio=_ratio(
                        ours.get("train_samples_per_s"),
                        ptf["figures"].get("train_samples_per_s"),
                    ),
                )
            )
    return rows


def _ratio_row(backend, encoder, against, **ratios):
    return {
        "backend": backend,
        "encoder": encoder,
        "against": against,
        "ratios": ratios,
        "meets_target": {name: _meets(name, value) for name, value in ratios.items()},
    }


def _fmt(value, digits):
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if digits else f"{round(value)}"


def figure_table(records):
    headers = [
        "impl", "backend", "encoder", "import s", "build s", "infer ms",
        "train samples/s", "peak MiB", "params", "predict path", "status",
    ]  # fmt: skip
    rows = []
    for record in records:
        figures = record["figures"]
        rows.append(
            [
                record["impl"],
                record["backend"],
                record["encoder"],
                _fmt(figures.get("import_seconds"), 3),
                _fmt(figures.get("build_seconds"), 2),
                _fmt(figures.get("inference_ms"), 1),
                _fmt(figures.get("train_samples_per_s"), 0),
                _fmt(figures.get("peak_rss_mb"), 0),
                str(figures.get("params", "-")),
                figures.get("inference_path", "-"),
                _status(record),
            ]
        )
    return headers, rows


def _speed_relative_to(record, records, is_baseline):
    """Training speed of `record` over that of its baseline run: the run of
    the same impl, backend and encoder for which `is_baseline` holds."""
    baseline = next(
        (
            r
            for r in records
            if (r["impl"], r["backend"], r["encoder"])
            == (record["impl"], record["backend"], record["encoder"])
            and is_baseline(r)
        ),
        None,
    )
    return _ratio(
        record["figures"].get("train_samples_per_s"),
        baseline["figures"].get("train_samples_per_s") if baseline else None,
    )


def scaling_table(records):
    headers = [
        "impl", "backend", "encoder", "lookback", "batch", "train samples/s",
        "vs lookback 48 batch 32", "peak MiB", "status",
    ]  # fmt: skip
    rows = []
    for record in records:
        figures = record["figures"]
        relative = _speed_relative_to(
            record,
            records,
            lambda r: (r["lookback"], r["batch_size"]) == workload.SCALING_CONFIGS[0],
        )
        rows.append(
            [
                record["impl"],
                record["backend"],
                record["encoder"],
                str(record["lookback"]),
                str(record["batch_size"]),
                _fmt(figures.get("train_samples_per_s"), 0),
                _fmt(relative, 2),
                _fmt(figures.get("peak_rss_mb"), 0),
                _status(record),
            ]
        )
    return headers, rows


def devices_table(records):
    """Data-parallel training throughput against one device, per backend."""
    headers = [
        "backend", "encoder", "devices", "engine", "train samples/s",
        "vs 1 device", "peak MiB", "status",
    ]  # fmt: skip
    rows = []
    for record in records:
        figures = record["figures"]
        relative = _speed_relative_to(record, records, lambda r: r["devices"] == 1)
        rows.append(
            [
                record["backend"],
                record["encoder"],
                str(record["devices"]),
                figures.get("engine", "none (one device)"),
                _fmt(figures.get("train_samples_per_s"), 0),
                _fmt(relative, 2),
                _fmt(figures.get("peak_rss_mb"), 0),
                _status(record),
            ]
        )
    return headers, rows


def params_table(records):
    """Parameter count per backend of every implementation and encoder."""
    headers = ["impl", "encoder", *BACKEND_ORDER, "same on all"]
    rows = []
    keys = sorted({(r["impl"], r["encoder"]) for r in records})
    for impl, encoder in sorted(keys, key=lambda key: IMPL_ORDER.index(key[0])):
        counts = {
            r["backend"]: r["figures"].get("params")
            for r in records
            if (r["impl"], r["encoder"]) == (impl, encoder)
        }
        found = {count for count in counts.values() if count is not None}
        same = "yes" if len(found) == 1 and len(counts) > 1 else "-"
        if len(found) > 1:
            same = "NO"
        cells = [str(counts.get(b)) if counts.get(b) else "" for b in BACKEND_ORDER]
        rows.append([impl, encoder, *cells, same])
    return headers, rows


def ratio_table(rows):
    headers = [
        "backend", "encoder", "against", "train speed (>=2)",
        "infer latency (<=0.5)", "peak memory (<=1)", "train vs ptf (>=3)",
    ]  # fmt: skip
    names = list(TARGETS)
    table = []
    for row in rows:
        cells = [row["backend"], row["encoder"], row["against"]]
        for name in names:
            value = row["ratios"].get(name)
            met = row["meets_target"].get(name)
            mark = "" if met is None else (" ok" if met else " MISS")
            cells.append(_fmt(value, 2) + mark if name in row["ratios"] else "")
        table.append(cells)
    return headers, table


def _status(record):
    if record["status"] == "ok":
        return "ok"
    return f"FAILED in {record.get('failed_stage', 'start')}"


def render(headers, rows, markdown=False):
    """A table as aligned text, or as a Markdown table."""
    if markdown:
        lines = ["| " + " | ".join(headers) + " |"]
        lines.append("|" + "|".join(" --- " for _ in headers) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [
        max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def collect_versions(records):
    """Versions per implementation, merged over its runs (all backends)."""
    versions = {}
    for record in records:
        versions.setdefault(record["impl"], {}).update(record.get("versions", {}))
    return versions


def build(args, records):
    """The full report: JSON-ready dict and the text of the tables."""
    versions = collect_versions(records)
    result = {
        "benchmark": "scaling"
        if args.scaling
        else ("devices" if args.devices else "REF"),
        "command": shlex.join([sys.executable, *sys.argv]),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "machine": platform.machine(),
            "cpu_count": os.cpu_count(),
        },
        "settings": {
            "impls": args.impls,
            "backends": args.backends,
            "encoders": args.encoders,
            "quick": args.quick,
            "threads": args.threads,
            "torch_compile": args.torch_compile,
            "warmup_calls": args.warmup_calls,
            "timed_calls": args.timed_calls,
        },
        "versions": versions,
        "runs": records,
    }
    tables = {}
    if args.devices:
        tables["Data-parallel training on virtual CPU devices"] = devices_table(records)
    elif args.scaling:
        tables["Scaling (training throughput and peak memory)"] = scaling_table(records)
    else:
        result["ratios"] = ratio_rows(records)
        tables["Figures"] = figure_table(records)
        tables["Parameter counts per backend"] = params_table(records)
        if result["ratios"]:
            tables["Ratios (ours / other; target in brackets)"] = ratio_table(
                result["ratios"]
            )
    return result, tables


def version_lines(versions):
    return [
        f"{impl}: " + ", ".join(f"{name} {v}" for name, v in sorted(found.items()))
        for impl, found in versions.items()
    ]


def write_markdown(path, result, tables):
    lines = [f"Command: `{result['command']}`", "", f"Date: {result['date']}", ""]
    for title, (headers, rows) in tables.items():
        lines += [f"**{title}**", "", render(headers, rows, markdown=True), ""]
    lines += ["Versions:", ""] + [
        f"- {line}" for line in version_lines(result["versions"])
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def print_tables(result, tables):
    for title, (headers, rows) in tables.items():
        print(f"\n{title}\n")
        print(render(headers, rows))
    failed = [r for r in result["runs"] if r["status"] != "ok"]
    if failed:
        print("\nFailed runs:")
        for r in failed:
            print(f"- {r['impl']} {r['backend']} {r['encoder']}: {r.get('error')}")
    print("\nVersions:")
    for line in version_lines(result["versions"]):
        print(f"- {line}")
