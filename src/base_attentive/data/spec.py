"""`DatasetSpec`: which column plays which role, and the window geometry."""

from __future__ import annotations

import dataclasses

import pandas as pd

from base_attentive.data.calendar import CALENDAR_FEATURES
from base_attentive.data.target_transform import check_target_transform
from base_attentive.data.window_arrays import SCALINGS, history_rows

SCALERS = ("standard", "robust", "none")
FILL_POLICIES = ("raise", "ffill", "zero", "interpolate")
MISSING_POLICIES = ("raise", "mask")
MODES = (None, "tft")


def _as_column_tuple(value, argument):
    """Normalises a column argument (one name or a sequence) to a tuple."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    try:
        columns = tuple(value)
    except TypeError:
        raise TypeError(
            f"`{argument}` must be a column name or a list of column names. "
            f"Received: {argument}={value!r}"
        ) from None
    for column in columns:
        if not isinstance(column, str) or not column:
            raise TypeError(
                f"`{argument}` must hold non-empty column names (str). "
                f"Received: {argument}={value!r}"
            )
    if len(set(columns)) != len(columns):
        raise ValueError(
            f"`{argument}` lists a column twice. Received: {argument}={list(columns)}"
        )
    return columns


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """Column roles, window geometry and data policies of a forecasting dataset.

    A spec holds no data and fits nothing: `ForecastDataset(spec).fit(frame)`
    applies it to a long DataFrame (one row per series and time step).

    Args:
        time_column: name of the datetime column (strings are parsed with
            `pandas.to_datetime`; time-zone aware stamps are made naive).
        target_columns: the column(s) to forecast (`O = len(target_columns)`).
            They also open the dynamic input, scaled per series.
        lookback: number of past steps the model sees (`T`).
        forecast_horizon: number of steps to forecast (`H`).
        id_column: the series identifier; `None` means the frame is a
            single series.
        static_columns: numeric columns that are constant within a series
            (standard-scaled across series).
        categorical_columns: the columns, among the static, past and future
            columns, that hold categories (text or codes): each gets an
            integer vocabulary fitted on the training period (code 0 for a
            value not seen there) and, in the model, its own embedding. May
            include `id_column` (a static category: the series identity). A
            column listed here and in no other role is a static one. A
            static category with few values is one-hot encoded instead
            (see `static_one_hot_max`).
        past_columns: covariates observed up to the forecast origin only
            (they follow the targets in the dynamic input).
        future_columns: covariates known in advance over the horizon (the
            future input, followed by the calendar features).
        calendar_features: calendar features generated from the time column
            and appended to the future input. Any of `"hour"`,
            `"day_of_week"`, `"day_of_month"`, `"day_of_year"`, `"month"`
            (each encoded as a sin/cos pair), `"holiday"` (0/1),
            `"holiday_proximity"` (days to the next and since the last
            holiday, capped at a week, scaled to [0, 1]) and
            `"holiday_day_of_year"` (which holiday: the day of year as a
            sin/cos pair on holidays, 0 elsewhere) and `"holiday_name"`
            (which holiday: a 0/1 column `holiday=<name>` per holiday of
            `holiday_country`) and `"holiday_neighbours"` (which holiday
            is tomorrow or was yesterday: 0/1 columns `before=<name>` and
            `after=<name>`); the holiday features need the `holidays`
            package. Default `()`.
        holiday_country: country code for the holiday features, passed to
            `holidays.country_holidays`. Default `"US"`.
        freq: pandas frequency string of the series (`"D"`, `"h"`, `"MS"`);
            `None` infers it from the data at fit time.
        mode: `None` gives a future input over the horizon `(B, H, F)`;
            `"tft"` gives it over lookback + horizon `(B, T + H, F)`.
        target_scaler: `"standard"` (mean / standard deviation),
            `"robust"` (median / interquartile range) or `"none"`; fitted
            per series on the training part. Default `"standard"`.
        covariate_scaler: the same choices for past and future columns,
            fitted per column over all series on the training part.
            Calendar features are never scaled. Default `"standard"`.
        scaling: how targets are scaled: `"series"` (default) fits
            `target_scaler` per series on the training period; `"window"`
            scales each window by the location and scale of its own lookback
            (`target_scaler` names the statistics: `"standard"` mean and
            standard deviation, `"robust"` median and interquartile range),
            and forecasts are mapped back with that window's statistics.
            Window scaling follows level shifts (a station that lost riders
            since the training years) and serves series unseen in training.
        seasonal_lags: target values at seasonal offsets, given as
            known-future inputs: for each lag `L` and horizon step `h`, the
            latest value at the same phase known at the origin,
            `y[t + h - L k]` with `k = ceil(h / L)` (for `L = 7` on daily
            data, the same weekday last week, or two weeks back beyond a
            week; for `L = 364`, the same weekday a year before). Scaled
            like the target and appended to the future input after the
            calendar features. A lag longer than the lookback makes each
            window read `L - lookback` earlier rows, so the first rows of a
            series start no window. Default `()`.
        holiday_lag: one of `seasonal_lags` (the yearly one, e.g. 364 on
            daily data) that reads, on public holidays of `holiday_country`,
            the value on the same holiday a year before, when it fell on the
            same weekday, instead of the same weekday 52 weeks before (Labor
            Day 2015 reads Labor Day 2014, 53 weeks before); an ordinary day
            whose 52-week lag is a holiday reads 53 weeks back (the Monday
            before Labor Day 2015 skips Labor Day 2014). Each window then
            reads a week more history; see `base_attentive.data.holiday_lag`;
            needs the `holidays` package. Default None.
        target_transform: `"none"` (default) or `"log1p"`: the model
            learns `log(1 + y)` (scaled as `scaling` says) and its quantile
            forecasts are mapped back with `expm1`, exactly (see
            `base_attentive.data.target_transform`). Needs targets >= 0.
        static_target_stats: append each series' target location and log
            scale (from the fitted target scaler) to the static input, giving
            back the level that per-series scaling removes. Default `True`.
        fill_missing: how to repair NaN in targets and covariates so that
            they count as observed values (used with `missing="raise"`):
            `"raise"` (default) repairs nothing, so a NaN raises; `"ffill"`
            carries the last value forward within a series (leading NaN
            take the first value); `"zero"` writes 0; `"interpolate"`
            interpolates linearly within a series (edges take the nearest
            value). Filled targets are trained on and scored as if observed.
        fill_gaps: if `True`, series with missing time steps are reindexed to
            `freq` and the new rows filled with `fill_missing` (which must
            then not be `"raise"`). Default `False`: gaps raise.
        missing: what a missing value (a NaN, or a time step absent from the
            regular grid) means. `"raise"` (default): every value must be
            present once `fill_missing` / `fill_gaps` have repaired the data;
            a NaN left raises, naming the column, the series and the first
            time. `"mask"`: missing values stay missing, as such: gaps in the
            time grid become rows whose values are all missing; every target,
            past or future column with a missing value in the frame given to
            `fit` gets an observed-indicator input (1 observed, 0 missing);
            missing inputs are carried forward within their series (before
            the first observed value, the training mean: 0 once scaled);
            missing targets stay NaN in `y`, so the losses give them zero
            weight and the metrics leave them out; windows whose horizon has
            no observed target (or with no observed target up to their
            origin) are dropped and counted. `fill_missing` and `fill_gaps`
            must stay off with `"mask"` (see `base_attentive.data.missing`).
        skip_short_series: if `True`, series shorter than
            `lookback + forecast_horizon` are dropped (their ids are kept in
            `ForecastDataset.skipped_series`); default `False` raises.
        static_one_hot_max: a static categorical column with at most this
            many values in the training period reaches the model as raw 0/1
            columns, one per value (named `column=value`; a value unseen in
            training is all zeros), after the numeric static columns and the
            target statistics, instead of as one embedded code; larger
            vocabularies stay embedded, and 0 embeds every category. One-hot
            columns are real features to the model (cardinality 0);
            `category_dropout` zeroes each block whole (`model_dims()`'s
            `static_one_hot` tells the model where they are). Default 64 (20 one-hot
            stations beat one embedded station on the bundled Chicago data:
            docs/accuracy.md, rounds 5 and 6). Datasets saved before this
            option load with 0, as they were fitted.
        timezone: None (default), or the zone whose local time the
            calendar features describe (`"Europe/Paris"`, `"UTC+01:00"`).
            Times with a zone are read as UTC instants (see
            `validation.to_datetime_ns`), so an hourly series stays regular
            across daylight-saving changes; the calendar features then
            follow the local clock. `Forecaster` sets it from its data.

    Example:

    >>> spec = DatasetSpec(time_column="date", id_column="station",
    ...                    target_columns="rides", lookback=28,
    ...                    forecast_horizon=7,
    ...                    calendar_features=("day_of_week",))
    >>> spec.target_columns
    ('rides',)
    """

    time_column: str
    target_columns: tuple[str, ...]
    lookback: int
    forecast_horizon: int
    id_column: str | None = None
    static_columns: tuple[str, ...] = ()
    categorical_columns: tuple[str, ...] = ()
    past_columns: tuple[str, ...] = ()
    future_columns: tuple[str, ...] = ()
    calendar_features: tuple[str, ...] = ()
    holiday_country: str = "US"
    freq: str | None = None
    mode: str | None = None
    target_scaler: str = "standard"
    covariate_scaler: str = "standard"
    scaling: str = "series"
    seasonal_lags: tuple[int, ...] = ()
    holiday_lag: int | None = None
    target_transform: str = "none"
    static_target_stats: bool = True
    fill_missing: str = "raise"
    fill_gaps: bool = False
    skip_short_series: bool = False
    missing: str = "raise"
    timezone: str | None = None
    static_one_hot_max: int = 64

    def __post_init__(self):
        for name in (
            "target_columns",
            "static_columns",
            "categorical_columns",
            "past_columns",
            "future_columns",
            "calendar_features",
        ):
            object.__setattr__(self, name, _as_column_tuple(getattr(self, name), name))
        if not self.target_columns:
            raise ValueError(
                "`target_columns` must name at least one column. Received: "
                "target_columns=()"
            )
        for name in ("time_column", "id_column"):
            value = getattr(self, name)
            if (value is not None or name == "time_column") and (
                not isinstance(value, str) or not value
            ):
                raise TypeError(
                    f"`{name}` must be a column name (str). Received: {name}={value!r}"
                )
        for name in ("lookback", "forecast_horizon"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"`{name}` must be a positive integer. Received: {name}={value!r}"
                )
        self._check_choice("mode", MODES)
        self._check_choice("target_scaler", SCALERS)
        self._check_choice("covariate_scaler", SCALERS)
        self._check_choice("fill_missing", FILL_POLICIES)
        self._check_choice("missing", MISSING_POLICIES)
        self._check_choice("scaling", SCALINGS)
        if self.scaling == "window" and self.target_scaler == "none":
            raise ValueError(
                "`scaling='window'` scales each window by its lookback "
                "statistics, named by `target_scaler`: use 'standard' or "
                "'robust'. Received: target_scaler='none'"
            )
        self._check_seasonal_lags()
        limit = self.static_one_hot_max
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ValueError(
                "`static_one_hot_max` must be an integer >= 0 (0: embed every "
                f"category). Received: static_one_hot_max={limit!r}"
            )
        check_target_transform(self.target_transform)
        unknown = [f for f in self.calendar_features if f not in CALENDAR_FEATURES]
        if unknown:
            raise ValueError(
                f"`calendar_features` must be among {list(CALENDAR_FEATURES)}. "
                f"Received unknown: {unknown}"
            )
        if not isinstance(self.holiday_country, str) or not self.holiday_country:
            raise TypeError(
                "`holiday_country` must be a country code such as 'US'. "
                f"Received: holiday_country={self.holiday_country!r}"
            )
        if self.fill_gaps and self.fill_missing == "raise":
            raise ValueError(
                "`fill_gaps=True` adds rows that need values: choose "
                "`fill_missing` among 'ffill', 'zero', 'interpolate'. Received: "
                "fill_missing='raise'"
            )
        if self.masked and (self.fill_missing != "raise" or self.fill_gaps):
            raise ValueError(
                "`missing='mask'` keeps missing values missing (observed "
                "indicators, no loss on missing targets) and adds the missing "
                "time steps itself; `fill_missing` and `fill_gaps` repair "
                "them into observed values instead. Choose one. Received: "
                f"missing='mask', fill_missing={self.fill_missing!r}, "
                f"fill_gaps={self.fill_gaps!r}"
            )
        self._check_roles_disjoint()
        self._check_timezone()

    def _check_timezone(self):
        if self.timezone is None:
            return
        try:
            pd.Timestamp(0, tz="UTC").tz_convert(self.timezone)
        except (TypeError, ValueError, KeyError) as error:
            raise ValueError(
                "`timezone` must be a time zone name such as 'Europe/Paris' or "
                f"'UTC'. Received: timezone={self.timezone!r} ({error})"
            ) from None

    def _check_seasonal_lags(self):
        lags = self.seasonal_lags
        if isinstance(lags, int) and not isinstance(lags, bool):
            lags = (lags,)
        try:
            lags = tuple(lags)
        except TypeError:
            raise TypeError(
                "`seasonal_lags` must be a sequence of positive integers. "
                f"Received: seasonal_lags={self.seasonal_lags!r}"
            ) from None
        for lag in lags:
            if isinstance(lag, bool) or not isinstance(lag, int) or lag < 1:
                raise ValueError(
                    "`seasonal_lags` must hold positive integers (steps). "
                    f"Received: seasonal_lags={list(lags)}"
                )
        if len(set(lags)) != len(lags):
            raise ValueError(
                f"`seasonal_lags` lists a lag twice. Received: seasonal_lags={list(lags)}"
            )
        object.__setattr__(self, "seasonal_lags", lags)
        if self.holiday_lag is not None and self.holiday_lag not in lags:
            raise ValueError(
                "`holiday_lag` must be one of `seasonal_lags` (the yearly lag). "
                f"Received: holiday_lag={self.holiday_lag!r}, "
                f"seasonal_lags={list(lags)}"
            )

    @property
    def history_rows(self):
        """Rows a window reads before its lookback (for `seasonal_lags`)."""
        return history_rows(
            self.lookback,
            self.forecast_horizon,
            self.seasonal_lags,
            self.mode,
            self.holiday_lag,
        )

    def _check_choice(self, name, choices):
        value = getattr(self, name)
        if value not in choices:
            raise ValueError(
                f"`{name}` must be one of {list(choices)}. Received: {name}={value!r}"
            )

    def _check_roles_disjoint(self):
        roles = {
            "time_column": (self.time_column,),
            "id_column": (self.id_column,) if self.id_column else (),
            "target_columns": self.target_columns,
            "static_columns": self.static_columns,
            "past_columns": self.past_columns,
            "future_columns": self.future_columns,
        }
        seen = {}
        for role, columns in roles.items():
            for column in columns:
                if column in seen:
                    raise ValueError(
                        f"Column {column!r} is given two roles: `{seen[column]}` "
                        f"and `{role}`. Each column has one role (name "
                        "categories in `categorical_columns` on top of it)."
                    )
                seen[column] = role
        for column in self.categorical_columns:
            if seen.get(column) in ("time_column", "target_columns"):
                raise ValueError(
                    f"Column {column!r} is a `{seen[column]}` and cannot be "
                    "categorical: `categorical_columns` names static, past or "
                    "future columns (or the id column)."
                )

    def _categorical_in(self, columns):
        return tuple(c for c in columns if c in self.categorical_columns)

    @property
    def static_categorical_columns(self):
        """Static categorical columns: the id column when categorical, those
        of `static_columns`, and categorical columns with no other role."""
        roles = set(self.past_columns) | set(self.future_columns)
        roles |= {self.time_column, *self.target_columns}
        return tuple(
            c
            for c in self.categorical_columns
            if c == self.id_column or c in self.static_columns or c not in roles
        )

    def static_one_hot(self, vocabulary):
        """The static categorical columns one-hot encoded with the fitted
        `vocabulary` (at most `static_one_hot_max` values), in order."""
        limit = self.static_one_hot_max
        return tuple(
            c
            for c in self.static_categorical_columns
            if len(vocabulary.values[c]) <= limit
        )

    def _numeric_in(self, columns):
        """The columns of `columns` that are not categorical, in order."""
        return tuple(c for c in columns if c not in self.categorical_columns)

    @property
    def static_numeric_columns(self):
        return self._numeric_in(self.static_columns)

    @property
    def past_numeric_columns(self):
        return self._numeric_in(self.past_columns)

    @property
    def past_categorical_columns(self):
        return self._categorical_in(self.past_columns)

    @property
    def future_numeric_columns(self):
        return self._numeric_in(self.future_columns)

    @property
    def future_categorical_columns(self):
        return self._categorical_in(self.future_columns)

    @property
    def masked(self):
        """True with `missing="mask"`."""
        return self.missing == "mask"

    @property
    def reindexes_gaps(self):
        """Whether gaps in the time grid become rows (`fill_gaps` or mask)."""
        return self.fill_gaps or self.masked

    @property
    def columns(self):
        """All frame columns the spec reads, in role order (no duplicates)."""
        ordered = [self.time_column]
        if self.id_column:
            ordered.append(self.id_column)
        for group in (
            self.target_columns,
            self.static_columns,
            self.categorical_columns,
            self.past_columns,
            self.future_columns,
        ):
            ordered.extend(c for c in group if c not in ordered)
        return ordered

    def to_dict(self):
        """Returns the spec as a JSON-serialisable dict (lists for tuples)."""
        return {
            field.name: (
                list(value)
                if isinstance(value := getattr(self, field.name), tuple)
                else value
            )
            for field in dataclasses.fields(self)
        }

    @classmethod
    def from_dict(cls, config):
        """Rebuilds a spec from `to_dict()` output.

        Raises:
            ValueError: if `config` has keys that are not spec fields.
        """
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(
                f"Unknown DatasetSpec fields {unknown}. Expected a subset of "
                f"{sorted(known)}"
            )
        return cls(**config)

    def replace(self, **changes):
        """Returns a copy of the spec with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)
