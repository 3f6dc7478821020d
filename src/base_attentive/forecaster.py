"""`Forecaster`: the whole forecasting workflow on a long DataFrame.

`base-attentive train`, `predict` and `evaluate` are a thin shell over this
class: the same recipe, the same files, the same numbers.
"""

from __future__ import annotations

import contextlib
import random
import sys
import time
import warnings
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from base_attentive import backtesting, explaining, saving
from base_attentive.baselines import SeasonalNaive, default_season
from base_attentive.calibration import calibrate_on_windows, check_calibration_size
from base_attentive.data.calendar import CALENDAR_FEATURES, default_calendar
from base_attentive.data.spec import DatasetSpec
from base_attentive.data.split import ChronologicalSplit
from base_attentive.data.time_grid import time_step
from base_attentive.data.validation import format_time, time_zone_of
from base_attentive.data.vocabulary import holds_categories
from base_attentive.quantiles import validate_quantiles
from base_attentive.run_folder import atomic_folder
from base_attentive.training import (
    DEFAULT_MODEL,
    TrainingSettings,
    build_model,
    left_out_message,
    train_members,
)

__all__ = ["DEFAULT_VALIDATION", "Forecaster", "PreparedData"]

# Start of the validation period when `fit` is given none: the last 10% of
# the time steps.
DEFAULT_VALIDATION = 0.1
# `BaseAttentive` arguments that the data and the Forecaster decide.
_DERIVED_MODEL_ARGUMENTS = (
    "static_input_dim",
    "dynamic_input_dim",
    "future_input_dim",
    "output_dim",
    "forecast_horizon",
    "quantiles",
    "distribution",
    "mode",
)


class PreparedData(NamedTuple):
    """The data of a fit (`Forecaster.prepare_data`).

    Attributes:
        dataset: the fitted `ForecastDataset`.
        train: the shuffled training `WindowDataset`.
        validation: the validation `WindowDataset`.
        baseline: the fitted `SeasonalNaive` (quantiles, MASE scales).
        info: JSON-ready summary (series, times, window counts).
    """

    dataset: Any
    train: Any
    validation: Any
    baseline: Any
    info: dict


