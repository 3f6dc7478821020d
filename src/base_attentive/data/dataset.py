"""`ForecastDataset`: a long DataFrame to `BaseAttentive` inputs, and back."""

from __future__ import annotations

import numpy as np

from base_attentive.data import forecast_frame as forecast_frame_module
from base_attentive.data import missing, persistence
from base_attentive.data.array_writer import concat_arrays
from base_attentive.data.calendar import calendar_feature_names, calendar_features
from base_attentive.data.group_fit import GroupFit
from base_attentive.data.holiday_lag import holiday_source_rows
from base_attentive.data.prepare import (
    minimum_rows,
    raise_all_short,
    short_what,
)
from base_attentive.data.row_times import RowTimes
from base_attentive.data.scaling import SeriesScaler
from base_attentive.data.series_groups import GroupPreparer, plan_groups
from base_attentive.data.spec import DatasetSpec
from base_attentive.data.split import (
    ChronologicalSplit,
    SplitBoundaries,
    to_datetime64_ns,
)
from base_attentive.data.target_transform import forward as transform_target
from base_attentive.data.target_transform import inverse as inverse_target
from base_attentive.data.validation import DataError, check_known_series, format_time
from base_attentive.data.vocabulary import Vocabulary
from base_attentive.data.window_arrays import WindowArrays, compress, spec_arguments

_CHUNK_ROWS = 1 << 18


def _scale_into(out, scaler, values, groups):
    """Writes `scaler.transform(values)` into the float32 `out`, by row chunks
    (bounds the float64 temporaries on large frames)."""
    for start in range(0, len(values), _CHUNK_ROWS):
        stop = start + _CHUNK_ROWS
        out[start:stop] = scaler.transform(values[start:stop], groups[start:stop])


