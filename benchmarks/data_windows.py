"""Memory and speed of lazy windows vs materialising every window.

A synthetic long frame (default 1,000 series x 2,000 daily steps x 20
features: 1 target, 10 past-observed, 9 known-future) goes through
`ForecastDataset.fit`, then one epoch of the lazy `WindowDataset` is
iterated. The same windows materialised as arrays would need
`windows x (lookback x D + horizon x F + S + horizon x O)` float32; that is
computed exactly, and a subset of the series is really materialised to show
the memory it takes.

Usage:
    python benchmarks/data_windows.py            # table
    python benchmarks/data_windows.py --json     # one JSON object

Memory is read from /proc/self/status (Linux): VmRSS (resident now) and
VmHWM (peak resident), the peak being reset before each measured stage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
import pandas as pd

MB = 1024.0**2


def memory_mb():
    """Current and peak resident memory of this process, in MB."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, amount, _ = line.split()
                values[key[:-1]] = int(amount) / 1024.0
    return values["VmRSS"], values["VmHWM"]


class _ProcessPeak:
    """Remembers the highest VmHWM seen, since `reset_peak` clears it."""

    def __init__(self):
        self.value = 0.0

    def highest(self):
        self.value = max(self.value, memory_mb()[1])
        return self.value


PEAK = _ProcessPeak()


def reset_peak():
    """Resets VmHWM to the current RSS (Linux >= 4.0), keeping the maximum."""
    PEAK.highest()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
        handle.write("5")


def synthetic_frame(num_series, num_steps, num_past, num_future, seed=0):
    """Long frame: `series`, `time`, target `y`, `past_*`, `future_*`."""
    rng = np.random.default_rng(seed)
    rows = num_series * num_steps
    steps = np.tile(np.arange(num_steps), num_series)
    series = np.repeat(np.arange(num_series), num_steps)
    level = rng.uniform(5, 50, num_series)[series]
    columns = {
        "series": series,
        "time": pd.Timestamp("2000-01-01") + pd.to_timedelta(steps, unit="D"),
        "y": level
        + np.sin(2 * np.pi * steps / 7.0) * level * 0.1
        + rng.normal(0, 1, rows),
    }
    for index in range(num_past):
        columns[f"past_{index}"] = rng.normal(size=rows)
    for index in range(num_future):
        columns[f"future_{index}"] = rng.normal(size=rows)
    return pd.DataFrame(columns)


def run(args):
    from base_attentive.data import DatasetSpec, ForecastDataset

    results = {
        "series": args.series,
        "steps": args.steps,
        "features": 1 + args.past + args.future,
        "lookback": args.lookback,
        "horizon": args.horizon,
        "batch_size": args.batch_size,
    }
    frame = synthetic_frame(args.series, args.steps, args.past, args.future)
    results["rows"] = len(frame)
    results["frame_mb"] = frame.memory_usage(deep=True).sum() / MB
    spec = DatasetSpec(
        time_column="time",
        id_column="series",
        target_columns="y",
        past_columns=[f"past_{i}" for i in range(args.past)],
        future_columns=[f"future_{i}" for i in range(args.future)],
        lookback=args.lookback,
        forecast_horizon=args.horizon,
        freq="D",
    )

    # Keras is imported by the window dataset; count it apart from the data.
    rss_before_keras, _ = memory_mb()
    import keras  # noqa: F401

    results["keras_import_mb"] = memory_mb()[0] - rss_before_keras

    rss_before, _ = memory_mb()
    reset_peak()
    started = time.perf_counter()
    data = ForecastDataset(spec).fit(frame)
    results["fit_seconds"] = time.perf_counter() - started
    rss_after, peak = memory_mb()
    results["fit_peak_growth_mb"] = peak - rss_before
    results["stored_arrays_mb"] = data.arrays.nbytes / MB
    results["rss_after_fit_mb"] = rss_after

    windows = data.windows("all", batch_size=args.batch_size, shuffle=True, seed=0)
    results["windows"] = windows.num_windows
    num_batches = min(len(windows), args.max_batches or len(windows))
    reset_peak()
    rss_before, _ = memory_mb()
    started = time.perf_counter()
    served = 0
    for index in range(num_batches):
        _, targets = windows[index]
        served += len(targets)
    elapsed = time.perf_counter() - started
    results["lazy_windows_per_second"] = served / elapsed
    results["lazy_epoch_seconds"] = elapsed * len(windows) / num_batches
    results["lazy_iteration_peak_growth_mb"] = memory_mb()[1] - rss_before

    dims = data.model_dims()
    per_window = 4 * (
        args.lookback * dims["dynamic_input_dim"]
        + args.horizon * dims["future_input_dim"]
        + dims["static_input_dim"]
        + args.horizon * dims["output_dim"]
    )
    results["materialised_all_mb"] = windows.num_windows * per_window / MB

    # Really materialise the windows of a subset of the series.
    subset_series = max(1, round(args.series * args.subset_fraction))
    chosen = windows.window_series < subset_series
    reset_peak()
    rss_before, _ = memory_mb()
    started = time.perf_counter()
    materialised = data.arrays.gather(
        windows.starts[chosen], windows.window_series[chosen]
    )
    results["materialise_subset_seconds"] = time.perf_counter() - started
    results["materialised_subset_windows"] = int(chosen.sum())
    results["materialised_subset_rss_growth_mb"] = memory_mb()[1] - rss_before
    results["materialised_subset_nbytes_mb"] = (
        sum(part.nbytes for part in materialised[0]) + materialised[1].nbytes
    ) / MB
    del materialised
    results["process_peak_rss_mb"] = PEAK.highest()
    results["lazy_vs_materialised_memory"] = (
        results["materialised_all_mb"] / results["stored_arrays_mb"]
    )
    return results


