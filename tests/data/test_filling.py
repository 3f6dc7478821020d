import numpy as np
import pytest

from base_attentive.data.filling import fill_missing

NAN = np.nan
VALUES = np.array([[NAN], [1.0], [NAN], [3.0], [NAN], [5.0], [NAN], [NAN], [9.0]])
CODES = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1])


def test_ffill_stays_within_a_series_and_backfills_the_start():
    filled = fill_missing(VALUES, CODES, "ffill").ravel().tolist()
    assert filled == [1.0, 1.0, 1.0, 3.0, 3.0, 5.0, 5.0, 5.0, 9.0]


def test_interpolate_is_linear_within_a_series():
    filled = fill_missing(VALUES, CODES, "interpolate").ravel()
    expected = [1.0, 1.0, 2.0, 3.0, 3.0, 5.0, 5.0 + 4 / 3, 5.0 + 8 / 3, 9.0]
    np.testing.assert_allclose(filled, expected)


def test_zero_writes_zeros():
    filled = fill_missing(VALUES, CODES, "zero").ravel().tolist()
    assert filled == [0.0, 1.0, 0.0, 3.0, 0.0, 5.0, 0.0, 0.0, 9.0]


def test_an_all_missing_series_stays_missing_for_the_caller_to_report():
    values = np.array([[NAN], [NAN], [2.0]])
    filled = fill_missing(values, np.array([0, 0, 1]), "ffill")
    assert np.isnan(filled[:2]).all()


def test_unknown_policy_is_rejected():
    with pytest.raises(ValueError, match="fill_missing='mean'"):
        fill_missing(VALUES, CODES, "mean")
