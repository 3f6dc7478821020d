"""NumPy metrics: hand-computed cases, validation errors, `evaluate` table."""

import subprocess
import sys

import numpy as np
import pytest

from base_attentive import metrics

QUANTILES = [0.1, 0.5, 0.9]


def column(values):
    """A single series as (B=1, H, O=1)."""
    return np.asarray(values, dtype=float).reshape(1, -1, 1)


def quantile_forecast(rows):
    """Rows of per-level forecasts, one row per horizon step -> (1, H, Q, 1)."""
    return np.asarray(rows, dtype=float)[None, :, :, None]


def as_dict(table):
    return dict(zip(table.metric, table.value, strict=True))


# --------------------------------------------------------------------------
# point metrics
# --------------------------------------------------------------------------
def test_mae_and_rmse_match_hand_computed_values():
    y, p = column([1, 2, 3, 4]), column([1.5, 2, 2, 6])
    # |errors| = 0.5, 0, 1, 2
    assert metrics.mae(y, p) == pytest.approx(3.5 / 4)
    assert metrics.rmse(y, p) == pytest.approx(np.sqrt((0.25 + 0 + 1 + 4) / 4))


def test_smape_counts_zero_over_zero_as_perfect():
    # terms: 2*2/(1+3) = 1, 0/0 -> 0, 0/(2+2) = 0
    assert metrics.smape(column([1, 0, 2]), column([3, 0, 2])) == pytest.approx(
        100.0 / 3
    )


def test_mase_scales_by_in_sample_seasonal_differences():
    y, p, history = column([4, 6]), column([5, 5]), column([1, 3, 2, 5])
    # m=1: scale = mean(2, 1, 3) = 2, mae = 1
    assert metrics.mase(y, p, history) == pytest.approx(0.5)
    # m=2: scale = mean(|2-1|, |5-3|) = 1.5
    assert metrics.mase(y, p, history, seasonality=2) == pytest.approx(1 / 1.5)
    # 1-D input is one series
    assert metrics.mase([4, 6], [5, 5], [1, 3, 2, 5]) == pytest.approx(0.5)


def test_mase_averages_per_series_ratios():
    y = np.array([[[4.0], [6.0]], [[1.0], [1.0]]])
    p = np.array([[[5.0], [5.0]], [[1.0], [2.0]]])
    history = np.array([[[1.0], [3.0], [2.0], [5.0]], [[0.0], [0.0], [1.0], [1.0]]])
    # series 0: 1 / 2 = 0.5; series 1: mae 0.5, scale 1/3 -> 1.5
    assert metrics.mase(y, p, history) == pytest.approx(1.0)


def test_mase_rejects_short_history_and_zero_scale():
    with pytest.raises(ValueError, match="more than seasonality=4"):
        metrics.mase(column([1, 2]), column([1, 2]), column([1, 2, 3, 4]), 4)
    with pytest.raises(ValueError, match="all 0"):
        metrics.mase(column([1, 2]), column([1, 2]), column([3, 3, 3]))
    with pytest.raises(ValueError, match="except the time axis"):
        metrics.mase(column([1, 2]), column([1, 2]), np.ones((2, 5, 1)))
    with pytest.raises(ValueError, match="either `y_insample`"):
        metrics.mase(column([1, 2]), column([1, 2]))


def test_mase_pools_the_windows_of_a_series_under_its_training_scale():
    # Two windows of series 0 (errors 1 and 3) and one of series 1 (error 2).
    y = np.zeros((3, 1, 1))
    p = np.array([1.0, 3.0, 2.0]).reshape(3, 1, 1)
    scale = np.array([[2.0], [4.0]])
    # series 0: mean error 2 / 2 = 1; series 1: 2 / 4 = 0.5; mean over series
    value = metrics.mase(y, p, scale=scale, series=np.array([0, 0, 1]))
    assert value == pytest.approx(0.75)
    # The scale is the in-sample mean absolute seasonal difference.
    history = np.array([[0.0, 2.0, 0.0], [0.0, 4.0, 8.0]]).reshape(2, 3, 1)
    np.testing.assert_allclose(metrics.mase_scale(history), scale)
    assert metrics.mase(y, p, history, series=np.array([0, 0, 1])) == value
    with pytest.raises(ValueError, match="scale 0 or NaN"):
        metrics.mase(y, p, scale=np.array([[2.0], [0.0]]), series=[0, 0, 1])


def test_mase_scale_ignores_unobserved_steps():
    history = np.array([1.0, np.nan, 4.0, 6.0])
    assert metrics.mase_scale(history) == pytest.approx(2.0)


