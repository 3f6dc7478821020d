"""`ForecastDataset` prepared one group of series at a time: the same results
as one group (the whole frame), whatever the grouping."""

import numpy as np
import pandas as pd
import pytest

from base_attentive.data import ChronologicalSplit, ForecastDataset, series_groups
from base_attentive.data.missing import fit_observed
from base_attentive.data.scaling import ColumnMoments, SeriesScaler

from .conftest import make_frame, make_spec

CATEGORIES = dict(
    categorical_columns=("region", "weather", "event"),
    past_columns=("temperature", "weather"),
    future_columns=("promo", "event"),
)
SPECS = {
    "mask": dict(missing="mask", skip_short_series=True, **CATEGORIES),
    "window": dict(missing="mask", scaling="window", **CATEGORIES),
    "robust": dict(
        covariate_scaler="robust",
        target_scaler="robust",
        fill_gaps="interpolate",
        fill_missing="ffill",
        categorical_columns=("region", "weather"),
        past_columns=("temperature", "weather"),
    ),
}


def panel(short=False):
    """Seven series, shuffled rows, gaps in one series, missing targets and
    past values, a categorical known-future column with missing values;
    with `short`, an eighth series too short to window."""
    frame = make_frame(num_series=7, length=70)
    frame = frame.drop(
        index=frame.index[(frame.series == "s1") & (frame.index % 11 == 3)]
    )
    frame.loc[frame.index % 13 == 5, "sales"] = np.nan
    frame.loc[frame.index % 17 == 2, "temperature"] = np.nan
    event = np.where(frame.index % 9 == 0, None, "none")
    frame["event"] = np.where(frame.index % 5 == 0, "sale", event)
    if short:
        tiny = make_frame(num_series=1, length=6, start="2024-02-01")
        tiny["series"] = "s9"
        tiny["event"] = "none"
        frame = pd.concat([frame, tiny], ignore_index=True)
    return frame.sample(frac=1.0, random_state=0)


def prediction_frame(frame):
    """The last 4 days of every series become the horizon (targets unknown)."""
    frame = frame.copy()
    last = frame.time.max() - pd.Timedelta(days=3)
    frame.loc[frame.time >= last, "sales"] = np.nan
    return frame


def fitted(spec, frame, monkeypatch, group_rows):
    with monkeypatch.context() as patch:
        if group_rows is not None:
            patch.setattr(series_groups, "MIN_GROUP_ROWS", group_rows)
            patch.setattr(series_groups, "MAX_GROUP_ROWS", group_rows)
        dataset = ForecastDataset(spec).fit(
            frame, ChronologicalSplit(validation=10, test=10)
        )
        to_predict = prediction_frame(frame)
        if spec.scaling == "window":  # unseen series: window scaling serves them
            new = to_predict.assign(series=to_predict.series + "_new")
            to_predict = pd.concat([to_predict, new])
        predict = None
        if spec.fill_gaps is None:  # a gap on the horizon has no future value
            predict = dataset.prediction_windows(to_predict, batch_size=10_000)[0]
        return dataset, predict


def assert_inputs_close(a, b):
    """Float32 inputs equal up to float32 round-off (the covariate scalers
    merged across groups differ from a whole-frame fit by float64
    round-off)."""
    for x, y in zip(a, b, strict=True):
        assert x.shape == y.shape and x.dtype == y.dtype
        np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(SPECS))
