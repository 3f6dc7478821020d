"""Keras losses: agreement with NumPy metrics and SciPy, serialization, fit."""

import inspect
import json

import keras
import numpy as np
import pytest
from keras import ops
from scipy import stats

from base_attentive import losses, metrics

QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9]
BATCH, HORIZON, TARGETS = 4, 3, 2
SHAPE = (BATCH, HORIZON, TARGETS)


def evaluate_loss(loss, y_true, y_pred, **kwargs):
    return ops.convert_to_numpy(loss(y_true, y_pred, **kwargs)).astype(np.float64)


def random_quantiles(seed=0, levels=QUANTILES):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=SHAPE).astype("float32")
    forecast = np.sort(rng.normal(size=(BATCH, HORIZON, len(levels), TARGETS)), axis=2)
    return y, forecast.astype("float32")


def gaussian_params(loc, scale):
    return np.stack([loc, scale], axis=2).astype("float32")


def all_losses():
    return [
        losses.PinballLoss(QUANTILES),
        losses.QuantileCRPS(QUANTILES),
        losses.GaussianNLL(),
        losses.StudentTNLL(),
        losses.GaussianCRPS(),
        losses.NegativeBinomialNLL(),
        losses.LogNormalNLL(),
    ]


# --------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------
def test_pinball_loss_equals_numpy_mean_quantile_loss():
    y, forecast = random_quantiles()
    expected = metrics.mean_quantile_loss(y, forecast, QUANTILES)
    loss = losses.PinballLoss(QUANTILES)
    assert evaluate_loss(loss, y, forecast) == pytest.approx(expected, rel=1e-5)
    # y_true with an explicit length-1 quantile axis gives the same number
    assert evaluate_loss(loss, y[:, :, None], forecast) == pytest.approx(
        expected, rel=1e-5
    )


def test_pinball_loss_hand_computed_case():
    y = np.ones((1, 1, 1), "float32")
    forecast = np.array([0.0, 1.0, 3.0], "float32").reshape(1, 1, 3, 1)
    loss = losses.PinballLoss([0.1, 0.5, 0.9])
    # (0.1 * 1 + 0 + 0.1 * 2) / 3
    assert evaluate_loss(loss, y, forecast) == pytest.approx(0.1, rel=1e-6)


def test_quantile_crps_is_twice_the_mean_pinball_not_summed_over_levels():
    y, forecast = random_quantiles(seed=1)
    crps = evaluate_loss(losses.QuantileCRPS(QUANTILES), y, forecast)
    assert crps == pytest.approx(
        metrics.crps_from_quantiles(y, forecast, QUANTILES), rel=1e-5
    )
    assert crps == pytest.approx(
        2 * evaluate_loss(losses.PinballLoss(QUANTILES), y, forecast), rel=1e-6
    )


def test_quantile_crps_with_dense_levels_matches_gaussian_crps():
    # y ~ N(0, 1) scored against the forecast N(0, 1); CRPS -> 1/sqrt(pi).
    rng = np.random.default_rng(3)
    n, levels = 1000, (np.arange(1, 100) - 0.5) / 99
    y = rng.standard_normal((n, 1, 1)).astype("float32")
    forecast = np.broadcast_to(
        stats.norm.ppf(levels)[:, None], (n, 1, levels.size, 1)
    ).astype("float32")
    quantile_crps = evaluate_loss(losses.QuantileCRPS(levels), y, forecast)
    params = gaussian_params(np.zeros_like(y), np.ones_like(y))
    closed_form = evaluate_loss(losses.GaussianCRPS(), y, params)
    assert quantile_crps == pytest.approx(closed_form, rel=2e-3)
    samples = rng.standard_normal((1000, n, 1, 1))
    from_samples = metrics.crps_from_samples(y, samples)
    assert quantile_crps == pytest.approx(from_samples, rel=0.01)
    assert closed_form == pytest.approx(1 / np.sqrt(np.pi), rel=0.05)


def test_gaussian_crps_matches_numpy_closed_form():
    rng = np.random.default_rng(4)
    y = rng.normal(size=SHAPE)
    loc, scale = rng.normal(size=SHAPE), rng.uniform(0.2, 3.0, size=SHAPE)
    z = (y - loc) / scale
    expected = np.mean(
        scale
        * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / np.sqrt(np.pi))
    )
    result = evaluate_loss(
        losses.GaussianCRPS(), y.astype("float32"), gaussian_params(loc, scale)
    )
    assert result == pytest.approx(expected, rel=1e-5)