# --------------------------------------------------------------------------
# quantile metrics
# --------------------------------------------------------------------------
def test_pinball_per_quantile_matches_hand_computed_values():
    # y = 1, forecasts 0, 1, 3: 0.1*1, 0, (1-0.9)*2
    per_level = metrics.pinball_loss(
        column([1]), quantile_forecast([[0, 1, 3]]), QUANTILES
    )
    np.testing.assert_allclose(per_level, [0.1, 0.0, 0.2])
    assert metrics.mean_quantile_loss(
        column([1]), quantile_forecast([[0, 1, 3]]), QUANTILES
    ) == pytest.approx(0.1)
    assert metrics.crps_from_quantiles(
        column([1]), quantile_forecast([[0, 1, 3]]), QUANTILES
    ) == pytest.approx(0.2)


def test_normalized_quantile_loss_matches_tft_definition():
    y = column([1, -3])
    forecast = quantile_forecast([[0, 1, 3], [-4, -3, -1]])
    # pinball sums per level: [0.1 + 0.1, 0 + 0, 0.2 + 0.2]; sum |y| = 4
    np.testing.assert_allclose(
        metrics.normalized_quantile_loss(y, forecast, QUANTILES), [0.1, 0.0, 0.2]
    )
    with pytest.raises(ValueError, match="sum"):
        metrics.normalized_quantile_loss(column([0, 0]), forecast, QUANTILES)


def test_crps_from_samples_unbiased_and_empirical_estimators():
    y, samples = column([2]), np.array([0.0, 1.0, 3.0]).reshape(3, 1, 1, 1)
    # E|X - y| = 4/3; sum over ordered pairs |xi - xj| = 12
    assert metrics.crps_from_samples(y, samples) == pytest.approx(4 / 3 - 0.5 * 12 / 6)
    assert metrics.crps_from_samples(y, samples, "empirical") == pytest.approx(
        4 / 3 - 0.5 * 12 / 9
    )
    with pytest.raises(ValueError, match="at least 2 samples"):
        metrics.crps_from_samples(y, samples[:1])
    with pytest.raises(ValueError, match="estimator"):
        metrics.crps_from_samples(y, samples, "fair")


def test_interval_coverage_and_width_match_hand_computed_values():
    y = [1.0, 2.0, 3.0, 4.0]
    lower, upper = [0.0, 2.5, 3.0, 0.0], [2.0, 3.0, 3.0, 3.0]
    assert metrics.interval_coverage(y, lower, upper) == pytest.approx(0.5)
    assert metrics.interval_width(lower, upper) == pytest.approx(5.5 / 4)
    with pytest.raises(ValueError, match="must not exceed"):
        metrics.interval_width(upper, lower)


def test_winkler_score_adds_twice_the_miss_over_alpha_to_the_width():
    y = [1.0, 3.0, -1.0]
    lower, upper = [0.0, 0.0, 0.0], [2.0, 2.0, 2.0]
    # widths 2; misses 0, 1 (above), 1 (below); alpha 0.2 -> penalty 10 each
    assert metrics.winkler_score(y, lower, upper, alpha=0.2) == pytest.approx(
        (2.0 + 12.0 + 12.0) / 3
    )
    with pytest.raises(ValueError, match="alpha"):
        metrics.winkler_score(y, lower, upper, alpha=1.5)


def test_msis_divides_each_series_interval_score_by_its_scale():
    y = np.array([[[1.0], [3.0]], [[0.0], [0.0]]])  # two series, H=2
    lower, upper = np.zeros_like(y), np.full_like(y, 2.0)
    scale = np.array([[2.0], [4.0]])
    # series 0: scores 2 and 12 -> mean 7 / 2; series 1: 2 and 2 -> 2 / 4
    expected = (7.0 / 2.0 + 2.0 / 4.0) / 2
    value = metrics.msis(y, lower, upper, 0.2, scale=scale, series=[0, 1])
    assert value == pytest.approx(expected)
    history = np.array([[[0.0], [2.0], [0.0]], [[0.0], [4.0], [0.0]]])
    assert metrics.msis(y, lower, upper, 0.2, y_insample=history) == pytest.approx(
        expected
    )


def test_evaluate_reports_winkler_and_msis_of_the_80_percent_interval():
    y = column([1.0, 3.0])
    forecast = quantile_forecast([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]])
    rows = as_dict(metrics.evaluate(y, forecast, QUANTILES, scale=np.array([[2.0]])))
    assert rows["winkler@80%"] == pytest.approx(7.0)
    assert rows["msis@80%"] == pytest.approx(3.5)
    assert "msis@80%" not in as_dict(metrics.evaluate(y, forecast, QUANTILES))


def test_central_intervals_lists_symmetric_pairs_widest_first():
    pairs = metrics.central_intervals([0.05, 0.1, 0.3, 0.5, 0.9, 0.95])
    assert [(low, high) for low, high, _ in pairs] == [(0, 5), (1, 4)]
    assert pairs[0][2] == pytest.approx(0.9)


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------
def test_shape_mismatch_error_names_both_shapes():
    with pytest.raises(
        ValueError, match=r"y_true.shape=\(1, 3, 1\).*y_pred.shape=\(1, 2, 1\)"
    ):
        metrics.mae(column([1, 2, 3]), column([1, 2]))
    with pytest.raises(ValueError, match=r"y_quantiles.shape=\(1, 1, 2, 1\)"):
        metrics.pinball_loss(column([1]), np.zeros((1, 1, 2, 1)), QUANTILES)