class ForecastDataset:
    """Turns a long DataFrame into lazy `BaseAttentive` windows, and forecasts
    back into a DataFrame in original units.

    `fit(frame, split)` validates the frame, cuts it chronologically, fits
    the per-series target scalers, the covariate scalers and the categorical
    vocabularies on the **training period only**, and stores the frame once
    as scaled float32 arrays. `windows(part)` then serves the train,
    validation or test windows as a `keras.utils.PyDataset` yielding
    `((static, dynamic, future), y)`.

    Inputs (all float32; `B` windows, `T` lookback, `H` horizon):
    - static `(B, S)`: numeric static columns and, if
      `spec.static_target_stats`, each target's mean and log standard
      deviation (of the series' training period with `scaling="series"`, of
      the window's lookback with `scaling="window"`; standardised across
      series), then the static categorical columns: raw 0/1 one-hot
      columns for those with at most `spec.static_one_hot_max` values (all
      zeros for a value unseen in training), then the codes of the others;
    - dynamic `(B, T, D)`: the O scaled targets, then the numeric and the
      categorical (codes) past-observed columns, then (with
      `missing="mask"`) the observed indicators of the target and numeric
      past columns that have missing values;
    - future `(B, H, F)`, or `(B, T + H, F)` when `spec.mode == "tft"`: the
      numeric and the categorical known-future columns, the calendar
      features, (with `missing="mask"`) the numeric future columns'
      observed indicators, then the seasonal lags;
    - y `(B, H, O)`: the scaled targets over the horizon (NaN where a
      masked target is missing: zero loss weight).
    An absent role gives a zero-width array (`(B, 0)`, `(B, H, 0)`).
    Categorical values are integer codes of `vocabulary` (0: unknown), held
    as floats; `model_dims()` gives the model their cardinalities.

    Args:
        spec: the `DatasetSpec`.

    Example:

    >>> from base_attentive.data import (ForecastDataset, ChronologicalSplit,
    ...     chicago_ridership_spec, load_chicago_ridership)
    >>> frame = load_chicago_ridership()
    >>> data = ForecastDataset(chicago_ridership_spec()).fit(
    ...     frame, split=ChronologicalSplit(validation=0.1, test=0.1))
    >>> train = data.windows("train", batch_size=64, shuffle=True, seed=0)
    >>> (static, dynamic, future), y = train[0]
    """

    def __init__(self, spec):
        if not isinstance(spec, DatasetSpec):
            raise TypeError(
                f"`spec` must be a DatasetSpec. Received: {type(spec).__name__}"
            )
        self.spec = spec
        self.freq = None
        self.boundaries = SplitBoundaries()
        self.series_ids = None
        self.skipped_series = []
        self.target_scaler = SeriesScaler(spec.target_scaler)
        self.past_scaler = SeriesScaler(spec.covariate_scaler)
        self.future_scaler = SeriesScaler(spec.covariate_scaler)
        self.static_scaler = SeriesScaler("standard")
        self.vocabulary = Vocabulary(spec.categorical_columns)
        self.target_stats = None
        # Columns with an observed-indicator input (missing="mask").
        self.indicators = {attribute: [] for attribute, _ in missing.ROLES}
        self.arrays = None
        self._frame = None

    @property
    def fitted(self):
        return self.series_ids is not None

    def _require_fitted(self):
        if not self.fitted:
            raise ValueError(
                "This ForecastDataset is not fitted: call `fit(frame, split)` "
                "or `ForecastDataset.load(path)` first."
            )

    def fit(self, frame, split=None):
        """Validates `frame`, fits scalers on its training period, stores it.

        Args:
            frame: long pandas DataFrame with the spec's columns.
            split: a `ChronologicalSplit`; default `None` means everything
                is training data.

        Returns:
            `self`, fitted.

        Raises:
            TypeError, ValueError: for bad data (see `DatasetSpec` policies),
            or a series without rows in the training period.
        """
        spec = self.spec
        split = split if split is not None else ChronologicalSplit()
        if not isinstance(split, ChronologicalSplit):
            raise TypeError(
                "`split` must be a ChronologicalSplit or None. Received: "
                f"{type(split).__name__}"
            )
        groups = plan_groups(frame, spec)
        # A frame of one group is prepared once; larger frames once per
        # pass, a group at a time (memory bounded by a group, not the frame).
        prepare = GroupPreparer(self, frame, groups)
        # 1. The time steps of the prepared frame, for the split.
        timelines, first_times = [], []
        for prepared in prepare():
            timelines.append(np.unique(prepared.times))
            first_times.append(prepared.times[prepared.offsets[:-1]])
            freq = prepared.freq
        if not any(len(times) for times in timelines):
            raise_all_short(
                len(groups.offsets) - 1, minimum_rows(spec), short_what(spec)
            )
        boundaries = split.resolve(np.unique(np.concatenate(timelines)))
        del timelines
        self.boundaries = boundaries
        first_times = np.concatenate(first_times)
        if boundaries.train_end is not None:
            first_times = first_times[first_times < boundaries.train_end]
        # 2. Scalers, statistics, vocabularies on the training rows.
        fitted, short, late, rows = GroupFit(self, len(first_times)), [], [], 0
        for prepared in prepare():
            short += prepared.skipped_series
            skipped = len(prepared.skipped_series)
            prepared = self._drop_series_without_training_rows(prepared, boundaries)
            late += prepared.skipped_series[skipped:]
            fitted.add(prepared)
            rows += len(prepared.times)
        fitted.finish(freq)
        self.skipped_series = short + late
        # 3. The scaled arrays, written group by group.
        self.arrays = concat_arrays(
            (
                self._to_arrays(prepared)
                for prepared in prepare(boundaries=boundaries)
                if prepared.num_series
            ),
            rows,
        )
        self._frame = frame
        return self

    def _codes(self, values, columns):
        """`(N, k)` float32 codes of categorical columns (0: unknown)."""
        out = np.zeros((values.shape[0], len(columns)), dtype=np.float32)
        for index, column in enumerate(columns):
            out[:, index] = self.vocabulary.encode(column, values[:, index])
        return out

    def _static_categories(self, values):
        """The static categorical block `(N, k)`: the one-hot columns of the
        small vocabularies (`spec.static_one_hot_max`), then the codes of the
        embedded ones."""
        columns = self.spec.static_categorical_columns
        one_hot = self.spec.static_one_hot(self.vocabulary)
        blocks = [
            self.vocabulary.one_hot(column, values[:, index])
            for index, column in enumerate(columns)
            if column in one_hot
        ]
        embedded = [i for i, column in enumerate(columns) if column not in one_hot]
        blocks.append(self._codes(values[:, embedded], [columns[i] for i in embedded]))
        return np.concatenate(blocks, axis=1)

    def _drop_series_without_training_rows(self, prepared, boundaries):
        if boundaries.train_end is None:
            return prepared
        first_times = prepared.times[prepared.offsets[:-1]]
        late = first_times >= boundaries.train_end
        if not late.any():
            return prepared
        if not self.spec.skip_short_series:
            late_ids = [repr(prepared.series_ids[i]) for i in np.flatnonzero(late)]
            raise DataError(
                f"Series {', '.join(late_ids[:5])} start on or after the end of "
                "the training period "
                f"({boundaries.train_end.astype('datetime64[s]')}), so no scaler "
                "can be fitted for them.",
                "late",
            )
        return prepared.select_series(~late)

    def _static_numeric(self, prepared, scaler_index, series_stats=False):
        """Raw numeric static features: static columns, then target stats
        (per series; with window scaling a placeholder, each window's own
        statistics are written at gather time, standardised like the series'
        statistics, which `series_stats=True` gives to fit the scaler)."""
        blocks = [prepared.static_numeric]
        if self.spec.static_target_stats:
            if self.spec.scaling == "window" and not series_stats:
                stats = np.zeros((len(scaler_index), self.target_stats.shape[1]))
            else:
                stats = self.target_stats[scaler_index]
            blocks.append(stats)
        return np.concatenate(blocks, axis=1)

    def _model_target(self, target):
        """Targets `(N, O)` in the model's scale (`spec.target_transform`)."""
        spec = self.spec
        return transform_target(target, spec.target_transform, spec.target_columns)

    def _scaler_index(self, series_ids):
        """Row of each series in the fitted per-series state; -1 for a series
        not seen at fit, which only window scaling can serve."""
        if self.spec.scaling != "window":
            check_known_series(series_ids, self.series_ids)
        position = {series: index for index, series in enumerate(self.series_ids)}
        return np.array([position.get(s, -1) for s in series_ids], dtype=np.int64)

    def _window_static(self):
        """Where and how window scaling writes each window's statistics into
        the static input: `(column, loc, scale)`, or None."""
        spec = self.spec
        if spec.scaling != "window" or not spec.static_target_stats:
            return None
        first = len(spec.static_numeric_columns)
        stop = first + self.target_stats.shape[1]
        return (
            first,
            self.static_scaler.loc[0, first:stop],
            self.static_scaler.scale[0, first:stop],
        )

    def _to_arrays(self, prepared):
        """Scales and encodes a prepared frame into `WindowArrays`."""
        spec = self.spec
        scaler_index = self._scaler_index(prepared.series_ids)
        rows = len(prepared.times)
        output_dim = prepared.target.shape[1]
        values = {"target": prepared.target, "past": prepared.past}
        values["future"] = prepared.future
        observed_dynamic = observed_future = np.zeros((rows, 0), np.float32)
        if spec.masked:  # inputs carried forward, plus observed indicators
            values, observed_dynamic, observed_future = missing.masked_inputs(
                prepared, spec, self.indicators
            )
        model_target = self._model_target(prepared.target)
        # The targets as the inputs read them (carried forward under the mask).
        target_input = (
            self._model_target(values["target"]) if spec.masked else model_target
        )
        past_codes = self._codes(
            prepared.past_categorical, spec.past_categorical_columns
        )
        numeric_end = output_dim + prepared.past.shape[1]
        codes_end = numeric_end + past_codes.shape[1]
        dynamic = np.empty((rows, codes_end + observed_dynamic.shape[1]), np.float32)
        if spec.scaling == "series":
            row_groups = scaler_index[prepared.row_series]
            _scale_into(
                dynamic[:, :output_dim], self.target_scaler, target_input, row_groups
            )
        else:  # each window scales its own lookback at gather time
            dynamic[:, :output_dim] = 0.0
        single = np.zeros(rows, dtype=np.int64)
        _scale_into(
            dynamic[:, output_dim:numeric_end], self.past_scaler, values["past"],
            single,
        )  # fmt: skip
        dynamic[:, numeric_end:codes_end] = past_codes
        dynamic[:, codes_end:] = observed_dynamic
        # The calendar features, once per distinct time (`RowTimes`), go
        # between the codes and the indicators when a batch is gathered.
        times = RowTimes.from_times(
            prepared.times,
            calendar=lambda timeline: calendar_features(
                timeline, spec.calendar_features, spec.holiday_country, spec.timezone
            ),
        )
        future_codes = self._codes(
            prepared.future_categorical, spec.future_categorical_columns
        )
        future_dim = prepared.future.shape[1]
        blocks = [future_codes, observed_future]
        future = np.empty(
            (rows, future_dim + sum(b.shape[1] for b in blocks)), np.float32
        )
        _scale_into(
            future[:, :future_dim], self.future_scaler, values["future"], single
        )
        future[:, future_dim:] = np.concatenate(blocks, axis=1)
        # Prediction frames leave targets / past covariates unknown on the
        # horizon rows; these rows are never read as inputs. Masked inputs
        # before a series' first observed value become 0, the training mean.
        np.nan_to_num(dynamic, copy=False, nan=0.0)
        np.nan_to_num(future, copy=False, nan=0.0)
        static_numeric = self.static_scaler.transform(
            self._static_numeric(prepared, scaler_index),
            np.zeros(prepared.num_series, dtype=np.int64),
        )
        static = np.concatenate(
            [static_numeric, self._static_categories(prepared.static_categorical)],
            axis=1,
        ).astype(np.float32)
        holiday_source = None
        if spec.holiday_lag is not None:
            holiday_source = holiday_source_rows(
                prepared.times, prepared.offsets, spec.holiday_country
            )
        return WindowArrays(
            dynamic=dynamic,
            future=future,
            static=static,
            target=prepared.target,
            times=times,
            offsets=prepared.offsets,
            series_ids=list(prepared.series_ids),
            scaler_index=scaler_index,
            **spec_arguments(spec),
            window_static=self._window_static(),
            holiday_lag=spec.holiday_lag,
            holiday_source=holiday_source,
            model_target=model_target,
            target_input=target_input if spec.masked else None,
            calendar_column=(
                future_dim + future_codes.shape[1] if times.calendar.shape[1] else None
            ),
        )

    def transform(self, frame):
        """Applies the fitted scalers and vocabularies to another frame.

        Args:
            frame: long DataFrame with the spec's columns and only series
                seen at fit time.

        Returns:
            `WindowArrays` of that frame.
        """
        self._require_fitted()
        return self._group_arrays(frame)

    def _group_arrays(self, frame, for_prediction=False):
        """`WindowArrays` of a frame of fitted series, prepared and written
        one group of series at a time."""
        spec = self.spec
        groups = plan_groups(frame, spec, freq=self.freq)
        parts = []
        for prepared in GroupPreparer(self, frame, groups)(
            for_prediction=for_prediction
        ):
            if not prepared.num_series:
                continue
            lookback = None
            if spec.masked and for_prediction:
                positions = np.arange(len(prepared.times))
                positions -= prepared.offsets[prepared.row_series]
                lookback = positions < spec.history_rows + spec.lookback
            if spec.masked:
                missing.check_indicated(prepared, spec, self.indicators, lookback)
            parts.append(self._to_arrays(prepared))
        if not parts:
            raise_all_short(
                len(groups.offsets) - 1,
                minimum_rows(spec, for_prediction),
                short_what(spec, for_prediction),
            )
        return concat_arrays(parts, sum(len(part.times) for part in parts))

    def feature_names(self):
        """Names of the features along the last axis of each input.

        Returns:
            dict with keys `"static"`, `"dynamic"`, `"future"`, `"target"`.
        """
        self._require_fitted()
        spec = self.spec
        stats = []
        if spec.static_target_stats:
            kind = "_window" if spec.scaling == "window" else ""
            stats = [f"{t}{kind}_mean" for t in spec.target_columns] + [
                f"{t}{kind}_log_std" for t in spec.target_columns
            ]
        past = list(spec.past_numeric_columns + spec.past_categorical_columns)
        future = list(spec.future_numeric_columns + spec.future_categorical_columns)
        observed_dynamic, observed_future = missing.indicator_names(self.indicators)
        one_hot = spec.static_one_hot(self.vocabulary)
        return {
            "static": list(spec.static_numeric_columns)
            + stats
            + [n for c in one_hot for n in self.vocabulary.one_hot_names(c)]
            + [c for c in spec.static_categorical_columns if c not in one_hot],
            "dynamic": list(spec.target_columns) + past + observed_dynamic,
            "future": future
            + calendar_feature_names(spec.calendar_features, spec.holiday_country)
            + observed_future
            + [
                f"{t}_lag{lag}"
                for lag in spec.seasonal_lags
                for t in spec.target_columns
            ],
            "target": list(spec.target_columns),
        }

    def cardinalities(self):
        """Cardinality of each feature of each input: 0 for a real feature
        (a one-hot column included), the number of codes (vocabulary +
        unknown) for an embedded categorical one.

        Returns:
            dict with keys `"static"`, `"dynamic"`, `"future"`, lists
            parallel to `feature_names()`.
        """
        names = self.feature_names()
        spec = self.spec
        one_hot = spec.static_one_hot(self.vocabulary)
        groups = {
            "static": [c for c in spec.static_categorical_columns if c not in one_hot],
            "dynamic": spec.past_categorical_columns,
            "future": spec.future_categorical_columns,
        }
        return {
            group: [
                self.vocabulary.cardinality(name) if name in categorical else 0
                for name in names[group]
            ]
            for group, categorical in groups.items()
        }

    def model_dims(self):
        """Input dimensions (and categorical cardinalities) for the
        `BaseAttentive` constructor.

        Returns:
            dict with `static_input_dim` (S), `dynamic_input_dim` (D),
            `future_input_dim` (F), `output_dim` (O) and
            `static_cardinalities`, `dynamic_cardinalities`,
            `future_cardinalities` (None for an input without categorical
            features).

        Example:

        >>> from base_attentive import BaseAttentive
        >>> from base_attentive.data import (ForecastDataset,
        ...     chicago_ridership_spec, load_chicago_ridership)
        >>> data = ForecastDataset(chicago_ridership_spec()).fit(
        ...     load_chicago_ridership(start="2016-01-01"))
        >>> model = BaseAttentive(**data.model_dims(),
        ...                       forecast_horizon=data.spec.forecast_horizon,
        ...                       mode=data.spec.mode, quantiles=[0.1, 0.5, 0.9])
        """
        names = self.feature_names()
        dims = {
            "static_input_dim": len(names["static"]),
            "dynamic_input_dim": len(names["dynamic"]),
            "future_input_dim": len(names["future"]),
            "output_dim": len(names["target"]),
        }
        for group, values in self.cardinalities().items():
            dims[f"{group}_cardinalities"] = values if any(values) else None
        dims["static_one_hot"] = self.one_hot_groups()
        return dims

    def one_hot_groups(self):
        """Per static feature, 0 or the number `g >= 1` of the one-hot
        encoded category (`spec.static_one_hot_max`) the column belongs to;
        None when there is none. `BaseAttentive(static_one_hot=...)`.

        The static input is `[numeric, one-hot blocks, embedded codes]`
        (see the class docstring), so the blocks sit between the two."""
        one_hot = self.spec.static_one_hot(self.vocabulary)
        if not one_hot:
            return None
        blocks = [
            [number] * len(self.vocabulary.values[column])
            for number, column in enumerate(one_hot, start=1)
        ]
        width = sum(len(block) for block in blocks)
        embedded = len(self.spec.static_categorical_columns) - len(one_hot)
        numeric = len(self.feature_names()["static"]) - width - embedded
        return [0] * numeric + [g for block in blocks for g in block] + [0] * embedded

    def unseen_one_hot(self, arrays):
        """The series of `arrays` whose value of a one-hot static category
        was not seen in training (its columns all zero).

        Returns:
            dict `{column: [series id, ...]}`, only columns with such series.
        """
        groups = self.one_hot_groups()
        if groups is None:
            return {}
        groups = np.asarray(groups)
        found = {}
        for number, column in enumerate(self.spec.static_one_hot(self.vocabulary), 1):
            zero = ~arrays.static[:, groups == number].any(axis=1)
            if zero.any():
                found[column] = [arrays.series_ids[i] for i in np.flatnonzero(zero)]
        return found

    def windows(
        self,
        part="train",
        *,
        frame=None,
        batch_size=32,
        shuffle=False,
        seed=None,
        **pydataset_kwargs,
    ):
        """Lazy windows of one period, as a `keras.utils.PyDataset`.

        Args:
            part: `"train"`, `"validation"`, `"test"` (periods of the split
                given to `fit`) or `"all"`.
            frame: window another frame with the fitted scalers (e.g. newer
                data after `load`); default the frame given to `fit`.
            batch_size: windows per batch; the last batch may be smaller.
            shuffle: reshuffle the windows every epoch. Default `False`.
            seed: seed for the shuffling.
            **pydataset_kwargs: `workers`, `use_multiprocessing`,
                `max_queue_size` for `keras.utils.PyDataset`.

        With `missing="mask"`, windows without an observed target in their
        horizon (or up to their origin) are left out; `unobserved_windows`
        of the result counts them.

        Returns:
            `WindowDataset` yielding `((static, dynamic, future), y)`.

        Raises:
            ValueError: if the period holds no complete window.
        """
        self._require_fitted()
        if frame is None and self.arrays is None:
            raise ValueError("No frame stored after `load`: pass `frame=`.")
        arrays = self.arrays if frame is None else self.transform(frame)
        starts = arrays.window_starts()[0]  # each window's series: from its start
        mask = self._period_mask(arrays, starts, part)
        mask, unobserved = self._drop_unobserved(arrays, starts, mask)
        if not mask.any():
            raise ValueError(
                f"The {part!r} period holds no complete window of lookback="
                f"{self.spec.lookback} + forecast_horizon="
                f"{self.spec.forecast_horizon} steps with every target inside "
                f"it (split: {self.boundaries.to_dict()}). Use a longer period "
                "or a shorter horizon."
            )
        from base_attentive.data.windows import WindowDataset

        windows = WindowDataset(
            arrays,
            compress(starts, mask),
            None,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            **pydataset_kwargs,
        )
        windows.unobserved_windows = unobserved
        return windows

    def _period_mask(self, arrays, starts, part):
        """`boundaries.window_mask` of the windows `starts`, by chunks of
        windows (bounds the target-time temporaries on large panels)."""
        mask = np.empty(len(starts), dtype=bool)
        for first in range(0, len(starts), _CHUNK_ROWS):
            chunk = slice(first, first + _CHUNK_ROWS)
            mask[chunk] = self.boundaries.window_mask(
                part, *arrays.target_times(starts[chunk])
            )
        return mask

    def _drop_unobserved(self, arrays, starts, mask):
        """`(mask, count)`: with missing="mask", `mask` without the windows
        that `missing.usable_windows` rejects, and how many those were."""
        if not self.spec.masked:
            return mask, 0
        usable = missing.usable_windows(arrays, starts)
        return mask & usable, int((mask & ~usable).sum())

    def backtest_windows(self, frame, start, *, stride=1, end=None, batch_size=256):
        """Rolling-origin windows of `frame` for a backtest.

        A window's forecast origin is its last lookback step. The windows
        kept have their origin at `start` (the first time step at or after
        it) or every `stride` time steps after it, and a full horizon of
        rows inside their series (observed targets, since the frame is
        prepared with the spec's missing-value policy).

        Args:
            frame: a long DataFrame of series seen at fit time.
            start: the first forecast origin (a time).
            stride: steps between consecutive origins (int >= 1).
            end: the last forecast origin, or None (as long as a full
                horizon follows).
            batch_size: windows per batch.

        Returns:
            `WindowDataset` with targets, not shuffled.

        Raises:
            ValueError: if no window has its origin on that grid.
        """
        self._require_fitted()
        if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
            raise ValueError(f"`stride` must be an integer >= 1. Received: {stride!r}")
        arrays = self.transform(frame)
        starts, window_series = arrays.window_starts()
        timeline = arrays.times.timeline
        origins = arrays.times[arrays.origin_rows(starts)]
        first = np.searchsorted(timeline, to_datetime64_ns(start))
        steps = np.searchsorted(timeline, origins) - first
        mask = (steps >= 0) & (steps % stride == 0)
        if end is not None:
            mask &= origins <= to_datetime64_ns(end)
        mask, unobserved = self._drop_unobserved(arrays, starts, mask)
        if not mask.any():
            raise ValueError(
                f"No window of the frame has its forecast origin at or after "
                f"start={start!s} (every {stride} step(s)) with "
                f"{self.spec.forecast_horizon} observed steps after it. The "
                f"frame's last time is {format_time(timeline[-1])}."
            )
        from base_attentive.data.windows import WindowDataset

        windows = WindowDataset(
            arrays, starts[mask], window_series[mask], batch_size=batch_size
        )
        windows.unobserved_windows = unobserved
        return windows

    def prediction_windows(self, frame=None, *, batch_size=256):
        """One window per series, forecasting past its last observed target.

        The lookback covers the last `lookback` rows with an observed target;
        the horizon is the next `forecast_horizon` rows, whose known-future
        columns must be in the frame (target missing is fine). Without
        known-future columns, the horizon timestamps are generated from the
        frequency and only calendar features are computed.

        Args:
            frame: a long DataFrame (default: the frame given to `fit`);
                its series must have been seen at fit time, except with
                `scaling="window"`, which needs no per-series statistics
                (a new series' id is the unknown category).
            batch_size: windows per batch.

        Returns:
            `WindowDataset` yielding `(x,)` batches, for `model.predict`.
        """
        from base_attentive.data.windows import WindowDataset

        return WindowDataset(
            *self._prediction_index(frame), batch_size=batch_size, with_targets=False
        )

    def prediction_batches(self, frame=None, *, batch_size=256):
        """The windows of `prediction_windows` as NumPy batches, no Keras.

        For serving runtimes (ONNX Runtime): same windows, same order, same
        arrays; see `base_attentive.data.window_batches.WindowBatches`.

        Returns:
            `WindowBatches` yielding `(static, dynamic, future)` batches.
        """
        from base_attentive.data.window_batches import WindowBatches

        return WindowBatches(*self._prediction_index(frame), batch_size=batch_size)

    def _prediction_index(self, frame):
        """`(arrays, starts, window_series)` of the prediction windows."""
        self._require_fitted()
        frame = self._frame if frame is None else frame
        if frame is None:
            raise ValueError("No frame stored after `load`: pass `frame=`.")
        arrays = self._group_arrays(frame, for_prediction=True)
        starts = arrays.offsets[:-1] + arrays.history
        return arrays, starts, np.arange(len(arrays.series_ids))

    def inverse_transform(self, values, series_ids):
        """Maps scaled target values back to original units (per-series
        scaling; with `scaling="window"` use `to_original_units`).

        Args:
            values: array `(N, ..., O)`, e.g. `(N, H, O)` point or
                `(N, H, Q, O)` quantile forecasts.
            series_ids: the series id of each of the N items.

        Returns:
            float64 array of the same shape, in original units.
        """
        self._require_fitted()
        if self.spec.scaling == "window":
            raise ValueError(
                "With scaling='window' each window has its own scale: map "
                "forecasts back with `to_original_units(values, windows)`."
            )
        values = self.target_scaler.inverse_transform(
            values, self._scaler_index(list(series_ids))
        )
        return inverse_target(values, self.spec.target_transform)

    def to_original_units(self, values, windows):
        """Maps the model outputs of `windows` back to original units.

        Works for both scalings: per series (the fitted target scaler of
        each window's series) and per window (the location and scale of
        each window's lookback), then the inverse of `spec.target_transform`.

        Args:
            values: array `(N, ..., O)` in scaled units, one item per window
                of `windows`, in window order (`shuffle=False`).
            windows: the `WindowDataset` the values were predicted from.

        Returns:
            float64 array of the same shape, in original units.
        """
        self._require_fitted()
        values = np.asarray(values, dtype=np.float64)
        if values.shape[:1] != (windows.num_windows,):
            raise ValueError(
                f"`values` must have one item per window ({windows.num_windows}). "
                f"Received: shape={values.shape}"
            )
        arrays = windows.arrays
        if self.spec.scaling == "window":
            loc, scale = arrays.window_stats(windows.starts)
            shape = (len(loc),) + (1,) * (values.ndim - 2) + (loc.shape[-1],)
            values = values * scale.reshape(shape) + loc.reshape(shape)
        else:
            groups = arrays.scaler_index[windows.window_series]
            values = self.target_scaler.inverse_transform(values, groups)
        return inverse_target(values, self.spec.target_transform)

    def forecast_frame(self, predictions, windows, quantiles=None):
        """Model predictions of `windows` as a long DataFrame, original units.

        See `base_attentive.data.forecast_frame.forecast_frame` for the
        columns.
        """
        self._require_fitted()
        return forecast_frame_module.forecast_frame(
            self, predictions, windows, quantiles
        )

    def save(self, path):
        """Writes the spec, split, scalers and vocabularies to a JSON file.

        No pickle and no data: pass a frame to `windows(frame=...)` or
        `prediction_windows(frame)` after `load`. Floats round-trip exactly.

        Args:
            path: file path (str or `os.PathLike`), e.g. `"dataset.json"`.
        """
        self._require_fitted()
        persistence.save_dataset(self, path)

    @classmethod
    def load(cls, path):
        """Rebuilds a fitted `ForecastDataset` (without data) from `save`.

        Args:
            path: the JSON file written by `save`.

        Returns:
            `ForecastDataset` that can window new frames of the same series
            and inverse-transform their forecasts.
        """
        return persistence.load_dataset(cls, path)
