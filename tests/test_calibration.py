"""Split-conformal (CQR) recalibration of quantile intervals."""

import json

import numpy as np
import pytest
from scipy import stats

from base_attentive import metrics
from base_attentive.calibration import ConformalQuantileCalibrator

LEVELS = [0.1, 0.25, 0.5, 0.75, 0.9]
TRUE_SCALE = np.array([1.0, 2.0, 3.0])  # per horizon step


def draw(num_windows, seed, assumed_scale=1.0):
    """Targets with horizon-dependent noise; forecasts that assume a scale."""
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(num_windows, 3, 2)) * TRUE_SCALE[None, :, None]
    standard = stats.norm.ppf(LEVELS)[None, None, :, None]
    forecast = np.broadcast_to(
        assumed_scale * standard, (num_windows, 3, len(LEVELS), 2)
    )
    return y, np.array(forecast)


def coverage_80(y, forecast, horizon=slice(None)):
    return metrics.interval_coverage(
        y[:, horizon], forecast[:, horizon, 0], forecast[:, horizon, -1]
    )


def test_recalibration_moves_under_covering_intervals_to_the_target():
    y_val, q_val = draw(1000, seed=0)
    y_test, q_test = draw(4000, seed=1)
    raw = coverage_80(y_test, q_test)
    assert raw < 0.6  # too narrow for steps 2 and 3
    calibrated = ConformalQuantileCalibrator(LEVELS).fit(y_val, q_val).adjust(q_test)
    for step in range(3):
        assert coverage_80(y_test, calibrated, step) == pytest.approx(0.8, abs=0.03)
    inner = metrics.interval_coverage(y_test, calibrated[:, :, 1], calibrated[:, :, 3])
    assert inner == pytest.approx(0.5, abs=0.03)
    np.testing.assert_array_equal(calibrated[:, :, 2], q_test[:, :, 2])


def test_recalibration_narrows_over_covering_intervals():
    y_val, q_val = draw(1000, seed=2, assumed_scale=6.0)
    y_test, q_test = draw(4000, seed=3, assumed_scale=6.0)
    assert coverage_80(y_test, q_test) > 0.95
    calibrated = ConformalQuantileCalibrator(LEVELS).fit(y_val, q_val).adjust(q_test)
    assert coverage_80(y_test, calibrated) == pytest.approx(0.8, abs=0.03)
    assert metrics.interval_width(calibrated[:, :, 0], calibrated[:, :, -1]) < (
        metrics.interval_width(q_test[:, :, 0], q_test[:, :, -1])
    )


def test_correction_is_the_finite_sample_rank_of_the_scores():
    # lower = -1, upper = 1; scores max(-1 - y, y - 1), sorted:
    # [-1, -0.75, -0.5, -0.5, 0, 0.5, 1, 2, 3, 9]; n = 10, alpha = 0.2:
    # k = ceil(11 * 0.8) = 9 -> 3 (without the finite-sample correction,
    # k = ceil(10 * 0.8) = 8 would give 2).
    y = np.array([0, 0.5, -0.5, 2, -3, 1.5, 4, -1, 0.25, 10]).reshape(10, 1, 1)
    forecast = np.broadcast_to(np.array([-1.0, 0.0, 1.0])[:, None], (10, 1, 3, 1))
    calibrator = ConformalQuantileCalibrator([0.1, 0.5, 0.9]).fit(y, forecast)
    assert calibrator.corrections.shape == (1, 1, 1)
    assert calibrator.corrections.item() == pytest.approx(3.0)
    np.testing.assert_allclose(calibrator.adjust(forecast[:1])[0, 0, :, 0], [-4, 0, 4])


def test_pooled_corrections_are_shared_across_horizon_steps():
    y_val, q_val = draw(600, seed=4)
    y_test, q_test = draw(3000, seed=5)
    calibrator = ConformalQuantileCalibrator(LEVELS, per_horizon=False).fit(
        y_val, q_val
    )
    assert calibrator.corrections.shape == (2, 1, 2)
    assert calibrator.num_calibration == 600 * 3
    assert coverage_80(y_test, calibrator.adjust(q_test)) == pytest.approx(
        0.8, abs=0.03
    )
    pooled = ConformalQuantileCalibrator(LEVELS, per_target=False).fit(y_val, q_val)
    assert pooled.corrections.shape == (2, 3, 1)


