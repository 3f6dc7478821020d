import numpy as np
import pandas as pd
import pytest

from base_attentive.data.prepare import prepare_frame


def test_rows_are_sorted_by_series_then_time(frame, spec):
    shuffled = frame.sample(frac=1.0, random_state=0)
    prepared = prepare_frame(shuffled, spec)
    assert prepared.series_ids == ["s0", "s1", "s2"]
    assert prepared.offsets.tolist() == [0, 60, 120, 180]
    assert (np.diff(prepared.times[:60]) > np.timedelta64(0)).all()
    expected = frame.sort_values(["series", "time"])["sales"].to_numpy()
    np.testing.assert_array_equal(prepared.target[:, 0], expected)


@pytest.mark.parametrize("freq, expected", [("D", "D"), ("h", "h"), ("MS", "MS")])
def test_frequency_is_inferred(frame_factory, spec, freq, expected):
    prepared = prepare_frame(frame_factory(length=30, freq=freq), spec)
    assert prepared.freq == expected


def test_monthly_series_are_regular_despite_unequal_month_lengths(frame_factory, spec):
    frame = frame_factory(length=30, freq="MS")
    assert prepare_frame(frame, spec.replace(freq="MS")).lengths.tolist() == [30] * 3


def test_static_values_are_taken_per_series(frame, spec):
    prepared = prepare_frame(frame, spec)
    assert prepared.static_numeric.ravel().tolist() == [100.0, 101.0, 102.0]
    assert prepared.static_categorical.ravel().tolist() == ["north", "south", "north"]


def test_a_frame_without_id_column_is_one_series(frame, spec):
    single = frame[frame.series == "s1"].drop(columns=["series"])
    prepared = prepare_frame(single, spec.replace(id_column=None))
    assert prepared.num_series == 1 and len(prepared.times) == 60


def test_time_zone_aware_timestamps_are_made_naive(frame, spec):
    frame["time"] = frame["time"].dt.tz_localize("Europe/Paris")
    prepared = prepare_frame(frame, spec)
    assert pd.Timestamp(prepared.times[0]) == pd.Timestamp("2024-01-01")


def test_prediction_keeps_lookback_rows_and_generates_the_horizon(frame, spec):
    spec = spec.replace(future_columns=())
    prepared = prepare_frame(frame, spec, for_prediction=True)
    assert prepared.lengths.tolist() == [12, 12, 12]
    horizon = pd.DatetimeIndex(prepared.times[8:12])
    assert horizon[0] == pd.Timestamp("2024-03-01") and horizon.is_monotonic_increasing
    assert np.isnan(prepared.target[8:12]).all()


def test_prediction_uses_rows_after_the_last_observed_target(frame, spec):
    frame.loc[frame.time >= "2024-02-20", "sales"] = np.nan
    prepared = prepare_frame(frame, spec, for_prediction=True)
    first_horizon = pd.Timestamp(prepared.times[spec.lookback])
    assert first_horizon == pd.Timestamp("2024-02-20")
    np.testing.assert_array_equal(
        prepared.future[8:12, 0],
        frame.loc[(frame.series == "s0") & (frame.time >= "2024-02-20"), "promo"].iloc[
            :4
        ],
    )


def test_prediction_without_future_rows_explains_what_to_append(frame, spec):
    with pytest.raises(
        ValueError,
        match=r"needs its known-future columns \['promo'\] for the 4 steps.*"
        r"'s0' \(0 of 4 rows after 2024-02-29",
    ):
        prepare_frame(frame, spec, for_prediction=True)


def test_prediction_rejects_missing_known_future_values(frame, spec):
    frame.loc[frame.time >= "2024-02-25", "sales"] = np.nan
    frame.loc[frame.time == "2024-02-26", "promo"] = np.nan
    with pytest.raises(
        ValueError, match="future_columns \\(over the forecast horizon\\)"
    ):
        prepare_frame(frame, spec, for_prediction=True)


def test_gaps_in_calendar_frequencies_are_found_and_filled(frame_factory, spec):
    frame = frame_factory(length=30, freq="MS")
    frame = frame[frame.time != "2024-06-01"]
    with pytest.raises(ValueError, match=r"first 2024-05-01 -> 2024-07-01"):
        prepare_frame(frame, spec.replace(freq="MS"))
    filled = prepare_frame(
        frame, spec.replace(freq="MS", fill_gaps=True, fill_missing="zero")
    )
    assert filled.lengths.tolist() == [30] * 3
    assert filled.target[5, 0] == 0.0