def test_gaussian_nll_matches_scipy_log_density():
    rng = np.random.default_rng(5)
    y = rng.normal(size=SHAPE)
    loc, scale = rng.normal(size=SHAPE), rng.uniform(0.2, 3.0, size=SHAPE)
    expected = -np.mean(stats.norm.logpdf(y, loc, scale))
    result = evaluate_loss(
        losses.GaussianNLL(), y.astype("float32"), gaussian_params(loc, scale)
    )
    assert result == pytest.approx(expected, rel=1e-5)


def student_t_case(dtype):
    rng = np.random.default_rng(6)
    y = rng.standard_t(4.0, size=SHAPE) * 3.0
    loc, scale = rng.normal(size=SHAPE), rng.uniform(0.2, 3.0, size=SHAPE)
    df = np.array([2.05, 2.5, 3.0, 10.0, 200.0, 5000.0]).reshape(1, HORIZON, TARGETS)
    df = np.broadcast_to(df, SHAPE)
    expected = -stats.t.logpdf(y, df, loc, scale).mean(axis=(1, 2))
    params = np.stack([loc, scale, df], axis=2).astype(dtype)
    return y.astype(dtype), params, expected


def test_student_t_nll_matches_scipy_log_density_float32():
    y, params, expected = student_t_case("float32")
    loss = losses.StudentTNLL(reduction=None)
    np.testing.assert_allclose(evaluate_loss(loss, y, params), expected, rtol=2e-6)


def test_student_t_nll_is_accurate_in_float64():
    y, params, expected = student_t_case("float64")
    result = losses.StudentTNLL(reduction=None, dtype="float64")(y, params)
    if keras.backend.standardize_dtype(result.dtype) != "float64":
        pytest.skip("this backend computes float64 as float32 (JAX without x64)")
    np.testing.assert_allclose(ops.convert_to_numpy(result), expected, rtol=1e-10)


def test_negative_binomial_nll_matches_scipy_log_pmf():
    rng = np.random.default_rng(11)
    mean = rng.uniform(0.05, 80.0, SHAPE)
    dispersion = rng.uniform(1e-3, 2.0, SHAPE)
    y = rng.poisson(mean).astype("float32")
    params = np.stack([mean, dispersion], axis=2).astype("float32")
    size = 1.0 / dispersion
    expected = -stats.nbinom.logpmf(y, size, size / (size + mean)).mean(axis=(1, 2))
    result = evaluate_loss(losses.NegativeBinomialNLL(reduction=None), y, params)
    np.testing.assert_allclose(result, expected, rtol=2e-5, atol=1e-4)


def test_negative_binomial_nll_stays_accurate_near_the_poisson_limit():
    # dispersion 1e-4 (size 1e4): log-gamma values near 8e4 must not cancel.
    y = np.full((1, 1, 1), 12.0, "float32")
    params = np.array([10.0, 1e-4], "float32").reshape(1, 1, 2, 1)
    result = evaluate_loss(losses.NegativeBinomialNLL(reduction=None), y, params)
    expected = -stats.nbinom.logpmf(12.0, 1e4, 1e4 / (1e4 + 10.0))
    assert result[0] == pytest.approx(expected, abs=1e-4)


def test_log_normal_nll_matches_scipy_log_density():
    rng = np.random.default_rng(12)
    loc, scale = rng.normal(size=SHAPE), rng.uniform(0.2, 2.0, SHAPE)
    y = np.exp(loc + scale * rng.normal(size=SHAPE)).astype("float32")
    params = np.stack([loc, scale], axis=2).astype("float32")
    expected = -stats.lognorm.logpdf(y, scale, scale=np.exp(loc)).mean(axis=(1, 2))
    result = evaluate_loss(losses.LogNormalNLL(reduction=None), y, params)
    np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("loss", all_losses(), ids=lambda loss: type(loss).__name__)
