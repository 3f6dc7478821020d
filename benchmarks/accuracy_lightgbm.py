"""The LightGBM global peer of `benchmarks/accuracy.py`.

One gradient-boosted model per quantile level over every series and every
horizon step (a *direct* model with the horizon step as a feature), built
from the same windows as base-attentive (`WindowArrays` of the fitted
`ForecastDataset`, so the same lookback, origins and split):

- the target and every lag are divided by the series' mean over the last
  `LEVEL_DAYS` steps before the origin (the forecast is multiplied back), so
  one model serves stations of any size and follows level shifts;
- lags of the target up to the lookback (`y[t]`, `y[t-1]`, ...,
  `y[t-T+1]`), rolling mean / standard deviation / min / max over the last
  1, 2, 4 and 8 seasons;
- the last values at the target's seasonal phase (`y[t+h-m k]`, the four
  latest), and the mean over the lookback at that phase;
- optionally the value one year (52 seasons) before the target step
  (`yearly_lag=True`; NaN where the series is too short);
- known-future covariates and calendar features **at the target step**
  (sports schedules, day of week, day of year, month, holiday flag), the day
  of week and distances to the previous and next holiday as integers;
- past-observed covariates only from the origin (the table's `past`
  columns: on bikes the weather of the last observed day and its mean over
  the last season; the Chicago default run has none since round 8 of
  docs/accuracy.md, so LightGBM reads no weather there either);
- the series id as a LightGBM categorical feature.

Quantiles come from LightGBM's quantile objective, one model per level,
trained with early stopping on the validation windows; the intervals are
then recalibrated on the validation windows with the same split-conformal
calibrator as the CLI (`ConformalQuantileCalibrator`, per horizon step, in
the level-normalised units). The hyper-parameters are chosen among a small
grid by the median model's validation loss (the other levels reuse them):
the test period is never looked at before scoring.
"""

from __future__ import annotations

import time

import numpy as np

LEVEL_STEPS = 28  # the normalising level: mean over the last 28 steps
SAME_PHASE_LAGS = 4
YEAR_SEASONS = 52

# Candidates for `--lightgbm-grid full`; the default run fits the first
# (its number of rounds is still chosen on validation, by early stopping).
GRID = (
    {"num_leaves": 63, "min_data_in_leaf": 100, "learning_rate": 0.1},
    {"num_leaves": 255, "min_data_in_leaf": 50, "learning_rate": 0.1},
    {"num_leaves": 31, "min_data_in_leaf": 200, "learning_rate": 0.1},
)
BASE_PARAMS = {
    "objective": "quantile",
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "max_bin": 63,
    "verbose": -1,
    "seed": 0,
}
MAX_ROUNDS = 800
EARLY_STOPPING = 30
# Training windows overlap heavily (consecutive origins share all but one
# lag): every third origin keeps the information at a third of the cost.
TRAIN_STRIDE = 3


def _lightgbm():
    try:
        import lightgbm
    except ImportError as error:
        raise ImportError(
            "The LightGBM peer needs lightgbm: `pip install "
            '"base-attentive[bench]"` (or `pip install lightgbm`).'
        ) from error
    return lightgbm


def _holiday_distances(holiday, offsets, cap):
    """Steps since the last and until the next holiday row, per row, capped
    at `cap` and computed within each series."""
    since = np.full(len(holiday), cap, dtype=np.float32)
    until = np.full(len(holiday), cap, dtype=np.float32)
    for series in range(len(offsets) - 1):
        rows = np.arange(offsets[series], offsets[series + 1])
        flags = holiday[rows] > 0.5
        last = -(10**9)
        for position, flag in enumerate(flags):
            if flag:
                last = position
            since[rows[position]] = min(position - last, cap)
        following = 10**9
        for position in range(len(flags) - 1, -1, -1):
            if flags[position]:
                following = position
            until[rows[position]] = min(following - position, cap)
    return since, until


