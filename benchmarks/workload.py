"""The reference workload (REF) of ``BENCHMARK.md``: its sizes and its data.

Shared by every implementation measured in ``ref_workload.py`` so that all of
them see the same shapes and the same random windows. Importing this module
imports nothing but the standard library: the measuring process times
``import base_attentive`` before NumPy or any framework is loaded.
"""

STATIC_DIM = 4
DYNAMIC_DIM = 8
FUTURE_DIM = 6
LOOKBACK = 48
HORIZON = 24
OUTPUT_DIM = 2
QUANTILES = (0.1, 0.5, 0.9)
EMBED_DIM = 32
NUM_HEADS = 4
DROPOUT_RATE = 0.1
ENCODERS = ("hybrid", "transformer")

N_WINDOWS = 4096
BATCH_SIZE = 32
SEED = 1234
TRAIN_EPOCHS = 3
WARMUP_CALLS = 5
TIMED_CALLS = 50

# A child process reports its figures on stdout lines starting with this.
FIGURE_PREFIX = "BENCH_FIGURE "


def make_windows(n_windows, lookback=LOOKBACK, seed=SEED):
    """Random float32 windows of the REF shapes, the same for a given seed.

    Args:
        n_windows: number of windows (samples).
        lookback: number of past steps of the dynamic input.
        seed: seed of ``numpy.random.default_rng``.

    Returns:
        ``(static, dynamic, future, target)`` with shapes ``(N, 4)``,
        ``(N, lookback, 8)``, ``(N, 24, 6)`` and ``(N, 24, 2)``.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    static = rng.standard_normal((n_windows, STATIC_DIM), dtype=np.float32)
    dynamic = rng.standard_normal((n_windows, lookback, DYNAMIC_DIM), dtype=np.float32)
    future = rng.standard_normal((n_windows, HORIZON, FUTURE_DIM), dtype=np.float32)
    target = rng.standard_normal((n_windows, HORIZON, OUTPUT_DIM), dtype=np.float32)
    return static, dynamic, future, target


# ``--scaling``: (lookback, batch) pairs; the first is the REF baseline.
SCALING_CONFIGS = ((48, 32), (192, 32), (768, 32), (48, 256))
SCALING_N_WINDOWS = 2048
SCALING_EPOCHS = 2


def scaling_windows(base, lookback, batch_size):
    """Number of windows of a scaling run.

    As many past steps as ``base`` windows of the REF lookback, so that long
    lookbacks stay affordable, and at least 4 batches per epoch.
    """
    return max(4 * batch_size, base * LOOKBACK // lookback)


# ``--devices``: data-parallel training on virtual CPU devices (ours only).
DEVICE_COUNTS = (1, 2)
DEVICE_SERIES = 64


def make_lazy_windows(n_windows, lookback=LOOKBACK, batch_size=BATCH_SIZE, seed=SEED):
    """The REF shapes as lazy windows of ``DEVICE_SERIES`` random series.

    A ``WindowDataset`` (shuffled, seeded) that slices each batch on demand
    from per-row arrays, as the data pipeline does; ``n_windows`` must be a
    multiple of ``DEVICE_SERIES``.
    """
    import numpy as np

    from base_attentive.data.window_arrays import WindowArrays
    from base_attentive.data.windows import WindowDataset

    rng = np.random.default_rng(seed)
    length = n_windows // DEVICE_SERIES + lookback + HORIZON - 1
    rows = DEVICE_SERIES * length
    dynamic = rng.standard_normal((rows, DYNAMIC_DIM), dtype=np.float32)
    arrays = WindowArrays(
        dynamic=dynamic,
        future=rng.standard_normal((rows, FUTURE_DIM), dtype=np.float32),
        static=rng.standard_normal((DEVICE_SERIES, STATIC_DIM), dtype=np.float32),
        target=dynamic[:, :OUTPUT_DIM].astype(np.float64),
        times=np.tile(
            np.datetime64("2020-01-01", "ns")
            + np.arange(length) * np.timedelta64(1, "D"),
            DEVICE_SERIES,
        ),
        offsets=np.arange(DEVICE_SERIES + 1) * length,
        series_ids=[f"s{i}" for i in range(DEVICE_SERIES)],
        scaler_index=np.arange(DEVICE_SERIES),
        lookback=lookback,
        forecast_horizon=HORIZON,
        mode=None,
    )
    starts, series = arrays.window_starts()
    return WindowDataset(
        arrays, starts, series, batch_size=batch_size, shuffle=True, seed=seed
    )