def test_missing_targets_get_zero_loss_weight(loss):
    rng = np.random.default_rng(13)
    y = rng.uniform(0.5, 5.0, SHAPE).astype("float32")
    if isinstance(loss, losses.PinballLoss):
        y_pred = np.sort(rng.normal(size=(BATCH, HORIZON, len(QUANTILES), TARGETS)), 2)
    else:
        count = 3 if isinstance(loss, losses.StudentTNLL) else 2
        y_pred = rng.uniform(0.5, 3.0, (BATCH, HORIZON, count, TARGETS))
    y_pred = y_pred.astype("float32")
    per_entry = type(loss).from_config({**loss.get_config(), "reduction": None})
    missing = y.copy()
    missing[0, 1, 0] = missing[2, :, 1] = np.nan
    masked = evaluate_loss(per_entry, missing, y_pred)
    assert np.isfinite(masked).all()
    # Each missing entry adds 0: the same as replacing it by a target whose
    # loss is 0 is not possible in general, so compare per-entry sums.
    full = evaluate_loss(per_entry, y, y_pred)
    entries = HORIZON * TARGETS
    for window in range(BATCH):
        keep = np.isfinite(missing[window])
        single = [
            evaluate_loss(
                per_entry,
                np.where(
                    np.arange(entries).reshape(HORIZON, TARGETS) == i, y[window], np.nan
                )[None],
                y_pred[window : window + 1],
            )[0]
            for i in range(entries)
        ]
        assert full[window] == pytest.approx(sum(single), rel=1e-4)
        assert masked[window] == pytest.approx(
            sum(v for v, k in zip(single, keep.ravel(), strict=True) if k), rel=1e-4
        )


def test_a_training_step_on_missing_targets_keeps_weights_finite():
    inputs = keras.Input((4,))
    dense = keras.layers.Dense(HORIZON * 2 * TARGETS, activation="softplus")
    outputs = keras.layers.Reshape((HORIZON, 2, TARGETS))(dense(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=losses.GaussianNLL())
    rng = np.random.default_rng(14)
    y = rng.normal(size=(8, HORIZON, TARGETS)).astype("float32")
    y[:, 0] = np.nan  # the first step is missing in every window
    value = model.train_on_batch(rng.normal(size=(8, 4)).astype("float32"), y)
    assert np.isfinite(value)
    assert all(np.isfinite(ops.convert_to_numpy(w)).all() for w in model.weights)


def test_losses_return_one_value_per_window_and_honour_sample_weight():
    y, forecast = random_quantiles(seed=7)
    per_window = evaluate_loss(
        losses.PinballLoss(QUANTILES, reduction=None), y, forecast
    )
    assert per_window.shape == (BATCH,)
    weights = np.array([1.0, 0.0, 0.0, 0.0], "float32")
    weighted = evaluate_loss(
        losses.PinballLoss(QUANTILES), y, forecast, sample_weight=weights
    )
    assert weighted == pytest.approx(per_window[0] / BATCH, rel=1e-5)


def test_mismatched_quantile_axis_is_rejected():
    y, forecast = random_quantiles()
    with pytest.raises(
        ValueError, match=r"5 quantile levels on axis -2.*\(4, 3, 4, 2\)"
    ):
        losses.PinballLoss(QUANTILES)(y, forecast[:, :, :4])
    with pytest.raises(ValueError, match=r"2 parameters \['loc', 'scale'\]"):
        losses.GaussianNLL()(y, forecast[:, :, :3])
    with pytest.raises(ValueError, match="strictly increasing"):
        losses.PinballLoss([0.9, 0.1])


# --------------------------------------------------------------------------
# serialization and defaults
# --------------------------------------------------------------------------
@pytest.mark.parametrize("loss", all_losses(), ids=lambda loss: type(loss).__name__)
def test_config_round_trip_preserves_arguments_and_values(loss):
    config = loss.get_config()
    json.dumps(config)
    signature = inspect.signature(type(loss).__init__).parameters
    assert set(config) == set(signature) - {"self"}
    rebuilt = type(loss).from_config(config)
    assert rebuilt.get_config() == config
    revived = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(loss)
    )
    assert type(revived) is type(loss) and revived.get_config() == config
    if isinstance(loss, losses.PinballLoss):
        y, y_pred = random_quantiles()
    else:
        rng = np.random.default_rng(8)
        y = rng.normal(size=SHAPE).astype("float32")
        count = 3 if isinstance(loss, losses.StudentTNLL) else 2
        y_pred = rng.uniform(0.5, 3.0, size=(BATCH, HORIZON, count, TARGETS)).astype(
            "float32"
        )
    assert evaluate_loss(revived, y, y_pred) == pytest.approx(
        evaluate_loss(loss, y, y_pred), rel=1e-6
    )


