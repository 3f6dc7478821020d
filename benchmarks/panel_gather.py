"""Window gathering alone, at the reference workload's shapes (a child of
`panel.py`; also runs on its own):

    python benchmarks/panel_gather.py [--batches 2000]

Static 4, dynamic 8 x lookback 48, known-future 6 x horizon 24, 2 targets,
batch 32 (`BENCHMARK.md`), from 1,000 random series of 400 steps
(`WindowArrays`, as `ForecastDataset` stores a frame). Shuffled batches are
read through `WindowDataset.__getitem__`, the path `fit` takes: the order
slice, one vectorised fancy-indexing call per input (no per-window
Python). One thread (NumPy's gather is single-threaded). Prints one JSON
line.
"""

import argparse
import json
import time

import numpy as np

from base_attentive.data.window_arrays import WindowArrays
from base_attentive.data.windows import WindowDataset

SERIES, STEPS = 1000, 400
STATIC, DYNAMIC, FUTURE, OUTPUT = 4, 8, 6, 2
LOOKBACK, HORIZON, BATCH = 48, 24, 32


def reference_windows(seed=0):
    """A shuffled `WindowDataset` of the REF shapes over random arrays."""
    rng = np.random.default_rng(seed)
    rows = SERIES * STEPS
    arrays = WindowArrays(
        dynamic=rng.standard_normal((rows, DYNAMIC), np.float32),
        future=rng.standard_normal((rows, FUTURE), np.float32),
        static=rng.standard_normal((SERIES, STATIC), np.float32),
        target=rng.standard_normal((rows, OUTPUT)),
        times=np.tile(
            np.arange(STEPS).astype("datetime64[D]").astype("datetime64[ns]"), SERIES
        ),
        offsets=np.arange(SERIES + 1, dtype=np.int64) * STEPS,
        series_ids=list(range(SERIES)),
        scaler_index=np.arange(SERIES),
        lookback=LOOKBACK,
        forecast_horizon=HORIZON,
        mode=None,
    )
    starts, window_series = arrays.window_starts()
    return WindowDataset(
        arrays, starts, window_series, batch_size=BATCH, shuffle=True, seed=seed
    )


def measure(batches):
    windows = reference_windows()
    (static, dynamic, future), y = windows[0]
    shapes = [list(a.shape) for a in (static, dynamic, future, y)]
    started = time.perf_counter()
    for index in range(batches):
        windows[index % len(windows)]
    seconds = time.perf_counter() - started
    return {
        "reference_gather_windows_per_s": batches * BATCH / seconds,
        "reference_gather_batches": batches,
        "reference_shapes": shapes,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=2000)
    print(json.dumps(measure(parser.parse_args().batches)))
