import numpy as np
import pandas as pd

from base_attentive.data import ForecastDataset, series_groups
from base_attentive.data.calendar import calendar_features


def test_every_window_fits_inside_its_series(frame, spec):
    arrays = ForecastDataset(spec).fit(frame).arrays
    starts, window_series = arrays.window_starts()
    per_series = 60 - spec.lookback - spec.forecast_horizon + 1
    assert len(starts) == 3 * per_series
    assert np.bincount(window_series).tolist() == [per_series] * 3
    ends = starts + spec.lookback + spec.forecast_horizon
    assert (ends <= arrays.offsets[window_series + 1]).all()
    assert (starts >= arrays.offsets[window_series]).all()


def test_storage_grows_with_rows_not_with_windows(frame_factory, spec_factory):
    """The stored arrays take the same bytes for a lookback of 4 or 40."""
    frame = frame_factory(num_series=4, length=200)
    sizes = {}
    for lookback in (4, 40):
        arrays = ForecastDataset(spec_factory(lookback=lookback)).fit(frame).arrays
        sizes[lookback] = arrays.nbytes
        rows, features = len(frame), arrays.dynamic.shape[1] + arrays.future.shape[1]
        # float32 inputs + float64 targets + int32 times: <= 24 bytes/row/feature
        assert arrays.nbytes <= rows * (features + 1) * 24
        windows = len(arrays.window_starts()[0])
        materialised = windows * (lookback * arrays.dynamic.shape[1]) * 4
        if lookback == 40:
            assert materialised > 5 * arrays.nbytes
    assert sizes[4] == sizes[40]


def test_gather_slices_the_right_rows(frame, spec):
    arrays = ForecastDataset(spec).fit(frame).arrays
    (static, dynamic, future), y = arrays.gather(np.array([0, 65]), np.array([0, 1]))
    np.testing.assert_array_equal(dynamic[1], arrays.dynamic[65:73])
    np.testing.assert_array_equal(future[1], arrays.future_rows(slice(73, 77)))
    np.testing.assert_array_equal(y[1], arrays.dynamic[73:77, :1])
    np.testing.assert_array_equal(static[1], arrays.static[1])


def test_tft_mode_gathers_future_over_lookback_and_horizon(frame, spec):
    arrays = ForecastDataset(spec.replace(mode="tft")).fit(frame).arrays
    (_, _, future), _ = arrays.gather(np.array([65]), np.array([1]))
    np.testing.assert_array_equal(future[0], arrays.future_rows(slice(65, 77)))


def test_times_and_calendar_are_held_once_per_distinct_time(
    frame_factory, spec_factory, monkeypatch
):
    """Series of different spans, prepared in several groups: each row reads
    its own time, and the calendar columns of the future input are those
    computed row by row, though held once per distinct time."""
    monkeypatch.setattr(series_groups, "MIN_GROUP_ROWS", 50)
    monkeypatch.setattr(series_groups, "MAX_GROUP_ROWS", 50)
    frame = pd.concat(
        [
            frame_factory(num_series=2, length=40, start="2024-01-01"),
            frame_factory(num_series=2, length=30, start="2024-03-01").assign(
                series=lambda f: f["series"].str.replace("s", "t")
            ),
        ],
        ignore_index=True,
    )
    spec = spec_factory(calendar_features=("day_of_week", "day_of_year"))
    arrays = ForecastDataset(spec).fit(frame).arrays
    times = np.asarray(arrays.times)
    expected_times = frame.sort_values(["series", "time"])["time"].to_numpy()
    np.testing.assert_array_equal(times, expected_times.astype("datetime64[ns]"))
    assert len(arrays.times.timeline) == len(np.unique(times)) == 70
    assert arrays.times.index.dtype == np.int32
    calendar = calendar_features(times, spec.calendar_features)
    future = arrays.future_rows(slice(None))
    column = arrays.calendar_column
    np.testing.assert_array_equal(future[:, column : column + 4], calendar)
    assert arrays.future.shape[1] == future.shape[1] - 4  # not held per row
    starts, window_series = arrays.window_starts()
    (_, _, gathered), _ = arrays.gather(starts, window_series)
    rows = starts[:, None] + spec.lookback + np.arange(spec.forecast_horizon)
    np.testing.assert_array_equal(gathered[..., column : column + 4], calendar[rows])