@pytest.mark.parametrize("levels", [LEVELS, [0.1, 0.3, 0.7, 0.9]])
def test_adjusted_quantiles_never_cross(levels):
    # Inner bounds +-0.01; outer bounds +-20 on 90% of the windows and +-0.02
    # on the rest. The outer correction (about -18.5) then pushes the narrow
    # windows' outer bounds far past the inner ones and the median.
    rng = np.random.default_rng(6)
    y = rng.normal(size=(200, 1, 1))
    direction = np.sign(np.array(levels) - 0.5)
    outer = np.abs(np.array(levels) - 0.5) > 0.3
    half_width = np.where(outer, 20.0, 0.01) * np.ones((200, 1))
    half_width[180:, outer] = 0.02
    forecast = (direction * half_width)[:, None, :, None]
    calibrator = ConformalQuantileCalibrator(levels).fit(y, forecast)
    naive = forecast.copy()
    for (low, high, _), correction in zip(
        calibrator._pairs, calibrator.corrections, strict=True
    ):
        naive[:, :, low] -= correction
        naive[:, :, high] += correction
    assert np.any(np.diff(naive, axis=2) < 0)  # the case does provoke crossing
    adjusted = calibrator.adjust(forecast)
    assert np.all(np.diff(adjusted, axis=2) >= 0)
    if 0.5 in levels:
        np.testing.assert_array_equal(adjusted[:, :, 2], forecast[:, :, 2])


def test_dict_round_trip_through_json_reproduces_adjustment():
    y_val, q_val = draw(300, seed=7)
    calibrator = ConformalQuantileCalibrator(LEVELS, per_target=False).fit(y_val, q_val)
    revived = ConformalQuantileCalibrator.from_dict(
        json.loads(json.dumps(calibrator.to_dict()))
    )
    np.testing.assert_array_equal(revived.adjust(q_val), calibrator.adjust(q_val))
    assert revived.to_dict() == calibrator.to_dict()
    unfitted = ConformalQuantileCalibrator.from_dict(
        ConformalQuantileCalibrator(LEVELS).to_dict()
    )
    assert unfitted.corrections is None


def test_errors_name_the_problem():
    y_val, q_val = draw(50, seed=8)
    calibrator = ConformalQuantileCalibrator(LEVELS)
    with pytest.raises(ValueError, match="not fitted"):
        calibrator.adjust(q_val)
    with pytest.raises(ValueError, match=r"y_true.shape=\(50, 2, 2\).*\(50, 3, 5, 2\)"):
        calibrator.fit(y_val[:, :2], q_val)
    with pytest.raises(ValueError, match="Too few calibration scores.*n >= 4"):
        calibrator.fit(y_val[:3], q_val[:3])
    calibrator.fit(y_val, q_val)
    with pytest.raises(ValueError, match=r"\(horizon, targets\)=\(3, 2\)"):
        calibrator.adjust(q_val[:, :2])
    with pytest.raises(ValueError, match="symmetric pair"):
        ConformalQuantileCalibrator([0.1, 0.5, 0.8])
    with pytest.raises(ValueError, match="format_version"):
        ConformalQuantileCalibrator.from_dict({"quantiles": LEVELS})


def test_missing_targets_are_left_out_of_their_cell():
    y_val, q_val = draw(400, seed=3)
    missing = np.zeros(y_val.shape, dtype=bool)
    missing[:150, 1, 0] = True  # 150 missing targets in one (step, target) cell
    with_nan = np.where(missing, np.nan, y_val)
    fitted = ConformalQuantileCalibrator(LEVELS).fit(with_nan, q_val)
    assert np.isfinite(fitted.corrections).all()
    # That cell's correction is the one of its 250 observed scores alone.
    alone = ConformalQuantileCalibrator(LEVELS).fit(y_val[150:], q_val[150:])
    np.testing.assert_array_equal(
        fitted.corrections[:, 1, 0], alone.corrections[:, 1, 0]
    )
    # The other cells keep all 400.
    full = ConformalQuantileCalibrator(LEVELS).fit(y_val, q_val)
    np.testing.assert_array_equal(fitted.corrections[:, 0], full.corrections[:, 0])
    assert fitted.num_calibration == 250
