import numpy as np
import pandas as pd
import pytest

from base_attentive.data import ChronologicalSplit
from base_attentive.data.split import SplitBoundaries

TIMELINE = pd.date_range("2024-01-01", periods=100, freq="D").to_numpy("datetime64[ns]")


def test_fractions_cut_the_end_of_the_timeline():
    boundaries = ChronologicalSplit(validation=0.2, test=0.1).resolve(TIMELINE)
    assert boundaries.test_start == TIMELINE[90]
    assert boundaries.validation_start == TIMELINE[70]
    assert boundaries.train_end == TIMELINE[70]


def test_integers_are_last_steps():
    boundaries = ChronologicalSplit(validation=14, test=7).resolve(TIMELINE)
    assert boundaries.test_start == TIMELINE[93]
    assert boundaries.validation_start == TIMELINE[79]


def test_dates_are_period_starts():
    boundaries = ChronologicalSplit(validation="2024-03-01", test="2024-03-20").resolve(
        TIMELINE
    )
    assert pd.Timestamp(boundaries.validation_start) == pd.Timestamp("2024-03-01")
    assert pd.Timestamp(boundaries.test_start) == pd.Timestamp("2024-03-20")


def test_no_split_means_all_training():
    boundaries = ChronologicalSplit().resolve(TIMELINE)
    assert boundaries.train_end is None


@pytest.mark.parametrize(
    "split, message",
    [
        (dict(validation="2024-03-20", test="2024-03-01"), "must start before"),
        (dict(validation=0.6, test=0.5), "leaving no training period"),
        (dict(test="2023-01-01"), "leaves no training period"),
        (dict(test="2030-01-01"), "after the last time step"),
    ],
)
def test_impossible_splits_are_explained(split, message):
    with pytest.raises(ValueError, match=message):
        ChronologicalSplit(**split).resolve(TIMELINE)


@pytest.mark.parametrize(
    "value, error",
    [(1.5, ValueError), (0, ValueError), (True, TypeError), ([0.1], TypeError)],
)
def test_bad_boundaries_are_rejected(value, error):
    with pytest.raises(error, match="test"):
        ChronologicalSplit(test=value)


def test_window_mask_keeps_windows_entirely_inside_a_period():
    boundaries = SplitBoundaries(TIMELINE[50], TIMELINE[80])
    first = TIMELINE[[40, 48, 50, 78, 80]]
    last = TIMELINE[[43, 51, 53, 81, 83]]
    assert boundaries.window_mask("train", first, last).tolist() == [1, 0, 0, 0, 0]
    assert boundaries.window_mask("validation", first, last).tolist() == [0, 0, 1, 0, 0]
    assert boundaries.window_mask("test", first, last).tolist() == [0, 0, 0, 0, 1]
    assert boundaries.window_mask("all", first, last).all()


def test_asking_for_a_missing_period_says_how_to_add_it():
    with pytest.raises(ValueError, match=r"no test period.*ChronologicalSplit\(test="):
        SplitBoundaries(TIMELINE[50], None).window_mask(
            "test", TIMELINE[:1], TIMELINE[:1]
        )


def test_boundaries_round_trip_through_dict():
    boundaries = SplitBoundaries(TIMELINE[50], None)
    restored = SplitBoundaries.from_dict(boundaries.to_dict())
    assert restored.validation_start == np.datetime64(TIMELINE[50])
    assert restored.test_start is None
