"""Quantiles and samples from (B, H, P, O) distribution parameters."""

import numpy as np
import pytest
from scipy import stats

from base_attentive import metrics
from base_attentive.distributions import (
    DISTRIBUTION_PARAMETERS,
    distribution_quantiles,
    sample_distribution,
)

LEVELS = [0.05, 0.25, 0.5, 0.75, 0.95]


def make_params(distribution, batch=2, horizon=3, targets=2, seed=0):
    rng = np.random.default_rng(seed)
    shape = (batch, horizon, targets)
    parts = [rng.normal(size=shape), rng.uniform(0.5, 2.0, size=shape)]
    if distribution == "student_t":
        parts.append(rng.uniform(2.5, 30.0, size=shape))
    if distribution == "negative_binomial":
        parts = [rng.uniform(0.5, 40.0, shape), rng.uniform(0.01, 1.0, shape)]
    return np.stack(parts, axis=2)


def test_parameter_layout_is_loc_scale_then_df():
    assert DISTRIBUTION_PARAMETERS == {
        "normal": ("loc", "scale"),
        "student_t": ("loc", "scale", "df"),
        "negative_binomial": ("mean", "dispersion"),
        "log_normal": ("loc", "scale"),
    }


def test_normal_quantiles_match_scipy():
    params = make_params("normal")
    result = distribution_quantiles(params, "normal", LEVELS)
    assert result.shape == (2, 3, len(LEVELS), 2)
    expected = stats.norm.ppf(
        np.reshape(LEVELS, (-1, 1)), loc=params[:, :, :1], scale=params[:, :, 1:2]
    )
    np.testing.assert_allclose(result, expected, rtol=1e-12)


def test_student_t_quantiles_match_scipy_and_increase():
    params = make_params("student_t")
    result = distribution_quantiles(params, "student_t", LEVELS)
    expected = stats.t.ppf(
        np.reshape(LEVELS, (-1, 1)),
        params[:, :, 2:3],
        loc=params[:, :, :1],
        scale=params[:, :, 1:2],
    )
    np.testing.assert_allclose(result, expected, rtol=1e-10)
    assert np.all(np.diff(result, axis=2) > 0)


def test_negative_binomial_quantiles_are_scipy_counts():
    params = make_params("negative_binomial")
    result = distribution_quantiles(params, "negative_binomial", LEVELS)
    size = 1.0 / params[:, :, 1:2]
    expected = stats.nbinom.ppf(
        np.reshape(LEVELS, (-1, 1)), size, size / (size + params[:, :, :1])
    )
    np.testing.assert_array_equal(result, expected)
    assert np.all(result == np.round(result)) and np.all(np.diff(result, axis=2) >= 0)


def test_log_normal_quantiles_match_scipy():
    params = make_params("log_normal")
    result = distribution_quantiles(params, "log_normal", LEVELS)
    expected = stats.lognorm.ppf(
        np.reshape(LEVELS, (-1, 1)), params[:, :, 1:2], scale=np.exp(params[:, :, :1])
    )
    np.testing.assert_allclose(result, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "distribution", ["normal", "student_t", "negative_binomial", "log_normal"]
)
def test_samples_follow_the_distribution_quantiles(distribution):
    params = make_params(distribution, batch=1, horizon=2, targets=1)
    samples = sample_distribution(params, distribution, 40_000, seed=1)
    assert samples.shape == (40_000, 1, 2, 1)
    empirical = np.moveaxis(np.quantile(samples, LEVELS, axis=0), 0, 2)
    exact = distribution_quantiles(params, distribution, LEVELS)
    if distribution == "negative_binomial":  # integer quantiles
        np.testing.assert_allclose(empirical, exact, atol=1.0)
    else:
        np.testing.assert_allclose(empirical, exact, atol=0.06, rtol=0.03)


def test_sampling_is_reproducible_with_a_seed():
    params = make_params("student_t")
    first = sample_distribution(params, "student_t", 5, seed=3)
    np.testing.assert_array_equal(
        first, sample_distribution(params, "student_t", 5, seed=3)
    )
    assert not np.allclose(first, sample_distribution(params, "student_t", 5, seed=4))


def test_crps_of_gaussian_samples_matches_closed_form():
    rng = np.random.default_rng(2)
    params = make_params("normal", batch=50, horizon=2, targets=1)
    loc, scale = params[:, :, 0], params[:, :, 1]
    y = loc + scale * rng.standard_normal(loc.shape)
    z = (y - loc) / scale
    closed = np.mean(
        scale
        * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / np.sqrt(np.pi))
    )
    samples = sample_distribution(params, "normal", 4000, seed=5)
    assert metrics.crps_from_samples(y, samples) == pytest.approx(closed, rel=0.02)


@pytest.mark.parametrize(
    "params, distribution, message",
    [
        (np.ones((2, 3, 3, 1)), "normal", r"2 parameters \['loc', 'scale'\]"),
        (np.ones((2, 3, 2, 1)), "student_t", "3 parameters"),
        (
            np.stack([np.zeros((2, 1)), -np.ones((2, 1))], 1)[:, None],
            "normal",
            "`scale`",
        ),
        (np.ones((2, 3, 2, 1)), "laplace", "must be one of"),
    ],
)
def test_invalid_parameters_are_rejected(params, distribution, message):
    with pytest.raises(ValueError, match=message):
        distribution_quantiles(params, distribution, LEVELS)


def test_num_samples_must_be_a_positive_integer():
    params = make_params("normal")
    with pytest.raises(ValueError, match="num_samples"):
        sample_distribution(params, "normal", 0)
    with pytest.raises(TypeError, match="num_samples"):
        sample_distribution(params, "normal", 2.5)