def print_table(r):
    print(
        f"Lazy windows benchmark: {r['series']:,} series x {r['steps']:,} steps x "
        f"{r['features']} features, lookback {r['lookback']}, horizon "
        f"{r['horizon']}, batch {r['batch_size']}"
    )
    rows = [
        ("rows in the long frame", f"{r['rows']:,}"),
        ("pandas frame (input)", f"{r['frame_mb']:,.0f} MB"),
        ("windows", f"{r['windows']:,}"),
        ("ForecastDataset.fit time", f"{r['fit_seconds']:.1f} s"),
        (
            "fit: peak RSS growth (incl. temporaries)",
            f"{r['fit_peak_growth_mb']:,.0f} MB",
        ),
        ("lazy: stored arrays (O(rows))", f"{r['stored_arrays_mb']:,.0f} MB"),
        (
            "lazy: peak RSS growth over one epoch",
            f"{r['lazy_iteration_peak_growth_mb']:,.1f} MB",
        ),
        (
            "lazy: windows / s (shuffled batches)",
            f"{r['lazy_windows_per_second']:,.0f}",
        ),
        ("lazy: one epoch", f"{r['lazy_epoch_seconds']:.1f} s"),
        (
            "materialised: all windows would need",
            f"{r['materialised_all_mb'] / 1024:,.2f} GB",
        ),
        (
            "  = x stored arrays of the lazy path",
            f"{r['lazy_vs_materialised_memory']:,.0f}x",
        ),
        (
            f"materialised subset: {r['materialised_subset_windows']:,} windows",
            f"{r['materialised_subset_nbytes_mb']:,.0f} MB arrays, "
            f"peak RSS +{r['materialised_subset_rss_growth_mb']:,.0f} MB, "
            f"{r['materialise_subset_seconds']:.1f} s",
        ),
        (
            "process peak RSS (frame + keras + data)",
            f"{r['process_peak_rss_mb']:,.0f} MB",
        ),
        ("keras import (not data)", f"{r['keras_import_mb']:,.0f} MB"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--past", type=int, default=10, help="past-observed columns")
    parser.add_argument("--future", type=int, default=9, help="known-future columns")
    parser.add_argument("--lookback", type=int, default=64)
    parser.add_argument("--horizon", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument(
        "--max-batches", type=int, default=0, help="iterate at most this many (0: all)"
    )
    parser.add_argument(
        "--subset-fraction",
        type=float,
        default=0.05,
        help="fraction of the series whose windows are really materialised",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    results = run(args)
    if args.json:
        json.dump(results, sys.stdout, indent=1)
        print()
    else:
        print_table(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
