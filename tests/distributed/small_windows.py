"""Windows of the bundled data shared by the data-parallel scripts
(`train_pair.py`, `multi_process.py`): a few hundred windows, so that JAX
and TensorFlow runs stay short, with a final batch that does not come out
even (200 training windows, 101 validation windows, batches of 32)."""

from base_attentive.data import (
    ChronologicalSplit,
    ForecastDataset,
    chicago_ridership_spec,
    load_chicago_ridership,
)
from base_attentive.data.windows import WindowDataset

BATCH_SIZE = 32


def subset(windows, count, shuffle):
    """The first `count` windows, as their own lazy dataset (seed 0)."""
    return WindowDataset(
        windows.arrays,
        windows.starts[:count],
        windows.window_series[:count],
        batch_size=BATCH_SIZE,
        shuffle=shuffle,
        seed=0,
    )


def small_windows():
    """`(dataset, train, validation, test)` with 200 / 101 / 64 windows."""
    dataset = ForecastDataset(chicago_ridership_spec()).fit(
        load_chicago_ridership(), split=ChronologicalSplit(validation=0.15, test=0.15)
    )
    return (
        dataset,
        subset(dataset.windows("train"), 200, shuffle=True),
        subset(dataset.windows("validation"), 101, shuffle=False),
        subset(dataset.windows("test"), 64, shuffle=False),
    )