@pytest.mark.parametrize(
    "levels, message",
    [
        ([0.5, 0.1], "strictly increasing"),
        ([0.1, 0.1], "strictly increasing"),
        ([0.0, 0.5], "strictly between 0 and 1"),
        ([], "non-empty"),
        ("0.5", "sequence of floats"),
    ],
)
def test_invalid_quantiles_are_rejected(levels, message):
    with pytest.raises((ValueError, TypeError), match=message):
        metrics.validate_quantiles(levels)


def test_non_finite_inputs_are_rejected():
    with pytest.raises(ValueError, match="1 NaN or infinite"):
        metrics.rmse(column([1, np.nan]), column([1, 2]))


# --------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------
def test_evaluate_point_forecast_returns_one_row_per_metric():
    table = metrics.evaluate(
        column([4, 6]), column([5, 5]), y_insample=column([1, 3, 2, 5])
    )
    assert list(table.columns) == ["metric", "value"]
    assert as_dict(table) == pytest.approx(
        {"mae": 1.0, "rmse": 1.0, "smape": 100 * (2 / 9 + 2 / 11) / 2, "mase": 0.5}
    )


def test_evaluate_quantile_forecast_uses_median_and_80_percent_interval():
    y = column([1, -3])
    forecast = quantile_forecast([[0, 1, 3], [-4, -3, -1]])
    values = as_dict(metrics.evaluate(y, forecast, QUANTILES))
    assert values["mae"] == pytest.approx(0.0)  # the median is exact
    assert values["mean_quantile_loss"] == pytest.approx(0.1)
    assert values["crps"] == pytest.approx(0.2)
    assert values["pinball@0.9"] == pytest.approx(0.2)
    assert values["qrisk@0.9"] == pytest.approx(0.2)
    assert values["coverage@80%"] == pytest.approx(1.0)
    assert values["width@80%"] == pytest.approx((3 + 3) / 2)


def test_evaluate_prefers_80_percent_interval_else_widest():
    y = np.zeros((2, 1, 1))
    five = np.broadcast_to(np.array([-2, -1, 0, 1, 2.0])[:, None], (2, 1, 5, 1))
    names = set(metrics.evaluate(y, five, [0.05, 0.1, 0.5, 0.9, 0.95]).metric)
    assert {"coverage@80%", "width@80%"} <= names and "coverage@90%" not in names
    names = set(metrics.evaluate(y, five, [0.05, 0.25, 0.5, 0.75, 0.95]).metric)
    assert "coverage@90%" in names and "coverage@50%" not in names
    three = five[:, :, 1:4]
    names = set(metrics.evaluate(y, three, [0.1, 0.5, 0.8]).metric)
    assert not any(name.startswith("coverage") for name in names)


def test_evaluate_scores_no_point_forecast_without_the_median_level():
    y = column([1.0])
    forecast = quantile_forecast([[0.0, 4.0]])
    values = as_dict(metrics.evaluate(y, forecast, [0.4, 0.6]))
    assert "mae" not in values and "mase" not in values
    assert values["mean_quantile_loss"] == pytest.approx((0.4 * 1 + 0.4 * 3) / 2)


def test_evaluate_pools_windows_per_series_for_mase():
    y = np.zeros((3, 1, 1))
    p = np.array([1.0, 3.0, 2.0]).reshape(3, 1, 1)
    table = metrics.evaluate(
        y, p, scale=np.array([[2.0], [4.0]]), series=np.array([0, 0, 1])
    )
    assert as_dict(table)["mase"] == pytest.approx(0.75)


def test_evaluate_by_horizon_and_target_matches_sliced_metrics():
    rng = np.random.default_rng(0)
    y, p = rng.normal(size=(5, 3, 2)), rng.normal(size=(5, 3, 2))
    table = metrics.evaluate(y, p, by=("horizon", "target"), target_names=["a", "b"])
    assert list(table.columns) == ["horizon", "target", "metric", "value"]
    assert len(table) == 3 * 2 * 3
    row = table[(table.horizon == 2) & (table.target == "b") & (table.metric == "mae")]
    assert row.value.item() == pytest.approx(metrics.mae(y[:, 1, 1], p[:, 1, 1]))
    with pytest.raises(ValueError, match="`by`"):
        metrics.evaluate(y, p, by="window")


def test_numpy_modules_import_no_framework():
    code = (
        "import sys\n"
        "import base_attentive\n"
        "assert 'base_attentive.losses' not in sys.modules\n"
        "import base_attentive.metrics, base_attentive.distributions, "
        "base_attentive.calibration\n"
        "loaded = {'keras', 'tensorflow', 'torch', 'jax'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
