"""`evaluation.score`: the metrics table, with missing actuals left out."""

import warnings

import numpy as np
import pytest

from base_attentive import evaluation, metrics

QUANTILES = [0.1, 0.5, 0.9]


def _forecast(seed=0, windows=12, horizon=3, targets=2):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(windows, horizon, targets))
    forecast = np.sort(rng.normal(size=(windows, horizon, 3, targets)), axis=2)
    series = rng.integers(0, 3, windows)
    scale = rng.uniform(0.5, 2.0, (3, targets))
    return y, forecast, series, scale


def test_score_reports_interval_scores_next_to_coverage():
    y, forecast, series, scale = _forecast()
    table = evaluation.score(y, forecast, QUANTILES, series=series, scale=scale)
    overall = table.iloc[0]
    lower, upper = forecast[:, :, 0], forecast[:, :, 2]
    assert overall["winkler@80%"] == pytest.approx(
        metrics.winkler_score(y, lower, upper, 0.2)
    )
    assert overall["msis@80%"] == pytest.approx(
        metrics.msis(y, lower, upper, 0.2, scale=scale, series=series)
    )
    assert list(table["horizon_step"]) == ["all", 1, 2, 3]


def test_score_leaves_missing_actuals_out_of_every_metric():
    y, forecast, series, scale = _forecast()
    y[0, 0, 0] = y[5, 2, 1] = np.nan
    table = evaluation.score(y, forecast, QUANTILES, series=series, scale=scale)
    overall = table.iloc[0]
    observed = np.isfinite(y)
    median = forecast[:, :, 1]
    assert overall["mae"] == pytest.approx(np.abs(y - median)[observed].mean())
    lower, upper = forecast[:, :, 0][observed], forecast[:, :, 2][observed]
    inside = (y[observed] >= lower) & (y[observed] <= upper)
    assert overall["coverage@80%"] == pytest.approx(inside.mean())
    # MASE: per (series, target), the mean scaled error of its observed entries.
    errors = np.abs(y - median) / scale[series][:, None, :]
    window, _, target = np.nonzero(observed)
    keys = series[window] * 2 + target
    per_key = [errors[observed][keys == key].mean() for key in np.unique(keys)]
    assert overall["mase"] == pytest.approx(np.mean(per_key))
    assert np.isfinite(table.drop(columns="horizon_step").to_numpy(float)).all()


def test_score_of_fully_observed_actuals_is_unchanged_by_the_missing_path():
    y, forecast, series, scale = _forecast(seed=1)
    full = evaluation.score(y, forecast, QUANTILES, series=series, scale=scale)
    padded_y = np.concatenate([y, np.full((1,) + y.shape[1:], np.nan)])
    padded_f = np.concatenate([forecast, forecast[:1]])
    padded = evaluation.score(
        padded_y, padded_f, QUANTILES, series=np.append(series, 0), scale=scale
    )
    columns = [c for c in full.columns if c != "horizon_step"]
    np.testing.assert_allclose(
        padded[columns].to_numpy(float), full[columns].to_numpy(float), rtol=1e-12
    )


def test_score_without_any_observed_actual_raises():
    y, forecast, _, _ = _forecast()
    with pytest.raises(ValueError, match="No actual value is observed"):
        evaluation.score(np.full_like(y, np.nan), forecast, QUANTILES)


def test_score_warns_about_series_without_a_mase_scale():
    y, forecast, series, scale = _forecast()
    scale[series[0]] = np.nan
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = evaluation.score(y, forecast, QUANTILES, series=series, scale=scale)
    assert any("leave out 1 of" in str(w.message) for w in caught)
    assert table["mase_series"].iloc[0] == len(np.unique(series)) - 1
