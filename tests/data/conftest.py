"""Small synthetic long frames shared by the data tests."""

import numpy as np
import pandas as pd
import pytest

from base_attentive.data import DatasetSpec


def make_frame(num_series=3, length=60, start="2024-01-01", freq="D", seed=0):
    """Long frame: series s0.., targets with different levels, covariates."""
    rng = np.random.default_rng(seed)
    parts = []
    for index in range(num_series):
        times = pd.date_range(start, periods=length, freq=freq)
        steps = np.arange(length)
        parts.append(
            pd.DataFrame(
                {
                    "time": times,
                    "series": f"s{index}",
                    "sales": 10.0 * (index + 1)
                    + np.sin(steps / 3.0) * (index + 1)
                    + rng.normal(0, 0.1, length),
                    "temperature": rng.normal(15, 5, length),
                    "promo": (steps % 7 == 0).astype(float),
                    "weather": np.array(["fog", "rain", "sun"])[(steps + index) % 3],
                    "size": float(100 + index),
                    "region": "north" if index % 2 == 0 else "south",
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def make_spec(**changes):
    """Spec over `make_frame` columns; every role has at least one column."""
    config = dict(
        time_column="time",
        id_column="series",
        target_columns=("sales",),
        lookback=8,
        forecast_horizon=4,
        static_columns=("size",),
        categorical_columns=("region",),
        past_columns=("temperature",),
        future_columns=("promo",),
        calendar_features=("day_of_week",),
    )
    config.update(changes)
    return DatasetSpec(**config)


@pytest.fixture
def frame():
    return make_frame()


@pytest.fixture
def spec():
    return make_spec()


@pytest.fixture
def frame_factory():
    """`make_frame` as a fixture, for tests that need a variant."""
    return make_frame


@pytest.fixture
def spec_factory():
    """`make_spec` as a fixture, for tests that need a variant."""
    return make_spec
