"""`ParquetForecastDataset`: a Parquet directory read per group of series
gives what `ForecastDataset` gives on the whole frame in memory."""

import numpy as np
import pandas as pd
import pytest

from base_attentive.data import (
    ChronologicalSplit,
    ForecastDataset,
    ParquetForecastDataset,
)
from tests.data.conftest import make_frame, make_spec

pytest.importorskip("pyarrow")

SPLIT = ChronologicalSplit(validation=12, test=6)
NUM_SERIES = 9


def write_parts(frame, directory, series_per_file=4, shuffle_files=False):
    """Writes `frame` as Parquet files of a few whole series each (or, with
    `shuffle_files`, every series spread over every file)."""
    directory.mkdir()
    if shuffle_files:
        shuffled = frame.iloc[np.random.default_rng(0).permutation(len(frame))]
        third = -(-len(frame) // 3)
        chunks = [shuffled.iloc[i : i + third] for i in range(0, len(frame), third)]
    else:
        series = frame["series"].unique()
        chunks = [
            frame[frame["series"].isin(series[i : i + series_per_file])]
            for i in range(0, len(series), series_per_file)
        ]
    for number, chunk in enumerate(chunks):
        chunk.to_parquet(directory / f"part-{number}.parquet", index=False)
    (directory / "_manifest.json").write_text("{}")  # not data: ignored
    return directory


@pytest.fixture
def frame():
    # Series of different lengths (later starts), all ending on one day.
    parts = [
        make_frame(
            1,
            length=60 + 5 * index,
            start=pd.Timestamp("2024-03-01") - pd.Timedelta(days=5 * index),
            seed=index,
        ).assign(series=f"s{index}")
        for index in range(NUM_SERIES)
    ]
    for index, part in enumerate(parts):
        part["region"] = "north" if index % 3 else "south"
        part["size"] = 100.0 + index
    return pd.concat(parts, ignore_index=True)


# Per-series scaling (the default), and per-window scaling with seasonal
# lags, which read rows before the lookback, and categories among the past
# (text) and future (numbers named categorical) columns; the static region
# is one-hot (`static_one_hot_max` 64) in the first two.
SPECS = [
    {},
    {
        "scaling": "window",
        "seasonal_lags": (7,),
        "past_columns": ("temperature", "weather"),
        "categorical_columns": ("region", "weather", "promo"),
    },
    # A one-hot static category (region: 2 values) next to an embedded one
    # (the series id: 9 values).
    {"categorical_columns": ("region", "series"), "static_one_hot_max": 2},
]


@pytest.fixture(params=SPECS, ids=["series", "window-lags", "one-hot-and-codes"])
def changes(request):
    return request.param


@pytest.fixture
def in_memory(frame, changes):
    return ForecastDataset(make_spec(**changes)).fit(frame, split=SPLIT)


def _streamed(directory, buffer_mb=0.15, **changes):
    return ParquetForecastDataset(
        make_spec(**changes), directory, buffer_mb=buffer_mb
    ).fit(SPLIT)


@pytest.mark.parametrize("shuffle_files", [False, True])
def test_streaming_fit_equals_the_in_memory_fit(
    frame, in_memory, tmp_path, shuffle_files, changes
):
    streamed = _streamed(
        write_parts(frame, tmp_path / "parts", shuffle_files=shuffle_files), **changes
    )
    assert len(streamed.groups) > 1  # the buffer forces several groups
    fitted = streamed.dataset
    assert fitted.series_ids == in_memory.series_ids
    assert fitted.freq == in_memory.freq
    assert fitted.boundaries == in_memory.boundaries
    assert fitted.vocabulary.to_dict() == in_memory.vocabulary.to_dict()
    for name in ("target_scaler", "past_scaler", "future_scaler", "static_scaler"):
        ours, expected = getattr(fitted, name), getattr(in_memory, name)
        np.testing.assert_allclose(ours.loc, expected.loc, rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(ours.scale, expected.scale, rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(fitted.target_stats, in_memory.target_stats, rtol=1e-12)
    for part in ("train", "validation", "test"):
        assert streamed.window_counts[part].sum() == in_memory.windows(part).num_windows


def test_every_window_is_served_once_per_epoch(frame, in_memory, tmp_path, changes):
    streamed = _streamed(write_parts(frame, tmp_path / "parts"), **changes)
    expected = in_memory.windows("train").materialize()
    windows = streamed.windows("train", batch_size=16, shuffle=True, seed=3)
    for _ in range(2):  # a new order in the second epoch, the same windows
        batches = [windows[index] for index in range(len(windows))]
        assert max(len(y) for _, y in batches) == 16
        inputs = zip(*(x for x, _ in batches), strict=True)
        served = [np.concatenate(part) for part in inputs]
        targets = np.concatenate([y for _, y in batches])
        assert len(targets) == len(expected[1])
        # Same windows as in memory, in another order: compare sorted rows.
        for ours, reference in zip(
            [*served, targets], [*expected[0], expected[1]], strict=True
        ):
            flat = ours.reshape(len(ours), -1)
            reference = reference.reshape(len(reference), -1)
            np.testing.assert_allclose(
                flat[np.lexsort(flat.T[::-1])],
                reference[np.lexsort(reference.T[::-1])],
                rtol=1e-6,
            )
        windows.on_epoch_end()


def test_unshuffled_windows_follow_the_groups_in_order(frame, tmp_path):
    streamed = _streamed(write_parts(frame, tmp_path / "parts"))
    first = streamed.windows("validation", batch_size=8)
    second = streamed.windows("validation", batch_size=8)
    for index in range(len(first)):
        np.testing.assert_array_equal(first[index][1], second[index][1])


class _LastValueModel:
    """Predicts the last lookback value of every target for every step: a
    stand-in for a trained model, so forecasts can be compared exactly."""

    def predict(self, windows, verbose=0):
        (_, dynamic, _) = windows.materialize()
        last = dynamic[:, -1:, :1]
        return np.repeat(last, 4, axis=1)


def test_forecasts_every_series_as_the_in_memory_path(
    frame, in_memory, tmp_path, changes
):
    streamed = _streamed(write_parts(frame, tmp_path / "parts"), **changes)
    cutoff = pd.Timestamp(frame["time"].max()) - pd.Timedelta(days=3)
    ours = streamed.forecast_frame(_LastValueModel(), cutoff=cutoff)
    known = frame.copy()
    known.loc[known["time"] >= cutoff, "sales"] = np.nan
    windows = in_memory.prediction_windows(known)
    expected = in_memory.forecast_frame(_LastValueModel().predict(windows), windows)
    ours = ours.sort_values(["series", "horizon_step"], ignore_index=True)
    expected = expected.sort_values(["series", "horizon_step"], ignore_index=True)
    pd.testing.assert_frame_equal(ours, expected)
    assert ours["series"].nunique() == NUM_SERIES
    # Every series is forecast from the day before the cutoff.
    assert (ours["forecast_origin"] == cutoff - pd.Timedelta(days=1)).all()


def test_saved_transforms_load_as_a_forecast_dataset(
    frame, in_memory, tmp_path, changes
):
    streamed = _streamed(write_parts(frame, tmp_path / "parts"), **changes)
    streamed.save(tmp_path / "dataset.json")
    loaded = ForecastDataset.load(tmp_path / "dataset.json")
    assert loaded.feature_names() == in_memory.feature_names()
    for name in ("dynamic", "static"):
        np.testing.assert_allclose(
            getattr(loaded.transform(frame), name),
            getattr(in_memory.transform(frame), name),
            rtol=1e-6,
        )


def test_a_buffer_too_small_to_read_is_an_error(frame, tmp_path):
    directory = write_parts(frame, tmp_path / "parts")
    with pytest.raises(ValueError, match=r"Raise `buffer_mb` \(to at least 0\.\d+\)"):
        _streamed(directory, buffer_mb=0.001)


@pytest.mark.parametrize(
    "changes, error, match",
    [
        ({"covariate_scaler": "robust"}, ValueError, "covariate_scaler='robust'"),
        ({"id_column": None}, ValueError, "needs an `id_column`"),
        (
            {"seasonal_lags": (7, 364), "holiday_lag": 364},
            ValueError,
            "`holiday_lag` is not supported",
        ),
        ({"past_columns": ("humidity",)}, ValueError, r"\['humidity'\] of the spec"),
    ],
)
def test_settings_it_cannot_stream_are_refused(frame, tmp_path, changes, error, match):
    directory = write_parts(frame, tmp_path / "parts")
    with pytest.raises(error, match=match):
        ParquetForecastDataset(make_spec(**changes), directory)


def test_bad_data_is_reported_as_in_memory(frame, tmp_path):
    frame.loc[70, "temperature"] = np.nan
    directory = write_parts(frame, tmp_path / "parts")
    with pytest.raises(ValueError, match="temperature"):
        _streamed(directory)


def test_windows_need_a_fitted_dataset(frame, tmp_path):
    streamed = ParquetForecastDataset(make_spec(), write_parts(frame, tmp_path / "p"))
    with pytest.raises(ValueError, match="call `fit"):
        streamed.windows("train")
