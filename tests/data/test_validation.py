"""Each bad-data case raises an error that names what is wrong and where."""

import numpy as np
import pandas as pd
import pytest

from base_attentive.data import ChronologicalSplit, ForecastDataset


def fit(frame, spec, split=None):
    return ForecastDataset(spec).fit(frame, split=split)


def test_frame_must_be_a_dataframe(spec):
    with pytest.raises(TypeError, match="must be a pandas DataFrame.*ndarray"):
        fit(np.zeros((3, 3)), spec)


def test_missing_columns_are_listed_by_role(frame, spec):
    with pytest.raises(
        ValueError,
        match=r"lacks columns.*`past_columns`: \['temperature'\]; "
        r"`future_columns`: \['promo'\]",
    ):
        fit(frame.drop(columns=["temperature", "promo"]), spec)


def test_non_numeric_values_name_the_column_and_examples(frame, spec):
    frame["temperature"] = frame["temperature"].astype(object)
    frame.loc[5, "temperature"] = "warm"
    with pytest.raises(
        TypeError, match=r"`past_columns` must be numeric.*'temperature'.*'warm'"
    ):
        fit(frame, spec)


def test_numeric_strings_are_accepted(frame, spec):
    frame["promo"] = frame["promo"].map(str)
    assert fit(frame, spec).fitted


def test_time_column_must_hold_timestamps(frame, spec):
    frame["time"] = np.arange(len(frame))
    with pytest.raises(TypeError, match="Time column 'time' must hold timestamps"):
        fit(frame, spec)


def test_nan_in_target_raises_with_series_and_time(frame, spec):
    frame.loc[(frame.series == "s1") & (frame.time == "2024-01-10"), "sales"] = np.nan
    with pytest.raises(
        ValueError,
        match=r"NaN\) in `target_columns`: 'sales': 1 NaN in series 's1', "
        r"first at 's1' 2024-01-10.*fill_missing",
    ):
        fit(frame, spec)


def test_nan_in_covariate_raises(frame, spec):
    frame.loc[3, "promo"] = np.nan
    with pytest.raises(ValueError, match=r"`future_columns`: 'promo': 1 NaN"):
        fit(frame, spec)


def test_duplicate_timestamps_name_the_series(frame, spec):
    frame = pd.concat([frame, frame.iloc[[65]]], ignore_index=True)
    with pytest.raises(ValueError, match=r"Duplicate timestamps.*'s1' at 2024-01-06"):
        fit(frame, spec)


def test_gaps_are_reported_with_series_and_place(frame, spec):
    frame = frame.drop(
        index=frame.index[(frame.series == "s2") & (frame.time == "2024-01-20")]
    )
    with pytest.raises(
        ValueError,
        match=r"not regular at frequency 'D': 's2': 1 irregular step\(s\), "
        r"first 2024-01-19 -> 2024-01-21.*fill_gaps=True",
    ):
        fit(frame, spec)


def test_fill_gaps_reindexes_and_fills(frame, spec):
    gap = (frame.series == "s2") & frame.time.isin(
        pd.to_datetime(["2024-01-20", "2024-01-21"])
    )
    expected = frame.loc[(frame.series == "s2") & (frame.time == "2024-01-19"), "sales"]
    data = fit(frame[~gap], spec.replace(fill_gaps=True, fill_missing="ffill"))
    arrays = data.arrays
    rows = slice(arrays.offsets[2], arrays.offsets[3])
    assert len(arrays.times[rows]) == 60
    np.testing.assert_allclose(arrays.target[rows][19:21, 0], expected.iloc[0])


def test_unaligned_timestamps_cannot_be_reindexed(frame, spec):
    frame.loc[frame.index[-1], "time"] += pd.Timedelta(hours=12)
    with pytest.raises(ValueError, match="not on the 'D' grid"):
        fit(frame, spec.replace(fill_gaps=True, fill_missing="zero"))


def test_short_series_are_reported_by_id(frame_factory, spec):
    frame = pd.concat(
        [
            frame_factory(num_series=2),
            frame_factory(num_series=1, length=10).assign(series="tiny"),
        ]
    )
    with pytest.raises(
        ValueError,
        match=r"1 series are shorter than lookback \+ forecast_horizon = 12 rows: "
        r"'tiny' \(10 rows\).*skip_short_series=True",
    ):
        fit(frame, spec)


def test_short_series_are_skipped_only_when_asked(frame_factory, spec):
    frame = pd.concat(
        [
            frame_factory(num_series=2),
            frame_factory(num_series=1, length=10).assign(series="tiny"),
        ]
    )
    data = fit(frame, spec.replace(skip_short_series=True))
    assert data.series_ids == ["s0", "s1"]
    assert data.skipped_series == ["tiny"]


def test_static_columns_must_be_constant_per_series(frame, spec):
    frame.loc[frame.index[-1], "size"] = 999.0
    with pytest.raises(
        ValueError, match=r"constant within each series.*'size' in series 's2'"
    ):
        fit(frame, spec)


def test_missing_series_id_is_rejected(frame, spec):
    frame["series"] = frame["series"].astype(object)
    frame.loc[0, "series"] = None
    with pytest.raises(ValueError, match="'series' has 1 missing value"):
        fit(frame, spec)


def test_series_starting_after_the_training_period_are_named(frame_factory, spec):
    late = frame_factory(num_series=1, start="2024-02-20").assign(series="late")
    frame = pd.concat([frame_factory(num_series=2), late])
    with pytest.raises(ValueError, match=r"Series 'late' start on or after the end"):
        fit(frame, spec, ChronologicalSplit(validation="2024-02-10"))


def test_unknown_series_at_prediction_is_named(frame, frame_factory, spec):
    data = fit(frame, spec.replace(future_columns=()))
    other = frame_factory(num_series=4).query("series == 's3'")
    with pytest.raises(
        ValueError, match=r"Unknown series id\(s\) 's3'.*fitted on 3 series"
    ):
        data.prediction_windows(other)
