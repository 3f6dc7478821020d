"""Per-group affine scaling with an exact inverse, serialisable to JSON."""

from __future__ import annotations

import numpy as np

SCALER_METHODS = ("standard", "robust", "none")


class SeriesScaler:
    """Affine scaler with one (location, scale) pair per group and column.

    `transform` computes `(x - loc) / scale` and `inverse_transform` computes
    `x * scale + loc`, both in float64, so the inverse is exact up to float
    rounding. Groups are series for targets (per-series scaling) and a single
    group for covariates (per-column scaling over all series).

    Args:
        method: `"standard"` (mean, standard deviation), `"robust"` (median,
            interquartile range; falls back to the standard deviation when
            the range is 0) or `"none"` (location 0, scale 1). A scale that
            is 0 (constant data, or a standard deviation of float
            round-off) becomes 1, so constant data is only centred. Default `"standard"`.

    Example:

    >>> import numpy as np
    >>> values = np.array([[1.0], [3.0], [10.0], [30.0]])
    >>> groups = np.array([0, 0, 1, 1])
    >>> scaler = SeriesScaler("standard").fit(values, groups, num_groups=2)
    >>> scaler.transform(values, groups).ravel().tolist()
    [-1.0, 1.0, -1.0, 1.0]
    """

    def __init__(self, method="standard"):
        if method not in SCALER_METHODS:
            raise ValueError(
                f"`method` must be one of {list(SCALER_METHODS)}. Received: "
                f"method={method!r}"
            )
        self.method = method
        self.loc = None
        self.scale = None

    @property
    def fitted(self):
        return self.loc is not None

    @property
    def num_groups(self):
        return 0 if self.loc is None else self.loc.shape[0]

    def fit(self, values, group_index, num_groups):
        """Fits one (location, scale) pair per group and column.

        Args:
            values: array `(N, C)` without NaN.
            group_index: int array `(N,)`, group of each row in
                `[0, num_groups)`.
            num_groups: number of groups; every group needs at least one row.

        Returns:
            `self`.

        Raises:
            ValueError: if a group has no row, or `values` holds NaN.
        """
        values = np.asarray(values, dtype=np.float64)
        group_index = np.asarray(group_index, dtype=np.int64)
        if values.ndim != 2 or group_index.shape != values.shape[:1]:
            raise ValueError(
                "`values` must be 2-D (N, C) with one group per row. Received: "
                f"values.shape={values.shape}, group_index.shape={group_index.shape}"
            )
        if np.isnan(values).any():
            raise ValueError("`values` must not hold NaN when fitting a scaler.")
        counts = np.bincount(group_index, minlength=num_groups)
        if (counts == 0).any():
            raise ValueError(
                "Every group needs at least one row to fit a scaler. Groups "
                f"without rows: {np.flatnonzero(counts == 0).tolist()}"
            )
        num_columns = values.shape[1]
        if self.method == "none" or num_columns == 0:
            loc = np.zeros((num_groups, num_columns))
            scale = np.ones((num_groups, num_columns))
        else:
            loc, std = _grouped_mean_std(values, group_index, num_groups, counts)
            scale = std
            if self.method == "robust":
                loc, iqr = _grouped_median_iqr(values, group_index, num_groups)
                scale = np.where(iqr > 0, iqr, std)
        self.loc, self.scale = loc, safe_scale(scale, loc)
        return self

    def _params(self, values, group_index):
        if not self.fitted:
            raise ValueError("This SeriesScaler is not fitted yet: call `fit` first.")
        group_index = np.asarray(group_index, dtype=np.int64)
        if (
            values.shape[:1] != group_index.shape
            or values.shape[-1] != (self.loc.shape[1])
        ):
            raise ValueError(
                "`values` must have shape (N, ..., C) with N = len(group_index) "
                f"and C = {self.loc.shape[1]}. Received: values.shape="
                f"{values.shape}, len(group_index)={group_index.shape[0]}"
            )
        shape = (values.shape[0],) + (1,) * (values.ndim - 2) + (values.shape[-1],)
        return self.loc[group_index].reshape(shape), self.scale[group_index].reshape(
            shape
        )

    def transform(self, values, group_index):
        """Scales `values`: `(x - loc[group]) / scale[group]`.

        Args:
            values: array `(N, ..., C)`; the first axis follows `group_index`,
                the last axis is the column.
            group_index: int array `(N,)`.

        Returns:
            float64 array with the shape of `values`.
        """
        values = np.asarray(values, dtype=np.float64)
        loc, scale = self._params(values, group_index)
        return (values - loc) / scale

    def inverse_transform(self, values, group_index):
        """Maps scaled values back to original units: `x * scale + loc`.

        Works for any number of middle axes, e.g. point forecasts
        `(B, H, O)` and quantile forecasts `(B, H, Q, O)`.

        Args:
            values: array `(N, ..., C)`.
            group_index: int array `(N,)`, the group of each leading item.

        Returns:
            float64 array with the shape of `values`.
        """
        values = np.asarray(values, dtype=np.float64)
        loc, scale = self._params(values, group_index)
        return values * scale + loc

    def to_dict(self):
        """JSON-serialisable state (floats round-trip exactly)."""
        return {
            "method": self.method,
            "loc": None if self.loc is None else self.loc.tolist(),
            "scale": None if self.scale is None else self.scale.tolist(),
        }

    @classmethod
    def from_dict(cls, state):
        scaler = cls(state["method"])
        if state.get("loc") is not None:
            scaler.loc = np.asarray(state["loc"], dtype=np.float64)
            scaler.scale = np.asarray(state["scale"], dtype=np.float64)
        return scaler