class LightGBMFeatures:
    """Feature rows of (window, horizon step) pairs, and the normalising level.

    Args:
        arrays: the `WindowArrays` of the fitted frame.
        future_names: names of the columns of `arrays.future_rows` (from
            `ForecastDataset.feature_names()["future"]`).
        season: season length `m` in steps.
        yearly_lag: add `y[t+h-52m]`.
    """

    def __init__(self, arrays, future_names, season, yearly_lag=False):
        self.arrays = arrays
        self.season = int(season)
        self.yearly_lag = bool(yearly_lag)
        # Seasonal-lag inputs of the model are not stored columns (the GBM
        # builds its own same-phase lags); keep the stored ones.
        self.future = arrays.future_rows(slice(None))  # calendar included
        self.future_names = list(future_names)[: self.future.shape[1]]
        self.times = np.asarray(arrays.times).astype("datetime64[D]")
        self.day_of_week = ((self.times.astype(np.int64) + 3) % 7).astype(np.float32)
        self.day_of_year = (self.times - self.times.astype("datetime64[Y]")).astype(
            np.float32
        )
        self.row_series = np.repeat(
            np.arange(len(arrays.offsets) - 1), np.diff(arrays.offsets)
        )
        if "holiday" in self.future_names:
            holiday = self.future[:, self.future_names.index("holiday")]
            self.holiday_since, self.holiday_until = _holiday_distances(
                holiday, arrays.offsets, cap=8
            )
        else:
            self.holiday_since = self.holiday_until = None

    def names(self):
        lookback = self.arrays.lookback
        names = ["series", "horizon_step", "log_level"]
        names += [f"lag_{k}" for k in range(lookback)]
        for steps in self._rolling_windows():
            names += [f"roll{steps}_{s}" for s in ("mean", "std", "min", "max")]
        names += [f"past_{i}" for i in range(self.arrays.dynamic.shape[1] - 1)]
        names += [f"past_mean_{i}" for i in range(self.arrays.dynamic.shape[1] - 1)]
        names += [f"phase_lag_{j}" for j in range(SAME_PHASE_LAGS)]
        names += ["phase_mean"]
        if self.yearly_lag:
            names += ["year_lag"]
        names += [f"future_{name}" for name in self.future_names]
        names += ["day_of_week", "day_of_year"]
        if self.holiday_since is not None:
            names += ["holiday_since", "holiday_until"]
        return names

    def _rolling_windows(self):
        return [
            self.season * k
            for k in (1, 2, 4, 8)
            if self.season * k <= self.arrays.lookback
        ]

    def build(self, starts, window_series):
        """Features `(N * H, F)` float32, level `(N,)`, target rows `(N, H)`.

        Rows are window-major (all horizon steps of window 0 first).
        """
        arrays = self.arrays
        lookback, horizon = arrays.lookback, arrays.forecast_horizon
        output_dim = arrays.target.shape[1]
        if output_dim != 1:
            raise ValueError(
                f"The LightGBM peer forecasts one target; got {output_dim}"
            )
        y = arrays.target[:, 0]
        origin = starts + lookback - 1
        lags = y[origin[:, None] - np.arange(lookback)]  # (N, T), lag 0 first
        level = lags[:, : min(LEVEL_STEPS, lookback)].mean(axis=1)
        fallback = np.maximum(lags.mean(axis=1), 1e-3)
        level = np.where(level > 1e-3, level, fallback)
        scaled = lags / level[:, None]
        num = len(starts)
        per_window = [
            window_series[:, None].astype(np.float32),
            np.log(level)[:, None],
            scaled,
        ]
        for steps in self._rolling_windows():
            part = scaled[:, :steps]
            per_window += [
                part.mean(axis=1, keepdims=True),
                part.std(axis=1, keepdims=True),
                part.min(axis=1, keepdims=True),
                part.max(axis=1, keepdims=True),
            ]
        past = arrays.dynamic[:, output_dim:]
        per_window.append(past[origin])
        recent = origin[:, None] - np.arange(self.season)
        per_window.append(past[recent].mean(axis=1))
        per_window = np.concatenate(per_window, axis=1).astype(np.float32)
        steps = np.arange(1, horizon + 1)
        target_rows = origin[:, None] + steps  # (N, H)
        back = np.ceil(steps / self.season).astype(np.int64) * self.season
        phase = [
            y[target_rows - back - self.season * j] / level[:, None]
            for j in range(SAME_PHASE_LAGS)
        ]
        in_lookback = (lookback - back) // self.season  # same-phase values seen
        phase_all = np.stack(
            [
                y[target_rows - back - self.season * j] / level[:, None]
                for j in range(max(int(in_lookback.max()), 1))
            ],
            axis=-1,
        )
        count = np.arange(phase_all.shape[-1]) < np.maximum(in_lookback, 1)[:, None]
        phase_mean = (phase_all * count).sum(-1) / count.sum(-1)
        per_step = [np.stack(phase, axis=-1), phase_mean[..., None]]
        if self.yearly_lag:
            year_rows = target_rows - YEAR_SEASONS * self.season
            first_row = arrays.offsets[window_series][:, None]
            valid = year_rows >= first_row
            year = np.where(valid, y[np.maximum(year_rows, 0)], np.nan)
            per_step.append((year / level[:, None])[..., None])
        per_step += [
            self.future[target_rows],
            self.day_of_week[target_rows][..., None],
            self.day_of_year[target_rows][..., None],
        ]
        if self.holiday_since is not None:
            per_step += [
                self.holiday_since[target_rows][..., None],
                self.holiday_until[target_rows][..., None],
            ]
        per_step = np.concatenate(per_step, axis=-1).astype(np.float32)
        features = np.concatenate(
            [
                np.repeat(per_window[:, :1], horizon, axis=0),
                np.tile(steps, num)[:, None].astype(np.float32),
                np.repeat(per_window[:, 1:], horizon, axis=0),
                per_step.reshape(num * horizon, -1),
            ],
            axis=1,
        )
        return features, level, target_rows


def _quantile_loss(y, forecast, levels):
    """Mean pinball loss, `forecast` `(..., Q)`."""
    levels = np.asarray(levels)
    error = y[..., None] - forecast
    return float(np.mean(np.maximum(levels * error, (levels - 1) * error)))