@pytest.mark.parametrize("group_rows", [1, 150])
def test_group_wise_fit_equals_the_whole_frame_fit(name, group_rows, monkeypatch):
    spec = make_spec(**SPECS[name])
    frame = panel(short=spec.skip_short_series)
    whole, whole_predict = fitted(spec, frame, monkeypatch, None)
    grouped, grouped_predict = fitted(spec, frame, monkeypatch, group_rows)
    assert len(series_groups.plan_groups(frame, spec).bounds) == 1
    # Per-series state, vocabularies, split, indicators: exactly the same.
    assert grouped.series_ids == whole.series_ids
    assert grouped.freq == whole.freq == "D"
    assert grouped.skipped_series == whole.skipped_series
    assert grouped.boundaries.to_dict() == whole.boundaries.to_dict()
    assert grouped.vocabulary.values == whole.vocabulary.values
    assert grouped.indicators == whole.indicators
    np.testing.assert_array_equal(grouped.target_scaler.loc, whole.target_scaler.loc)
    np.testing.assert_array_equal(
        grouped.target_scaler.scale, whole.target_scaler.scale
    )
    np.testing.assert_array_equal(grouped.target_stats, whole.target_stats)
    for scaler in ("past_scaler", "future_scaler", "static_scaler"):
        for attribute in ("loc", "scale"):
            np.testing.assert_allclose(
                getattr(getattr(grouped, scaler), attribute),
                getattr(getattr(whole, scaler), attribute),
                rtol=1e-13,
                atol=1e-13,
            )
    # The arrays: raw targets and geometry exact, float32 inputs to round-off.
    a, b = grouped.arrays, whole.arrays
    for field in ("target", "times", "offsets", "scaler_index", "static"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert (a.target_input is None) == (b.target_input is None)
    if b.target_input is not None:
        np.testing.assert_array_equal(a.target_input, b.target_input)
    assert_inputs_close((a.dynamic, a.future), (b.dynamic, b.future))
    for part in ("train", "validation", "test"):
        x, y = grouped.windows(part, batch_size=10_000)[0]
        x_whole, y_whole = whole.windows(part, batch_size=10_000)[0]
        assert_inputs_close((*x, y), (*x_whole, y_whole))
    if whole_predict is not None:
        assert_inputs_close(grouped_predict, whole_predict)


def test_a_group_of_short_series_is_skipped_not_an_error(monkeypatch):
    spec = make_spec(skip_short_series=True)
    frame = make_frame(num_series=3, length=60)
    tiny = make_frame(num_series=2, length=5).assign(
        series=lambda f: f.series.map({"s0": "t0", "s1": "t1"})
    )
    frame = pd.concat([frame, tiny], ignore_index=True)
    monkeypatch.setattr(series_groups, "MIN_GROUP_ROWS", 10)
    monkeypatch.setattr(series_groups, "MAX_GROUP_ROWS", 10)
    dataset = ForecastDataset(spec).fit(frame)
    assert dataset.skipped_series == ["t0", "t1"]
    assert dataset.series_ids == ["s0", "s1", "s2"]
    with pytest.raises(ValueError, match="All 2 series are shorter"):
        ForecastDataset(spec).fit(tiny)


def test_windows_keep_a_compact_index(spec, frame):
    dataset = ForecastDataset(spec).fit(frame)
    train = dataset.windows("train", batch_size=16, shuffle=True, seed=3)
    assert train.starts.dtype == np.int32
    assert train.window_series.dtype == np.int32
    # The shuffled order is the seed's permutation of the windows.
    reference = np.random.default_rng(3).permutation(train.num_windows)
    (_, dynamic, _), _ = train[0]
    expected = dataset.arrays.gather(
        train.starts[reference[:16]], train.window_series[reference[:16]]
    )[0][1]
    np.testing.assert_array_equal(dynamic, expected)


def test_column_moments_equal_a_scaler_fit_in_one_group_and_merge_across():
    rng = np.random.default_rng(0)
    values = rng.normal(3.0, 2.0, (1000, 3))
    one = ColumnMoments(3)
    one.add(values)
    whole = SeriesScaler("standard").fit(values, np.zeros(1000, dtype=int), 1)
    np.testing.assert_array_equal(one.scaler("standard").loc, whole.loc)
    np.testing.assert_array_equal(one.scaler("standard").scale, whole.scale)
    merged = ColumnMoments(3)
    for part in np.array_split(values, 7):
        merged.add(part)
    np.testing.assert_allclose(merged.scaler("standard").loc, whole.loc, rtol=1e-13)
    np.testing.assert_allclose(merged.scaler("standard").scale, whole.scale, rtol=1e-13)
    values[rng.random(values.shape) < 0.2] = np.nan
    masked = ColumnMoments(3)
    masked.add(values)
    observed = fit_observed(
        SeriesScaler("standard"), values, np.zeros(1000, dtype=int), 1, list("abc")
    )
    np.testing.assert_array_equal(masked.scaler("standard").loc, observed.loc)
    np.testing.assert_array_equal(masked.scaler("standard").scale, observed.scale)
