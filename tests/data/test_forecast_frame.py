import numpy as np
import pandas as pd
import pytest

from base_attentive.data import ChronologicalSplit, ForecastDataset


@pytest.fixture
def data(frame, spec):
    return ForecastDataset(spec).fit(frame, ChronologicalSplit(test=0.25))


def test_quantile_forecasts_map_back_to_original_units(data, frame):
    windows = data.windows("test", batch_size=1000)
    _, y = windows.materialize()
    offsets = np.array([-1.0, 0.0, 1.0])[None, None, :, None]
    predictions = y[:, :, None, :] + offsets  # (N, H, Q, O), scaled units
    table = data.forecast_frame(predictions, windows, quantiles=[0.1, 0.5, 0.9])
    assert list(table.columns) == [
        "series",
        "forecast_origin",
        "time",
        "horizon_step",
        "target",
        "actual",
        "q0.1",
        "q0.5",
        "q0.9",
    ]
    assert len(table) == windows.num_windows * 4
    np.testing.assert_allclose(table["q0.5"], table["actual"], rtol=1e-6)
    truth = frame.set_index(["series", "time"])["sales"]
    np.testing.assert_array_equal(
        table["actual"], truth.loc[list(zip(table.series, table.time, strict=True))]
    )
    assert (table["q0.1"] < table["q0.5"]).all() and (
        table["q0.5"] < table["q0.9"]
    ).all()
    assert (
        table["time"] - table["forecast_origin"]
        == pd.to_timedelta(table["horizon_step"], unit="D")
    ).all()


def test_point_forecasts_get_a_prediction_column(data):
    windows = data.windows("test")
    table = data.forecast_frame(np.zeros((windows.num_windows, 4, 1)), windows)
    assert table.columns[-1] == "prediction"
    level = data.target_scaler.loc[data.series_ids.index("s1"), 0]
    np.testing.assert_allclose(table.loc[table.series == "s1", "prediction"], level)


def test_multiple_targets_get_one_row_each(frame, spec):
    frame["returns"] = frame["sales"] * 0.1
    data = ForecastDataset(spec.replace(target_columns=("sales", "returns"))).fit(frame)
    windows = data.windows("all")
    table = data.forecast_frame(np.zeros((windows.num_windows, 4, 2)), windows)
    assert table["target"].iloc[:4].tolist() == ["sales", "returns", "sales", "returns"]
    assert len(table) == windows.num_windows * 4 * 2


@pytest.mark.parametrize(
    "shape, quantiles, message",
    [
        ((5, 4, 1), None, r"must have shape \("),
        (None, None, "need `quantiles` with Q = 3"),
        (None, [0.5], "need `quantiles` with Q = 3"),
    ],
)
def test_mismatched_predictions_are_explained(data, shape, quantiles, message):
    windows = data.windows("test")
    shape = shape or (windows.num_windows, 4, 3, 1)
    with pytest.raises(ValueError, match=message):
        data.forecast_frame(np.zeros(shape), windows, quantiles=quantiles)


def test_shuffled_windows_cannot_be_matched(data):
    windows = data.windows("train", shuffle=True, seed=0)
    with pytest.raises(ValueError, match="shuffle=False"):
        data.forecast_frame(np.zeros((windows.num_windows, 4, 1)), windows)
