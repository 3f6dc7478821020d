"""Fitting a `ForecastDataset`'s transforms one group of series at a time.

`GroupFit` takes prepared groups of whole series (`PreparedFrame`s, late
series already dropped) one after the other and fits what
`ForecastDataset` needs on the training period:

- per-series target scalers and target statistics: each series lies in one
  group, so they are exactly those of a fit on the whole frame;
- the covariate scalers, one location and scale per column over all series:
  `ColumnMoments` merged across groups (equal to the whole-frame fit up to
  float64 round-off; bit for bit with a single group). `"robust"` needs
  every value at once (medians): the training covariates are kept, as
  float64, until `finish`;
- the vocabularies (a sorted set of the training values of each column: the
  same from any grouping), the static scaler, and with `missing="mask"` the
  columns that get an observed indicator.

Both the in-memory dataset (`ForecastDataset.fit`, groups of a DataFrame:
`series_groups`) and the Parquet dataset (`ParquetForecastDataset.fit`,
groups read from files) fit through it.
"""

from __future__ import annotations

import types

import numpy as np
import pandas as pd

from base_attentive.data import missing
from base_attentive.data.scaling import ColumnMoments, SeriesScaler
from base_attentive.data.vocabulary import category_text


class GroupFit:
    """Accumulates the fitted state of a `ForecastDataset` over groups.

    Args:
        dataset: the unfitted `ForecastDataset` (its spec; its
            `boundaries` already resolved).
        num_series: the number of series of all groups together.
    """

    def __init__(self, dataset, num_series):
        spec = dataset.spec
        self.dataset = dataset
        self.num_series = num_series
        self.spec = spec
        self.robust = spec.covariate_scaler == "robust"
        self.moments = {
            "past": ColumnMoments(len(spec.past_numeric_columns)),
            "future": ColumnMoments(len(spec.future_numeric_columns)),
        }
        self.kept = {"past": [], "future": []}  # robust: the training values
        self.series_ids = []
        self.per_series = []  # target loc, scale, stats loc, scale; static
        self.static_categorical = []
        self.categories = {
            column: set()
            for column in spec.past_categorical_columns
            + spec.future_categorical_columns
        }
        self.has_missing = {attribute: None for attribute, _ in missing.ROLES}

    def add(self, prepared):
        """Fits on the training rows of one prepared group of series."""
        spec, dataset = self.spec, self.dataset
        if not prepared.num_series:
            return
        train_end = dataset.boundaries.train_end
        train_rows = slice(None)
        if train_end is not None:
            train_rows = prepared.times < train_end
        local = prepared.row_series[train_rows]
        ids = prepared.series_ids
        target = dataset._model_target(prepared.target)[train_rows]
        count = groups = prepared.num_series
        if count == 1 and self.num_series > 1:
            # `SeriesScaler.fit` reduces a single group with NumPy's
            # (pairwise) mean, several groups with sums in row order: pad a
            # second group, so that a series alone in its group is fitted
            # as among the others (bit for bit).
            target = np.concatenate([target, np.zeros((1, target.shape[1]))])
            local = np.append(local, 1)
            groups = 2
        names = list(ids) + ["(padding)"]
        scalers = [
            missing.fit_observed(
                SeriesScaler(method),
                target,
                local,
                groups,
                spec.target_columns,
                names,
            )
            for method in (spec.target_scaler, "standard")
        ]
        self.per_series.append(
            (
                scalers[0].loc[:count],
                scalers[0].scale[:count],
                scalers[1].loc[:count],
                scalers[1].scale[:count],
                prepared.static_numeric,
            )
        )
        self.static_categorical.append(prepared.static_categorical)
        self.series_ids += list(ids)
        for attribute in ("past", "future"):
            values = getattr(prepared, attribute)[train_rows]
            if self.robust:
                self.kept[attribute].append(values)
            else:
                self.moments[attribute].add(values)
        for values, columns in (
            (prepared.past_categorical, spec.past_categorical_columns),
            (prepared.future_categorical, spec.future_categorical_columns),
        ):
            for index, column in enumerate(columns):
                self.categories[column].update(
                    category_text(value)
                    for value in pd.unique(values[train_rows, index])
                )
        if spec.masked:
            for attribute, _ in missing.ROLES:
                found = np.isnan(getattr(prepared, attribute)).any(axis=0)
                known = self.has_missing[attribute]
                self.has_missing[attribute] = found if known is None else known | found

    def _covariate_scaler(self, attribute, columns):
        spec = self.spec
        if self.robust:
            values = np.concatenate(self.kept[attribute])
            self.kept[attribute] = []
            return missing.fit_observed(
                SeriesScaler(spec.covariate_scaler), values,
                np.zeros(len(values), dtype=np.int64), 1, columns,
            )  # fmt: skip
        moments = self.moments[attribute]
        if spec.masked:
            empty = np.flatnonzero(moments.count == 0)
            if len(empty):
                raise ValueError(
                    f"Column {columns[empty[0]]!r} has no observed value in the "
                    "training period, so no scaler can be fitted for it. Move the "
                    "split later, or leave out the column (or the series)."
                )
        return moments.scaler(spec.covariate_scaler)

    def finish(self, freq, sort_key=None):
        """Sets the fitted state on the dataset (the attributes `fit` and
        `ForecastDataset.load` set); returns the dataset.

        Args:
            freq: the frequency the groups were prepared with.
            sort_key: None: the series in the order their groups came;
                else sorted by this key.
        """
        spec, dataset = self.spec, self.dataset
        order = np.arange(len(self.series_ids))
        if sort_key is not None:
            order = np.array(
                sorted(order, key=lambda i: sort_key(self.series_ids[i])),
                dtype=np.int64,
            )
        target_loc, target_scale, stats_loc, stats_scale, static = (
            np.concatenate(part)[order] for part in zip(*self.per_series, strict=True)
        )
        dataset.series_ids = [self.series_ids[i] for i in order]
        dataset.freq = freq
        dataset.target_scaler.loc, dataset.target_scaler.scale = (
            target_loc,
            target_scale,
        )
        dataset.past_scaler = self._covariate_scaler("past", spec.past_numeric_columns)
        dataset.future_scaler = self._covariate_scaler(
            "future", spec.future_numeric_columns
        )
        dataset.target_stats = np.concatenate([stats_loc, np.log(stats_scale)], axis=1)
        if spec.masked:
            dataset.indicators = {
                attribute: [
                    column
                    for column, found in zip(
                        getattr(spec, field), self.has_missing[attribute], strict=True
                    )
                    if found
                ]
                for attribute, field in missing.ROLES
            }
        categorical = np.concatenate(self.static_categorical)[order]
        for index, column in enumerate(spec.static_categorical_columns):
            dataset.vocabulary.fit(column, categorical[:, index])
        for column, values in self.categories.items():
            dataset.vocabulary.fit(column, [v for v in values if v is not None])
        count = len(order)
        static_numeric = dataset._static_numeric(
            types.SimpleNamespace(static_numeric=static),
            np.arange(count),
            series_stats=True,
        )
        dataset.static_scaler.fit(static_numeric, np.zeros(count, dtype=np.int64), 1)
        return dataset