def _names(value, argument):
    """A column argument as a list of names."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        names = list(value)
    except TypeError:
        raise TypeError(
            f"`{argument}` must be a column name or a list of column names. "
            f"Received: {argument}={value!r}"
        ) from None
    return names


def _verbose(verbose):
    """`verbose` of `keras.Model.fit`: "auto" is a progress bar on a terminal
    or in a notebook, one line per epoch otherwise."""
    if verbose == "auto":
        interactive = sys.stdout.isatty() or "ipykernel" in sys.modules
        return 1 if interactive else 2
    if verbose not in (0, 1, 2):
        raise ValueError(
            f"`verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}"
        )
    return verbose


class Forecaster:
    """Trains, forecasts, backtests, scores, explains and saves an attentive
    forecasting model on a long DataFrame (one row per series and time).

    The recipe of `fit` is the one of `base-attentive train`: a chronological
    split with the last part of the time steps for validation; scalers and
    vocabularies fitted on the training period only; lazy training windows;
    early stopping on the validation loss with the best weights restored; the
    learning rate halved on plateaus; a time limit; split-conformal
    recalibration of the intervals on the validation windows; and a
    seasonal-naive baseline with per-series MASE scales, both fitted on the
    training period.

    Args:
        target: the target column, or a list of them.
        time_col: the time column (parsed with `pandas.to_datetime`).
        lookback: past steps the model sees (int >= 1).
        horizon: steps to forecast (int >= 1).
        id_col: the series id column; None for a single series.
        static: columns constant within a series. Text columns, the id
            column and those named in `categorical` are categories; the
            others are scaled numbers.
        past: past-observed covariates (known up to the forecast origin).
            Text columns are categories (a column of numbers written as
            text is read as numbers; one mixing both is an error).
        future: known-future covariates (known over the horizon; `predict`
            needs them in the rows after each series' last target). Text
            columns are categories, as for `past`.
        categorical: columns among `static`, `past` and `future` (or the
            id column) to use as categories even when they hold numbers.
            Each category column gets an integer vocabulary of the values
            seen in the training period (code 0: a value not seen there, or
            missing), saved with the dataset, and its own embedding in the
            model: one variable, one importance in `explain` (a static
            category with few values is one-hot encoded instead: see
            `static_one_hot_max`). The id column
            named here (or in `static`) gives the model the series
            identity; a series unseen in training then has the unknown
            code (see `scaling`).
        freq: pandas frequency (`"D"`, `"h"`, ...); None infers it.
        quantiles: the forecast's levels, strictly increasing in (0, 1) and
            including 0.5 (the point forecast). Default `(0.1, 0.5, 0.9)`.
        calendar: calendar features added to the known-future input:
            `"auto"` (from the time step: see
            `base_attentive.data.calendar.default_calendar`), `"none"`, or a
            list of names from `CALENDAR_FEATURES`.
        model: dict of `BaseAttentive` arguments over `DEFAULT_MODEL` (the
            CLI's default model); input sizes, horizon and quantiles come
            from the data and the Forecaster.
        seed: random seed (weights, dropout, shuffling). Default 0.
        training: dict of `TrainingSettings` fields (epochs, steps_per_epoch,
            batch_size, learning_rate, patience, min_epochs, time_limit in
            minutes, calibrate, ensemble, ensemble_tolerance, schedule).
        season: season length of the seasonal-naive baseline; None picks it
            from the time step (`baselines.default_season`).
        holiday_country: country of the `"holiday"` calendar feature.
        fill_missing: how NaN are repaired into observed values (with
            `missing="raise"`): `"raise"` (default: no repair, a NaN is an
            error), `"ffill"`, `"zero"` or `"interpolate"`; with a fill
            policy, missing time steps are added and filled too, and the
            filled targets are trained on and scored as if observed.
        missing: what a missing value (a NaN, or a time step absent from
            the regular grid) means. `"raise"` (default): an error naming
            the column, the series and the first time, unless
            `fill_missing` repairs it. `"mask"`: it stays missing. Missing
            time steps become rows of missing values; each column with a
            missing value gets an observed-indicator input (1 observed, 0
            missing); missing inputs carry the last observed value forward
            (the training mean before the first one); missing targets are
            neither trained on nor scored; windows without an observed
            target in their horizon are dropped (counted in
            `data_["unobserved_windows"]`). Forecasts never hold NaN. Leave
            `fill_missing` at `"raise"` with it. See docs/data.md.
        scaling: `"series"` (default): each series' targets standardised
            with statistics of its training period; `"window"`: each window
            by its own lookback's mean and standard deviation, inverted on
            its forecasts (follows level shifts; needs no per-series
            statistics, so it forecasts series unseen in training). See
            docs/data.md.
        target_scaler: the statistics that scale the targets (as
            `scaling` says): `"standard"` (default; mean and standard
            deviation), `"robust"` (median and interquartile range: a few
            outliers, closures or spikes move them little) or `"none"` (only
            with `scaling="series"`: targets as they are).
        seasonal_lags: target values at seasonal offsets (steps, e.g.
            `(7, 364)` on daily data) given to the model as known-future
            inputs at every horizon step: the latest value at the same phase
            that is observed at the forecast origin.
        holiday_lag: one of `seasonal_lags` (the yearly one, e.g. 364 on
            daily data) that reads, on public holidays of
            `holiday_country`, the value on the same holiday a year before,
            and on an ordinary day whose 52-week lag is a holiday, the day
            53 weeks before (see `base_attentive.data.holiday_lag`).
            Default None.
        target_transform: `"none"` (default) or `"log1p"`: the model learns
            `log(1 + y)` (then scaled as `scaling` says) and its quantile
            forecasts are mapped back with `expm1`, which is exact for
            quantiles (see `base_attentive.data.target_transform`). Needs
            targets >= 0: `fit` and `predict` refuse negative targets.
        static_one_hot_max: a static category (the id column included)
            with at most this many values in the training period reaches
            the model as raw 0/1 one-hot columns (`station=Clark/Lake`, one
            importance each in `explain`; a value unseen in training is all
            zeros) instead of an embedding; larger vocabularies stay
            embedded; 0 embeds every category. `category_dropout` zeroes a
            one-hot category's columns together, its unknown encoding.
            Default 64 (see
            `DatasetSpec.static_one_hot_max`).

    Example:

    >>> from base_attentive import Forecaster
    >>> from base_attentive.data import load_chicago_ridership
    >>> frame = load_chicago_ridership(start="2015-01-01")
    >>> forecaster = Forecaster(target="rides", time_col="date", id_col="station",
    ...                         lookback=56, horizon=14, static=["station"],
    ...                         future=["Cubs_Home"])
    >>> forecaster.fit(frame, epochs=2)  # doctest: +SKIP
    >>> forecaster.predict(frame)  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        target,
        time_col,
        lookback,
        horizon,
        id_col=None,
        static=(),
        past=(),
        future=(),
        categorical=(),
        freq=None,
        quantiles=(0.1, 0.5, 0.9),
        calendar="auto",
        model=None,
        seed=0,
        training=None,
        season=None,
        holiday_country="US",
        fill_missing="raise",
        scaling="series",
        target_scaler="standard",
        seasonal_lags=(),
        holiday_lag=None,
        target_transform="none",
        missing="raise",
        static_one_hot_max=64,
    ):
        self.target = _names(target, "target")
        self.time_col = time_col
        self.lookback = lookback
        self.horizon = horizon
        self.id_col = id_col
        self.static = _names(static, "static")
        self.past = _names(past, "past")
        self.future = _names(future, "future")
        self.categorical = _names(categorical, "categorical")
        self.freq = freq
        self.quantiles = validate_quantiles(quantiles, require_median=True)
        self.calendar = self._check_calendar(calendar)
        self.model = self._check_model(model)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"`seed` must be an integer >= 0. Received: seed={seed!r}")
        self.seed = seed
        self.training = TrainingSettings.from_dict(training)
        if season is not None and (
            isinstance(season, bool) or not isinstance(season, int) or season < 1
        ):
            raise ValueError(
                f"`season` must be an integer >= 1 or None. Received: season={season!r}"
            )
        self.season = season
        self.holiday_country = holiday_country
        self.fill_missing = fill_missing
        self.missing = missing
        self.scaling = scaling
        self.target_scaler = target_scaler
        self.seasonal_lags = list(seasonal_lags or ())
        self.holiday_lag = holiday_lag
        self.target_transform = target_transform
        self.static_one_hot_max = static_one_hot_max
        roles = {*self.static, *self.past, *self.future, id_col}
        undeclared = [c for c in self.categorical if c not in roles]
        if undeclared:
            raise ValueError(
                "`categorical` names columns with no role: "
                f"{undeclared}. It marks columns of `static`, `past` or "
                "`future` (or the id column) as categories: list them in "
                "their role too."
            )
        # Checks the column roles and the window geometry now, not at fit.
        self._spec_for(
            calendar=(),
            static=[c for c in self.static if c != id_col],
            categorical=self._categorical_columns(set(self.categorical)),
        )
        self._reset()

    # ------------------------------------------------------------- arguments
    @staticmethod
    def _check_calendar(calendar):
        if calendar in ("auto", "none"):
            return calendar
        names = _names(calendar, "calendar")
        unknown = [name for name in names if name not in CALENDAR_FEATURES]
        if unknown:
            raise ValueError(
                "`calendar` must be 'auto', 'none' or names among "
                f"{list(CALENDAR_FEATURES)}. Received unknown: {unknown}"
            )
        return names

    @staticmethod
    def _check_model(model):
        model = dict(model or {})
        derived = sorted(set(model) & set(_DERIVED_MODEL_ARGUMENTS))
        if derived:
            raise ValueError(
                f"`model` must not set {derived}: the data and the Forecaster's "
                "`quantiles` and `horizon` decide them."
            )
        return {**DEFAULT_MODEL, **model}

    def get_config(self):
        """The constructor arguments, JSON-ready (`Forecaster(**config)`)."""
        return {
            "target": list(self.target),
            "time_col": self.time_col,
            "lookback": self.lookback,
            "horizon": self.horizon,
            "id_col": self.id_col,
            "static": list(self.static),
            "past": list(self.past),
            "future": list(self.future),
            "categorical": list(self.categorical),
            "freq": self.freq,
            "quantiles": list(self.quantiles),
            "calendar": self.calendar,
            "model": dict(self.model),
            "seed": self.seed,
            "training": self.training.to_dict(),
            "season": self.season,
            "holiday_country": self.holiday_country,
            "fill_missing": self.fill_missing,
            "scaling": self.scaling,
            "target_scaler": self.target_scaler,
            "seasonal_lags": list(self.seasonal_lags),
            "holiday_lag": self.holiday_lag,
            "target_transform": self.target_transform,
            "missing": self.missing,
            "static_one_hot_max": self.static_one_hot_max,
        }

    def __repr__(self):
        fitted = "fitted" if self.is_fitted else "not fitted"
        return (
            f"Forecaster(target={self.target}, lookback={self.lookback}, "
            f"horizon={self.horizon}, quantiles={self.quantiles}; {fitted})"
        )

    def _reset(self):
        self.dataset_ = None
        self.model_ = None
        self.calibrator_ = None
        self.baseline_ = None
        self.history_ = None
        self.training_ = None
        self.data_ = None
        self.tuning_ = None
        self.study_ = None

    @property
    def is_fitted(self):
        return self.model_ is not None

    def _require_fitted(self, action):
        if not self.is_fitted:
            raise ValueError(
                f"This Forecaster is not fitted: call `fit(frame)` (or "
                f"`Forecaster.load(path)`) before `{action}`."
            )

    # ------------------------------------------------------------------ data
    def _spec_for(self, calendar, static, categorical, timezone=None):
        fill = self.fill_missing
        return DatasetSpec(
            time_column=self.time_col,
            id_column=self.id_col,
            target_columns=tuple(self.target),
            lookback=self.lookback,
            forecast_horizon=self.horizon,
            static_columns=tuple(static),
            categorical_columns=tuple(categorical),
            past_columns=tuple(self.past),
            future_columns=tuple(self.future),
            calendar_features=tuple(calendar),
            holiday_country=self.holiday_country,
            freq=self.freq,
            fill_missing=fill,
            fill_gaps=fill != "raise",
            missing=self.missing,
            scaling=self.scaling,
            target_scaler=self.target_scaler,
            seasonal_lags=tuple(self.seasonal_lags),
            holiday_lag=self.holiday_lag,
            target_transform=self.target_transform,
            timezone=timezone,
            static_one_hot_max=self.static_one_hot_max,
        )

    def _time_step(self, frame):
        """The most common step between consecutive times of a series."""
        missing = [c for c in [self.time_col, *self.static] if c not in frame.columns]
        if self.id_col is not None and self.id_col not in frame.columns:
            missing.append(self.id_col)
        if missing:
            raise ValueError(
                f"The frame has no column(s) {missing}. Available columns: "
                f"{list(frame.columns)}"
            )
        from base_attentive.data.validation import to_datetime_ns

        times = {self.time_col: to_datetime_ns(frame[self.time_col], self.time_col)}
        if self.id_col is not None:
            times[self.id_col] = frame[self.id_col].to_numpy()
        return time_step(pd.DataFrame(times), self.time_col, self.id_col)

    def _categorical_columns(self, categories):
        """The category columns among the roles, in role order (static and
        the id column, past, future), given the set `categories`."""
        static = [c for c in self.static if c in categories or c == self.id_col]
        if self.id_col in categories and self.id_col not in static:
            static.append(self.id_col)
        return static + [c for c in (*self.past, *self.future) if c in categories]

    def _spec(self, frame, step):
        """The `DatasetSpec` for `frame`: calendar 'auto' resolved from the
        time `step`; the id column, the columns named in `categorical` and
        text columns are categories (see `vocabulary.holds_categories`)."""
        calendar = self.calendar
        if calendar == "auto":
            calendar = default_calendar(step)
        elif calendar == "none":
            calendar = []
        categories = set(self.categorical)
        categories.update(
            c for c in self.static if not pd.api.types.is_numeric_dtype(frame[c])
        )
        for role, columns in (("past", self.past), ("future", self.future)):
            categories.update(
                c
                for c in columns
                if c in frame.columns and holds_categories(frame[c], c, role)
            )
        numeric = [c for c in self.static if c not in categories and c != self.id_col]
        zone = time_zone_of(frame[self.time_col])
        return self._spec_for(
            calendar, numeric, self._categorical_columns(categories), timezone=zone
        )

    def _check_zone(self, frame):
        """Times must come as at `fit`: with a zone (instants) or without."""
        fitted = self.dataset_.spec.timezone
        zone = time_zone_of(frame[self.time_col])
        if (zone is None) != (fitted is None):
            raise ValueError(
                f"The Forecaster was fitted on times {_zone_text(fitted)}, but "
                f"the frame's `{self.time_col}` holds times {_zone_text(zone)}. "
                "Give them the same way: a time without a zone is ambiguous."
            )

    # ------------------------------------------------------------------- fit
    def fit(
        self,
        frame,
        validation=None,
        epochs=None,
        time_limit=None,
        verbose="auto",
        *,
        distribution=None,
        progress=None,
    ):
        """Trains on `frame` with the recipe (see the class docstring).

        Args:
            frame: long DataFrame with the Forecaster's columns.
            validation: start of the validation period: a fraction of the
                time steps in (0, 1), a number of last steps, or a date.
                Default `DEFAULT_VALIDATION` (the last 10% of the steps).
            epochs: maximum epochs (default: `training["epochs"]`).
            time_limit: training budget in minutes (default:
                `training["time_limit"]`).
            verbose: `"auto"` (progress bar), 0 (silent), 1 or 2 (as in
                `keras.Model.fit`).
            distribution: a `base_attentive.distributed.DataParallelPlan` to
                train data-parallel, or None.
            progress: optional callable `(kind, text)` receiving the steps of
                the recipe (`kind` is "step" or "detail"); by default they
                are printed unless `verbose=0`.

        Returns:
            self.
        """
        verbose = _verbose(verbose)
        report = progress or self._printer(verbose)
        changes = {}
        if epochs is not None:
            changes["epochs"] = epochs
        if time_limit is not None:
            changes["time_limit"] = time_limit
        settings = TrainingSettings.from_dict({**self.training.to_dict(), **changes})
        started = time.perf_counter()
        data = self.prepare_data(frame, validation, batch_size=settings.batch_size)
        dataset, train, valid, info = (
            data.dataset,
            data.train,
            data.validation,
            data.info,
        )
        if settings.calibrate:
            check_calibration_size(self.quantiles, valid.num_windows)
        report(
            "step",
            f"data: {info['series']} series, {info['first_time']} .. "
            f"{info['last_time']} (freq {dataset.freq}); "
            f"{train.num_windows:,} training and {valid.num_windows:,} validation "
            f"windows (validation from {info['validation_start']})",
        )
        if "unobserved_windows" in info:
            dropped = info["unobserved_windows"]
            report(
                "detail",
                f"missing values masked: {dropped['train']:,} training and "
                f"{dropped['validation']:,} validation windows dropped (no "
                "observed target in their horizon); observed indicators for "
                f"{', '.join(info['observed_indicators']) or 'no column'}",
            )

        def build():
            return build_model(
                dataset, self.quantiles, self.model, settings.learning_rate, train[0][0]
            )

        seed_everything(self.seed)
        scope = distribution.scope() if distribution else contextlib.nullcontext()
        with scope:
            first = build()
        report("step", f"model: BaseAttentive, {first.count_params():,} parameters")
        members = settings.ensemble
        limit = f" within {settings.time_limit:g} min" if settings.time_limit else ""
        report(
            "step",
            "training: "
            + (f"{members} models (seeds {self.seed}..), each " if members > 1 else "")
            + f"up to {settings.epochs} epochs of "
            f"{min(settings.steps_per_epoch, len(train))} steps x "
            f"{settings.batch_size} windows{limit}; {settings.schedule} learning "
            f"rate; early stopping (patience {settings.patience}, best weights "
            "restored"
            + (f", from epoch {settings.min_epochs + 1}" if settings.min_epochs else "")
            + ")",
        )
        model, history, summary = train_members(
            build, train, valid, settings, self.seed, first=first,
            verbose=verbose, plan=distribution,
        )  # fmt: skip
        report(
            "detail",
            f"stopped by {summary['stopped_by']} after {summary['epochs_run']} "
            f"epoch(s); best epoch {summary['best_epoch']} (val_loss "
            f"{summary['best_val_loss']:.4g}), {summary['seconds']:.0f} s",
        )
        for member in summary.get("left_out", []):
            report(
                "detail",
                left_out_message(member, summary, settings.ensemble_tolerance),
            )
        calibrator, summary["calibration"] = None, {"applied": False}
        if settings.calibrate:
            calibrator, summary["calibration"] = calibrate_on_windows(
                model, valid, self.quantiles
            )
        summary["settings"] = settings.to_dict()
        summary["total_seconds"] = time.perf_counter() - started
        self.dataset_, self.model_, self.calibrator_ = dataset, model, calibrator
        self.baseline_, self.history_, self.training_ = data.baseline, history, summary
        self.data_ = info
        return self

    def prepare_data(self, frame, validation=None, *, batch_size=None):
        """The data half of `fit`: what the model is trained and scored on.

        Fits the `ForecastDataset` on `frame` with `fit`'s chronological
        split (scalers and vocabularies on the training period only) and
        the seasonal-naive baseline (quantiles and per-series MASE scales
        from the training period). `fit` calls it; it also lets another
        forecaster (a benchmark peer) train on exactly the same windows.

        Args:
            frame: long DataFrame with the Forecaster's columns.
            validation: start of the validation period, as in `fit`.
            batch_size: windows per batch (default: the training settings').

        Returns:
            `PreparedData`: `dataset`, `train` (shuffled with the seed),
            `validation` windows, `baseline` and `info` (a summary).
        """
        from base_attentive.data import ForecastDataset

        batch_size = batch_size or self.training.batch_size
        step = self._time_step(frame)
        spec = self._spec(frame, step)
        validation = DEFAULT_VALIDATION if validation is None else validation
        dataset = ForecastDataset(spec).fit(
            frame, split=ChronologicalSplit(validation=validation)
        )
        train = dataset.windows(
            "train", batch_size=batch_size, shuffle=True, seed=self.seed
        )
        valid = dataset.windows("validation", batch_size=batch_size)
        season = self.season or default_season(step, self.lookback)
        baseline = SeasonalNaive.fit(
            dataset.arrays,
            dataset.boundaries.train_end,
            season,
            self.quantiles,
            self.horizon,
        )
        info = self._data_info(dataset, frame, train, valid)
        return PreparedData(dataset, train, valid, baseline, info)

    @staticmethod
    def _printer(verbose):
        def report(kind, text):
            if verbose:
                print(("      " if kind == "detail" else "") + text, flush=True)

        return report

    def _data_info(self, dataset, frame, train, validation):
        def when(value):
            return "-" if value is None else format_time(value)

        times = dataset.arrays.times
        return {
            "series": len(dataset.series_ids),
            "rows": len(frame),
            "freq": dataset.freq,
            "calendar": list(dataset.spec.calendar_features),
            "categorical": list(dataset.spec.categorical_columns),
            "first_time": when(times.min()),
            "last_time": when(times.max()),
            "validation_start": when(dataset.boundaries.validation_start),
            "windows": {
                "train": train.num_windows,
                "validation": validation.num_windows,
            },
            **self._missing_info(dataset, train, validation),
        }

    @staticmethod
    def _missing_info(dataset, train, validation):
        """With missing="mask": the windows dropped and the indicated columns."""
        if not dataset.spec.masked:
            return {}
        return {
            "unobserved_windows": {
                "train": train.unobserved_windows,
                "validation": validation.unobserved_windows,
            },
            "observed_indicators": [
                column for columns in dataset.indicators.values() for column in columns
            ],
        }

    # -------------------------------------------------------------- forecast
    def predict_windows(self, windows):
        """Quantile forecasts of a `WindowDataset`, scaled units, recalibrated.

        Returns:
            `(N, H, Q, O)` array (for `ForecastDataset.forecast_frame`).
        """
        self._require_fitted("predict_windows")
        self._warn_untrained_one_hot(windows)
        scaled = self.model_.predict(windows, verbose=0)
        return scaled if self.calibrator_ is None else self.calibrator_.adjust(scaled)

    def _warn_untrained_one_hot(self, windows):
        """Warns about series whose one-hot static category has a value not
        seen in training when the model was trained without
        `category_dropout`: their all-zero columns are an input training
        never showed (docs/data.md, "Categorical inputs")."""
        arrays = getattr(windows, "arrays", None)
        if arrays is None or self.model.get("category_dropout", 0.0):
            return
        for column, series in self.dataset_.unseen_one_hot(arrays).items():
            names = ", ".join(repr(s) for s in series[:5])
            more = f" and {len(series) - 5} more" if len(series) > 5 else ""
            warnings.warn(
                f"Series {names}{more} have a value of the one-hot static "
                f"category {column!r} not seen in training: its columns are all "
                "zeros, an input the model never saw in training "
                "(category_dropout=0), so their forecasts can be far off. Train "
                'with model={"category_dropout": 0.1} when new series or values '
                "are expected, or static_one_hot_max=0 to embed the category.",
                UserWarning,
                stacklevel=3,
            )

    def predict(self, frame):
        """Forecasts from the end of each series of `frame`.

        The lookback is each series' last `lookback` rows with an observed
        target; the horizon is the next `horizon` rows, whose known-future
        columns must be filled (target empty). Without known-future columns,
        the horizon's times follow the frequency.

        Returns:
            `pandas.DataFrame`, one row per series, horizon step and target:
            the id column, `forecast_origin`, the time column,
            `horizon_step`, `target`, `actual` (NaN: not observed yet) and
            one column per quantile (`q0.1`, ...), original units.
        """
        self._require_fitted("predict")
        self._check_zone(frame)
        windows = self.dataset_.prediction_windows(
            frame, batch_size=self.training.batch_size
        )
        scaled = self.predict_windows(windows)
        return self.dataset_.forecast_frame(scaled, windows, quantiles=self.quantiles)

    def backtest(self, frame, start=None, stride=1, refit=False, verbose=0):
        """Rolling-origin historical forecasts with actuals.

        Args:
            frame: long DataFrame of the series (history and actuals).
            start: the first forecast origin (the last observed step before
                the first forecast); default: the last time step of the data
                given to `fit`, so nothing is forecast that the model saw.
            stride: steps between origins (int >= 1). Origins follow while a
                full horizon of actuals follows them.
            refit: False uses this fitted model for every origin; True refits
                a copy of this Forecaster at every origin, an int N every N
                origins. A refitted fold trains on the rows up to its first
                origin only, with the `validation` of `fit` (default 10%).
            verbose: progress of the refits (as in `fit`).

        Returns:
            `pandas.DataFrame` as `predict`'s with the actuals, plus `fold`
            (the model that made the row), the seasonal-naive baseline's
            quantiles (`naive_q0.1`, ...) and `mase_scale` (the series' MASE
            scale from that model's training period), for `evaluate`.
        """
        return backtesting.backtest(self, frame, start, stride, refit, verbose)

    def evaluate(self, frame_or_backtest):
        """Metrics of the model and the seasonal-naive baseline.

        Args:
            frame_or_backtest: the output of `backtest`, or a frame to
                backtest with the defaults first.

        Returns:
            `pandas.DataFrame` with one row per forecast (`"model"`,
            `"seasonal_naive"`) and horizon step (`"all"`, then 1..H), one
            column per metric (`mae`, `mase`, `mean_quantile_loss`,
            `coverage@80%`, ...; see `base_attentive.evaluation`).
        """
        return backtesting.evaluate(self, frame_or_backtest)

    def explain(self, frame, start=None, max_windows=256):
        """What drove the forecasts of `frame`'s windows.

        Args:
            frame: long DataFrame of the series.
            start: None explains the forecasts from the end of each series
                (as `predict`); a time explains the backtest windows from
                that origin on.
            max_windows: at most this many windows, spread evenly, are
                averaged.

        Returns:
            dict with `"variable_importance"` (DataFrame: `group`
            "static"/"dynamic"/"future", `variable`, `importance`, the mean
            selection weight; each group sums to 1), the raw arrays of
            `BaseAttentive.explain` (`"variable_selection"`, `"attention"`
            per level), `"feature_names"` per group and `"windows"` (series
            id and forecast origin of each window explained). Pass it to
            `plotting.plot_variable_importance(explanation,
            explanation["feature_names"])` or `plotting.plot_attention`.
        """
        return explaining.explain(self, frame, start, max_windows)

    def plot_forecast(
        self,
        frame,
        series=None,
        target=None,
        *,
        forecasts=None,
        origin=None,
        history=None,
        title=None,
        path=None,
        ax=None,
    ):
        """Fan chart of one forecast with the history before it.

        Args:
            frame: the series' history (and actuals, if known).
            series: the series id (default: the first one).
            target: the target column (default: the first).
            forecasts: a frame from `predict` or `backtest`; default
                `predict(frame)`.
            origin: the forecast origin to draw (default: the latest).
            history: history steps drawn (default: the lookback).
            title: optional title.
            path: optional PNG file to write.
            ax: optional matplotlib `Axes` to draw into.

        Returns:
            `matplotlib.figure.Figure`.
        """
        return explaining.plot_forecast(
            self,
            frame,
            series,
            target,
            forecasts=forecasts,
            origin=origin,
            history=history,
            title=title,
            path=path,
            ax=ax,
        )

    # ------------------------------------------------------------------ tune
    def tune(
        self,
        frame,
        n_trials=None,
        time_budget=None,
        search_space=None,
        storage=None,
        study_name=None,
        *,
        validation=None,
        pruner="median",
        fit=True,
        verbose="auto",
        progress=None,
    ):
        """Searches the best configuration with Optuna, then fits it.

        A study (TPE sampler; median pruner by default) draws
        configurations from `search_space`, trains each with this
        Forecaster's recipe and seed, and scores it on validation windows
        only: the mean quantile loss in original units over the validation
        windows of the longest lookback the space may draw, the same
        windows for every trial (see `base_attentive.tuning.objective`).
        Then the best configuration replaces this Forecaster's (`lookback`,
        `model`, `training`) and is fitted on `frame` with the same
        validation period, as `fit` does.

        `frame` is all the data tuning may look at: hold the test period
        out (`base-attentive tune` does). Needs Optuna (`pip install
        "base-attentive[tune]"`).

        Args:
            frame: long DataFrame (training and validation periods).
            n_trials: finished trials the study should hold, counted over
                every process and resumed run (a resumed search runs the
                rest).
            time_budget: minutes of searching; no trial starts after it,
                and each trial's training time limit is cut to what is
                left. The final fit comes after it. Give `n_trials`,
                `time_budget` or both.
            search_space: dict (see `base_attentive.tuning.SearchSpace`) or
                `SearchSpace`; default
                `tuning.default_search_space(lookback)`: lookback, widths,
                heads, dropout, learning rate, encoder, attention levels.
            storage: None (in memory) or a database URL such as
                `"sqlite:///study.db"` (any SQLAlchemy URL Optuna accepts)
                or an `optuna.storages.BaseStorage`: the study survives the
                process, resumes, and several processes may search it.
            study_name: the study in `storage`; default `"base-attentive"`.
                A stored study tuning other data, settings or space is an
                error.
            validation: start of the validation period, as in `fit`.
            pruner: `"median"`, `"halving"`, `"none"` or an optuna pruner.
            fit: fit the best configuration (default). False only sets it
                (e.g. in a worker that adds trials to a shared study); the
                Forecaster is then not fitted.
            verbose: progress of the final fit (as in `fit`); 0 is silent.
            progress: optional callable `(kind, text)` receiving the steps
                (one line per trial), as in `fit`.

        Returns:
            self, with the best configuration (fitted unless `fit=False`).
            `tuning_` holds the
            summary (written to `tuning.json` by `save`; see
            `base_attentive.tuning.summary`) and `study_` the
            `optuna.Study`.
        """
        from base_attentive.tuning.search import search
        from base_attentive.tuning.search_space import SearchSpace

        report = progress or self._printer(_verbose(verbose))
        result = search(
            self,
            frame,
            n_trials=n_trials,
            time_budget=time_budget,
            search_space=search_space,
            storage=storage,
            study_name=study_name,
            validation=DEFAULT_VALIDATION if validation is None else validation,
            pruner=pruner,
            report=report,
        )
        best = SearchSpace.apply(self.get_config(), result.params)
        self.lookback = best["lookback"]
        self.model = self._check_model(best["model"])
        self.training = TrainingSettings.from_dict(best["training"])
        if fit:
            self.fit(
                frame,
                validation=result.validation_start,
                verbose=verbose,
                progress=progress,
            )
        else:
            self._reset()
        self.tuning_, self.study_ = result.summary, result.study
        return self

    # ------------------------------------------------------------ save, load
    def save(self, path, overwrite=False):
        """Saves to a run folder (the files of `base-attentive train`,
        written atomically); `Forecaster.load` and `base-attentive predict
        --model` read it on any backend.

        Args:
            path: the folder to create.
            overwrite: replace a folder that holds files.

        Returns:
            the folder's path.
        """
        self._require_fitted("save")
        with atomic_folder(path, overwrite) as folder:
            self.write(folder)
        return folder.destination

    def write(self, folder, extra=None):
        """Writes the run's files into an existing `RunFolder` (see `save`).

        Args:
            folder: the `RunFolder` (e.g. from `run_folder.atomic_folder`).
            extra: dict of more entries for `run.json` (the CLI adds its
                settings and command line).
        """
        saving.write_run(self, folder, extra)

    def export(self, path, format="onnx", overwrite=False):
        """Exports the network and its preprocessing for serving.

        Writes an export folder (written atomically): the artifact with a
        dynamic batch size (`model.onnx`, `saved_model/` or `model.pt2`),
        `dataset.json` (scalers, vocabularies, calendar), `calibration.json`
        and the manifest `export.json` (input and output layout, how the
        artifact was made, a check against this model). An ONNX folder
        forecasts with ONNX Runtime alone:
        `base_attentive.serving.OnnxForecaster.load(path).predict(frame)`.
        See `base_attentive.artifacts` for which format each backend makes.

        Args:
            path: the folder to create.
            format: `"onnx"` (default), `"tf_saved_model"` or `"torch"`.
            overwrite: replace a folder that holds files.

        Returns:
            the folder's path.
        """
        from base_attentive.export import export_forecaster

        self._require_fitted("export")
        return export_forecaster(self, path, format, overwrite=overwrite)

    @classmethod
    def load(cls, path):
        """Loads a saved Forecaster or a run folder of `base-attentive train`.

        Loading is safe: JSON files and a `.keras` model loaded in Keras'
        safe mode (no pickle, no code from the files).

        Args:
            path: the folder.

        Returns:
            a fitted `Forecaster`.
        """
        return saving.load_forecaster(cls, path)


def _zone_text(zone):
    return "without a time zone" if zone is None else f"with a time zone ({zone})"


def seed_everything(seed):
    """Seeds Python, NumPy and the backend's global generator.

    Keras draws its default seeds (weights; dropout on TensorFlow and JAX)
    from Python's `random`; PyTorch's dropout draws from torch's generator.
    """
    from base_attentive import kernels

    random.seed(seed)
    np.random.seed(seed)
    kernels.seed_global_generator(seed)