class LightGBMPeer:
    """LightGBM global quantile model with conformal intervals.

    Args:
        quantiles: the levels (including 0.5).
        season: the season length.
        yearly_lag: whether the features include the value a year before.
        grid: hyper-parameter candidates (chosen on validation).
        threads: LightGBM threads.
    """

    def __init__(self, quantiles, season, yearly_lag=False, grid=GRID[:1], threads=1):
        self.quantiles = [float(q) for q in quantiles]
        self.season = season
        self.yearly_lag = yearly_lag
        self.grid = list(grid)
        self.threads = threads
        self.chosen = None
        self.calibrator = None
        self.log = []

    def fit(self, dataset, train, validation):
        """Builds features, picks hyper-parameters on validation, fits the
        final models and the conformal calibrator."""
        lgb = _lightgbm()
        from base_attentive.calibration import ConformalQuantileCalibrator

        self.future_names = dataset.feature_names()["future"]
        self.features = self._features(dataset.arrays)
        x_train, y_train, _ = self._xy(train, stride=TRAIN_STRIDE)
        x_val, y_val, _ = self._xy(validation)
        names = self.features.names()
        horizon = dataset.spec.forecast_horizon
        train_set = lgb.Dataset(
            x_train, y_train, feature_name=names, categorical_feature=["series"],
            free_raw_data=False, params={"feature_pre_filter": False, "max_bin": 63},
        )  # fmt: skip
        val_set = lgb.Dataset(x_val, y_val, reference=train_set)
        # Hyper-parameters: chosen by the median model's validation loss,
        # then the other levels are fitted with the chosen ones.
        middle = self.quantiles.index(0.5)
        best = None
        for candidate in self.grid:
            started = time.perf_counter()
            model = self._train(lgb, candidate, 0.5, train_set, val_set)
            loss = _quantile_loss(y_val, model.predict(x_val)[:, None], [0.5])
            self.log.append(
                {
                    **candidate,
                    "rounds": model.best_iteration,
                    "validation_median_loss": loss,
                    "seconds": time.perf_counter() - started,
                }
            )
            print("  LightGBM", default_rounds_note(self.log[-1:])[0], flush=True)
            if best is None or loss < best[0]:
                best = (loss, candidate, model)
        _, self.chosen, median_model = best
        self.models = [
            median_model
            if index == middle
            else self._train(lgb, self.chosen, q, train_set, val_set)
            for index, q in enumerate(self.quantiles)
        ]
        val_forecast = np.sort(
            np.stack([m.predict(x_val) for m in self.models], axis=-1), axis=-1
        )
        self.validation_quantile_loss = _quantile_loss(
            y_val, val_forecast, self.quantiles
        )
        num_val = len(y_val) // horizon
        self.calibrator = ConformalQuantileCalibrator(self.quantiles).fit(
            y_val.reshape(num_val, horizon, 1),
            val_forecast.reshape(num_val, horizon, len(self.quantiles), 1),
        )
        return self

    def _features(self, arrays):
        return LightGBMFeatures(arrays, self.future_names, self.season, self.yearly_lag)

    def _train(self, lgb, candidate, level, train_set, val_set):
        params = {
            **BASE_PARAMS,
            **candidate,
            "alpha": level,
            "num_threads": self.threads,
        }
        return lgb.train(
            params,
            train_set,
            num_boost_round=MAX_ROUNDS,
            valid_sets=[val_set],
            callbacks=[
                lgb.early_stopping(EARLY_STOPPING, verbose=False),
                lgb.log_evaluation(100),
            ],
        )

    def _xy(self, windows, stride=1):
        starts, series = windows.starts, windows.window_series
        if stride > 1:
            origin = starts - windows.arrays.offsets[series]
            keep = origin % stride == 0
            starts, series = starts[keep], series[keep]
        features, level, rows = self.features.build(starts, series)
        y = self.features.arrays.target[rows, 0] / level[:, None]
        return features, y.reshape(-1).astype(np.float32), level

    def predict(self, windows):
        """Quantile forecasts `(N, H, Q, 1)`, original units, recalibrated.

        `windows` may index other arrays than the training windows (e.g.
        backtest windows of the whole table)."""
        builder = (
            self.features
            if windows.arrays is self.features.arrays
            else self._features(windows.arrays)
        )
        features, level, rows = builder.build(windows.starts, windows.window_series)
        num, horizon = rows.shape
        forecast = np.stack([m.predict(features) for m in self.models], axis=-1)
        forecast = np.sort(forecast, axis=-1).reshape(num, horizon, -1, 1)
        forecast = self.calibrator.adjust(forecast)
        return forecast * level[:, None, None, None]

    def describe(self):
        return {
            "chosen": self.chosen,
            "yearly_lag": self.yearly_lag,
            "grid": self.log,
            "features": len(self.features.names()),
        }


def default_rounds_note(log):
    """One line per grid candidate, for the benchmark's log."""
    return [
        f"num_leaves={c['num_leaves']} min_data_in_leaf={c['min_data_in_leaf']} "
        f"lr={c['learning_rate']}: {c['rounds']} rounds, validation median "
        f"loss {c['validation_median_loss']:.4f} ({c['seconds']:.0f} s)"
        for c in log
    ]
