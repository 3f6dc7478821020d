import numpy as np
import pytest

from base_attentive.data import SeriesScaler


@pytest.fixture
def grouped():
    rng = np.random.default_rng(0)
    groups = np.repeat([0, 1, 2], 50)
    values = rng.normal(size=(150, 2)) * np.array([1.0, 5.0]) + groups[:, None] * 100
    return values, groups


@pytest.mark.parametrize("method", ["standard", "robust", "none"])
def test_inverse_is_exact_for_any_trailing_quantile_axis(grouped, method):
    values, groups = grouped
    scaler = SeriesScaler(method).fit(values, groups, num_groups=3)
    np.testing.assert_allclose(
        scaler.inverse_transform(scaler.transform(values, groups), groups),
        values,
        rtol=0,
        atol=1e-12,
    )
    window_groups = np.array([2, 0, 1, 1])
    forecasts = np.random.default_rng(1).normal(size=(4, 6, 3, 2))  # (B, H, Q, O)
    restored = scaler.inverse_transform(forecasts, window_groups)
    expected = (
        forecasts * scaler.scale[window_groups][:, None, None, :]
        + scaler.loc[window_groups][:, None, None, :]
    )
    np.testing.assert_array_equal(restored, expected)
    np.testing.assert_allclose(
        scaler.transform(restored, window_groups), forecasts, atol=1e-12
    )


def test_standard_scaling_is_per_group(grouped):
    values, groups = grouped
    scaled = SeriesScaler("standard").fit(values, groups, 3).transform(values, groups)
    for group in range(3):
        np.testing.assert_allclose(scaled[groups == group].mean(axis=0), 0, atol=1e-12)
        np.testing.assert_allclose(scaled[groups == group].std(axis=0), 1, atol=1e-12)


def test_robust_scaling_uses_median_and_iqr(grouped):
    values, groups = grouped
    scaler = SeriesScaler("robust").fit(values, groups, 3)
    rows = values[groups == 1]
    np.testing.assert_allclose(scaler.loc[1], np.median(rows, axis=0))
    q25, q75 = np.percentile(rows, [25, 75], axis=0)
    np.testing.assert_allclose(scaler.scale[1], q75 - q25)


def test_constant_series_are_centred_not_divided_by_zero():
    values = np.array([[3.0], [3.0], [3.0]])
    scaler = SeriesScaler("robust").fit(values, np.zeros(3, dtype=int), 1)
    assert scaler.scale.tolist() == [[1.0]]
    assert scaler.transform(values, np.zeros(3, dtype=int)).ravel().tolist() == [
        0,
        0,
        0,
    ]


@pytest.mark.parametrize("method", ["standard", "robust"])
def test_a_constant_series_with_round_off_spread_is_only_centred(method):
    # 0.1 summed per group leaves a standard deviation of 1.4e-17, not 0: a
    # scale that small would turn a later 0.11 into 7e14.
    values = np.array([[5.0], [6.0], [7.0]] + [[0.1]] * 9)
    groups = np.array([0] * 3 + [1] * 9)
    scaler = SeriesScaler(method).fit(values, groups, num_groups=2)
    assert scaler.scale[1].tolist() == [1.0]
    later = scaler.transform(np.array([[0.11]]), np.array([1]))
    np.testing.assert_allclose(later, [[0.01]], atol=1e-12)


def test_every_group_needs_rows():
    with pytest.raises(ValueError, match=r"Groups without rows: \[1\]"):
        SeriesScaler().fit(np.ones((3, 1)), np.array([0, 0, 2]), num_groups=3)


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="method='minmax'"):
        SeriesScaler("minmax")


def test_dict_round_trip_is_exact(grouped):
    values, groups = grouped
    scaler = SeriesScaler("standard").fit(values, groups, 3)
    restored = SeriesScaler.from_dict(scaler.to_dict())
    np.testing.assert_array_equal(restored.loc, scaler.loc)
    np.testing.assert_array_equal(restored.scale, scaler.scale)


def test_shape_mismatch_names_the_expected_shape(grouped):
    values, groups = grouped
    scaler = SeriesScaler().fit(values, groups, 3)
    with pytest.raises(ValueError, match="C = 2"):
        scaler.inverse_transform(np.zeros((2, 4, 3)), np.array([0, 1]))