ROUND_OFF = 1e-9  # a scale below this share of |location| is float round-off


def safe_scale(scale, loc):
    """`scale` with every entry that is 0, not finite, or float round-off
    replaced by 1, so constant data is only centred.

    A constant column can have a standard deviation of round-off instead of
    0 (1.4e-17 for copies of 0.1 summed per group, 1e-19 for 48 copies of
    0.002): a scale below `ROUND_OFF` times the location's magnitude counts
    as 0, else it would blow up any value that differs from the constant.
    """
    usable = np.isfinite(scale) & (scale > ROUND_OFF * np.abs(np.nan_to_num(loc)))
    return np.where(usable & (scale > 0), scale, 1.0)


def _grouped_sum(values, group_index, num_groups):
    """Per-group column sums (`np.bincount` per column: fast for many rows)."""
    return np.stack(
        [
            np.bincount(group_index, weights=values[:, column], minlength=num_groups)
            for column in range(values.shape[1])
        ],
        axis=1,
    ).reshape(num_groups, values.shape[1])


def _grouped_mean_std(values, group_index, num_groups, counts):
    """Per-group mean and population standard deviation, vectorised."""
    if num_groups == 1:
        return values.mean(axis=0, keepdims=True), values.std(axis=0, keepdims=True)
    mean = _grouped_sum(values, group_index, num_groups) / counts[:, None]
    deviations = (values - mean[group_index]) ** 2
    variance = _grouped_sum(deviations, group_index, num_groups) / counts[:, None]
    return mean, np.sqrt(variance)


def _grouped_median_iqr(values, group_index, num_groups):
    """Per-group median and interquartile range (one sort per group)."""
    order = np.argsort(group_index, kind="stable")
    bounds = np.searchsorted(group_index[order], np.arange(num_groups + 1))
    median = np.empty((num_groups, values.shape[1]))
    iqr = np.empty_like(median)
    for group in range(num_groups):
        rows = values[order[bounds[group] : bounds[group + 1]]]
        q25, q50, q75 = np.percentile(rows, [25, 50, 75], axis=0)
        median[group], iqr[group] = q50, q75 - q25
    return median, iqr


class ColumnMoments:
    """Count, mean and sum of squared deviations of each column's observed
    (non-NaN) values, merged across groups of rows (Chan et al.'s pairwise
    update): a single-group standard scaler fitted without holding the rows.

    Added in one group, the result is `SeriesScaler("standard").fit` on that
    group, bit for bit (the same reductions: on all columns at once, or per
    column on its observed values when some are NaN, as
    `missing.fit_observed`); merged across groups it is equal up to
    float64 round-off.

    Args:
        columns: number of columns.
    """

    def __init__(self, columns):
        self.count = np.zeros(columns, dtype=np.int64)
        self.mean = np.zeros(columns)
        self.m2 = np.zeros(columns)

    def add(self, values):
        """Adds the rows `values` `(N, C)` (NaN: not observed)."""
        values = np.asarray(values, dtype=np.float64)
        if not values.size:
            return
        if not np.isnan(values).any():
            count = np.full(values.shape[1], len(values), dtype=np.int64)
            mean = values.mean(axis=0)
            m2 = ((values - mean) ** 2).sum(axis=0)
        else:
            count = np.zeros(values.shape[1], dtype=np.int64)
            mean, m2 = np.zeros(values.shape[1]), np.zeros(values.shape[1])
            for column in range(values.shape[1]):
                observed = values[~np.isnan(values[:, column]), column : column + 1]
                count[column] = len(observed)
                if len(observed):
                    mean[column] = observed.mean(axis=0)[0]
                    m2[column] = ((observed - mean[column]) ** 2).sum(axis=0)[0]
        first = self.count == 0
        total = np.maximum(self.count + count, 1)
        delta = mean - self.mean
        merged_mean = self.mean + delta * count / total
        merged_m2 = self.m2 + m2 + delta**2 * self.count * count / total
        # A column's first values are taken as they are (no round-off).
        self.mean = np.where(first, mean, merged_mean)
        self.m2 = np.where(first, m2, merged_m2)
        self.count = self.count + count

    def scaler(self, method):
        """A fitted single-group `SeriesScaler` (`"standard"` or `"none"`)."""
        scaler = SeriesScaler(method)
        columns = len(self.mean)
        if method == "none" or columns == 0:
            scaler.loc, scaler.scale = np.zeros((1, columns)), np.ones((1, columns))
        else:
            std = np.sqrt(self.m2 / np.maximum(self.count, 1))
            loc = self.mean[None, :]
            scaler.loc, scaler.scale = loc, safe_scale(std[None, :], loc)
        return scaler
