"""The seasonal-naive baseline, with quantiles from its training residuals.

Point forecast: the last observed value one season earlier. For horizon
step `h` (1-based) and season `m`, the forecast of `y[t + h]` from origin
`t` is `y[t + h - k m]` with `k = ceil(h / m)` (the same position in the
last season of the lookback).

Quantiles: for each series and each `k`, the empirical quantiles of the
`k`-season residuals `y[s] - y[s - k m]` over the **training period** are
added to the point forecast. The forecast distribution is therefore the
historical error distribution of the same rule, so its quantile loss and
interval coverage are comparable with the model's; levels never cross. A
series with fewer than `MIN_RESIDUALS` training residuals uses the residuals
pooled over all series.

The same training period gives each series' MASE scale: the mean absolute
`m`-season difference `|y[s] - y[s - m]|` of its training values
(`base_attentive.metrics.mase_scale`, the package's one MASE).

A series not seen in training (served by `scaling="window"`) has no
training period. A backtest covers it all the same (`covering`): its
residual quantiles and MASE scale come from its own rows before the
backtest's first origin, by the same rule, so its scores are computed
exactly like a seen series' with its history standing in for the training
period.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from base_attentive.metrics import mase_scale
from base_attentive.quantiles import validate_quantiles

MIN_RESIDUALS = 10


def default_season(step, lookback):
    """Season of the seasonal-naive baseline for a time step.

    A day of sub-daily steps, a week of days, a year of weeks, months or
    quarters; 1 (the naive forecast) when that exceeds the lookback or the
    step is irregular (`None`).

    Args:
        step: the time step (`pandas.Timedelta`) or None.
        lookback: the model's lookback; the baseline repeats the last season
            of it, so the season never exceeds it.

    Returns:
        int >= 1.
    """
    season = 1
    if step is not None and step < pd.Timedelta(days=1):
        season = max(1, round(pd.Timedelta(days=1) / step))
    elif step == pd.Timedelta(days=1):
        season = 7
    elif step == pd.Timedelta(weeks=1):
        season = 52
    elif step is not None and pd.Timedelta(days=28) <= step <= pd.Timedelta(days=31):
        season = 12
    elif step is not None and pd.Timedelta(days=89) <= step <= pd.Timedelta(days=92):
        season = 4
    return season if season <= lookback else 1


class SeasonalNaive:
    """Seasonal-naive quantile forecasts and per-series MASE scales.

    Args:
        season: season length `m` in steps (1: the naive forecast).
        quantiles: the Q levels.
        offsets: `(num_series, K, Q, O)` residual quantiles per series and
            number of seasons back `k = 1..K`.
        mase_scale: `(num_series, O)` training mean absolute seasonal
            difference (NaN when undefined).
        series_ids: the ids, in the order of `ForecastDataset.series_ids`.
    """

    def __init__(self, season, quantiles, offsets, mase_scale, series_ids):
        self.season = int(season)
        self.quantiles = validate_quantiles(quantiles)
        self.offsets = np.asarray(offsets, dtype=np.float64)
        self.mase_scale = np.asarray(mase_scale, dtype=np.float64)
        self.series_ids = list(series_ids)

    @classmethod
    def fit(cls, arrays, train_end, season, quantiles, horizon):
        """Fits on the training rows of a `WindowArrays` (original units).

        Args:
            arrays: the `WindowArrays` of the fitted frame
                (`ForecastDataset.arrays`).
            train_end: exclusive end of the training period
                (`datetime64`), or None for all rows.
            season: season length `m` (<= lookback).
            quantiles: the levels.
            horizon: forecast horizon `H`.

        Returns:
            `SeasonalNaive`.
        """
        seasons_back = math.ceil(horizon / season)
        num_series = len(arrays.series_ids)
        output_dim = arrays.target.shape[1]
        levels = np.asarray(quantiles, dtype=np.float64)
        offsets = np.full((num_series, seasons_back, levels.size, output_dim), np.nan)
        scale = np.full((num_series, output_dim), np.nan)
        pooled = [[] for _ in range(seasons_back)]
        for series in range(num_series):
            rows = slice(arrays.offsets[series], arrays.offsets[series + 1])
            values = arrays.target[rows]
            if train_end is not None:
                values = values[arrays.times[rows] < train_end]
            for k in range(1, seasons_back + 1):
                lag = k * season
                residuals = values[lag:] - values[: max(len(values) - lag, 0)]
                residuals = residuals[np.isfinite(residuals).all(axis=1)]
                pooled[k - 1].append(residuals)
                if len(residuals) >= MIN_RESIDUALS:
                    offsets[series, k - 1] = np.quantile(residuals, levels, axis=0)
            if len(values) > season:
                scale[series] = mase_scale(values[None], season)[0]
        for k in range(seasons_back):
            missing = np.isnan(offsets[:, k]).any(axis=(1, 2))
            if missing.any():
                everything = np.concatenate(pooled[k])
                if not len(everything):
                    raise ValueError(
                        "The seasonal-naive baseline needs training values more "
                        f"than {(k + 1) * season} steps apart; the training "
                        "period is too short. Use more history, a later "
                        "validation / test boundary, or a smaller `season`."
                    )
                offsets[missing, k] = np.quantile(everything, levels, axis=0)
        scale[scale == 0.0] = np.nan
        return cls(season, quantiles, offsets, scale, arrays.series_ids)

    def predict(self, windows):
        """Quantile forecasts of the windows of a `WindowDataset`.

        Returns:
            `(N, H, Q, O)` float64 array, original units.
        """
        arrays = windows.arrays
        steps = np.arange(1, arrays.forecast_horizon + 1)
        seasons_back = np.ceil(steps / self.season).astype(np.int64)
        # The same position in the last season of the lookback, (N, H).
        source = arrays.target_rows(windows.starts) - seasons_back * self.season
        # Missing values (missing="mask") read the last observed one.
        history = arrays.target if arrays.target_input is None else arrays.target_input
        point = history[source]  # (N, H, O)
        series = self.series_index(windows)
        spread = self.offsets[series[:, None], seasons_back - 1]  # (N, H, Q, O)
        return point[:, :, None, :] + spread

    def series_index(self, windows):
        """Position of each window's series in `series_ids`, `(N,)`.

        Raises:
            ValueError: for a series this baseline was not fitted on (see
                `covering`).
        """
        position = {series: index for index, series in enumerate(self.series_ids)}
        lookup = np.array(
            [position.get(series, -1) for series in windows.arrays.series_ids],
            dtype=np.int64,
        )
        index = lookup[windows.window_series]
        if (index < 0).any():
            unseen = windows.window_series[index < 0]
            names = sorted({repr(windows.arrays.series_ids[s]) for s in unseen})
            raise ValueError(
                f"Series {', '.join(names[:5])} have no seasonal-naive baseline: "
                "it was fitted on other series. Use `covering` to extend it."
            )
        return index

    def covering(self, arrays, history_end):
        """This baseline, extended to every series of `arrays`.

        Series seen in training keep their fitted spread and MASE scale.
        Each other series gets them from its own rows before `history_end`
        (the backtest's first origin), fitted by the same rule as `fit`
        (pooled residuals when it has fewer than `MIN_RESIDUALS`; a NaN
        MASE scale when it has no more than one season of history).

        Args:
            arrays: the `WindowArrays` of the backtested frame.
            history_end: exclusive end (`datetime64`) of the history that
                fits the unseen series.

        Returns:
            `self` when every series was seen in training, else a new
            `SeasonalNaive` over `arrays.series_ids`.
        """
        fitted = np.asarray(arrays.scaler_index)
        unseen = fitted < 0
        if not unseen.any():
            return self
        own = SeasonalNaive.fit(
            arrays,
            history_end,
            self.season,
            self.quantiles,
            self.offsets.shape[1] * self.season,
        )
        known = np.maximum(fitted, 0)
        offsets = np.where(
            unseen[:, None, None, None], own.offsets, self.offsets[known]
        )
        scale = np.where(unseen[:, None], own.mase_scale, self.mase_scale[known])
        return SeasonalNaive(
            self.season, self.quantiles, offsets, scale, arrays.series_ids
        )

    def to_dict(self):
        """JSON-ready state (NaN written as None)."""
        return {
            "season": self.season,
            "quantiles": self.quantiles,
            "series_ids": self.series_ids,
            "offsets": self.offsets.tolist(),
            "mase_scale": np.where(
                np.isnan(self.mase_scale), None, self.mase_scale
            ).tolist(),
        }

    @classmethod
    def from_dict(cls, state):
        """Rebuilds from `to_dict()` output."""
        scale = np.array(state["mase_scale"], dtype=object)
        scale = np.where(scale == None, np.nan, scale).astype(np.float64)  # noqa: E711
        return cls(
            state["season"],
            state["quantiles"],
            state["offsets"],
            scale,
            state["series_ids"],
        )