def test_dtype_argument_survives_the_round_trip():
    config = losses.GaussianNLL(dtype="float64").get_config()
    assert config["dtype"] == "float64"
    assert losses.GaussianNLL.from_config(config).dtype == "float64"


def test_point_loss_is_the_mean_squared_error_per_window():
    y = np.zeros((2, 3, 1), dtype="float32")
    p = np.stack([np.ones((3, 1)), 3.0 * np.ones((3, 1))]).astype("float32")
    per_window = keras.ops.convert_to_numpy(losses.mean_squared_error(y, p))
    np.testing.assert_allclose(per_window, [1.0, 9.0])
    # One weight per window (the padding of data-parallel evaluation) applies.
    weighted = losses.MeanSquaredError()(y, p, sample_weight=np.array([1.0, 0.0]))
    assert float(weighted) == pytest.approx(0.5)


def test_default_loss_follows_the_head():
    assert isinstance(losses.get_default_loss(quantiles=QUANTILES), losses.PinballLoss)
    assert losses.get_default_loss(quantiles=QUANTILES).quantiles == QUANTILES
    assert isinstance(
        losses.get_default_loss(distribution="normal"), losses.GaussianNLL
    )
    assert isinstance(
        losses.get_default_loss(distribution="student_t"), losses.StudentTNLL
    )
    assert isinstance(
        losses.get_default_loss(distribution="negative_binomial"),
        losses.NegativeBinomialNLL,
    )
    assert isinstance(
        losses.get_default_loss(distribution="log_normal"), losses.LogNormalNLL
    )
    assert isinstance(losses.get_default_loss(), losses.MeanSquaredError)
    with pytest.raises(ValueError, match="mutually exclusive"):
        losses.get_default_loss(quantiles=QUANTILES, distribution="normal")
    with pytest.raises(ValueError, match="must be one of"):
        losses.get_default_loss(distribution="gamma")


# --------------------------------------------------------------------------
# training
# --------------------------------------------------------------------------
def test_every_loss_trains_a_tiny_model_in_one_compiled_step():
    # One head per loss in a single model: one compile, one training step.
    compile_losses = [*all_losses(), losses.get_default_loss()]
    inputs = keras.Input((4,))
    outputs = []
    for loss in compile_losses:
        if isinstance(loss, losses.PinballLoss):
            width, activation = len(QUANTILES), None
        elif isinstance(loss, losses.MeanSquaredError):
            width, activation = None, None
        else:
            width = 3 if isinstance(loss, losses.StudentTNLL) else 2
            activation = "softplus"  # positive scale and df
        shape = (HORIZON, TARGETS) if width is None else (HORIZON, width, TARGETS)
        dense = keras.layers.Dense(int(np.prod(shape)), activation=activation)
        outputs.append(keras.layers.Reshape(shape)(dense(inputs)))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=compile_losses)
    rng = np.random.default_rng(9)
    x = rng.normal(size=(8, 4)).astype("float32")
    y = rng.normal(size=(8, HORIZON, TARGETS)).astype("float32")
    heads = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    before = [ops.convert_to_numpy(head.kernel) for head in heads]
    values = model.train_on_batch(x, [y] * len(compile_losses))
    assert len(values) == len(compile_losses) + 1  # total, then one per loss
    assert np.all(np.isfinite(values))
    for head, kernel in zip(heads, before, strict=True):
        assert not np.allclose(ops.convert_to_numpy(head.kernel), kernel), head.name


def test_point_loss_gives_missing_targets_zero_weight():
    y_pred = np.zeros((2, 3, 1), "float32")
    y_true = np.ones((2, 3, 1), "float32")
    y_true[0, 1, 0] = np.nan
    loss = keras.ops.convert_to_numpy(losses.mean_squared_error(y_true, y_pred))
    # Each window's mean over its 3 steps; the missing step adds 0.
    np.testing.assert_allclose(loss, [2 / 3, 1.0], rtol=1e-6)
