"""`ParquetForecastDataset`: a long table larger than memory, read from a
directory of Parquet files one group of series at a time.

The table never has to fit in memory; only one group of whole series does,
sized to `buffer_mb`:

1. an index pass reads the series id and time columns only: rows per
   series, the files that hold each series, and the distinct time steps
   (for the chronological split);
2. one streaming pass reads every column, group by group, and fits what
   `ForecastDataset.fit` fits on the training period: per-series target
   scalers and statistics (exact: a series lies in one group), the
   covariate scalers (means and variances merged across groups, exact up
   to float rounding), the static scaler and the vocabularies of the
   categorical columns. Every group is validated as `ForecastDataset.fit`
   validates a frame, and its windows are counted;
3. `windows(part)` serves batches for `fit` / `evaluate` / `predict`
   (`base_attentive.data.parquet_windows.ParquetWindowDataset`), reading
   one group at a time; `forecast_frame(model)` forecasts every series,
   group by group.

The fitted state is an ordinary fitted `ForecastDataset` (`.dataset`): the
same scalers, encoder and split, `save` / `load` as JSON,
`inverse_transform`, `model_dims`. A group is turned into `WindowArrays` by
`ForecastDataset.transform`, the path in-memory tables take.

Row groups are the unit read (decoded whole, one at a time, then only the
group's rows kept). Reads are fastest when the table is stored by series (a
table sorted by series and written in parts): a group then reads only the
row groups of its series. Otherwise each group reads every row group
holding one of its series (correct, slower).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from base_attentive.data.calendar import calendar_feature_names
from base_attentive.data.dataset import ForecastDataset
from base_attentive.data.group_fit import GroupFit
from base_attentive.data.prepare import prepare_frame
from base_attentive.data.spec import DatasetSpec
from base_attentive.data.split import ChronologicalSplit
from base_attentive.data.window_arrays import WindowArrays, spec_arguments

__all__ = ["ParquetForecastDataset"]

MB = 1024.0**2
# Bytes one row takes while a group is read and prepared, per value of each
# kind (float64 working copies, the float32 arrays, index arrays), times a
# margin for pandas' and pyarrow's temporaries; checked by
# benchmarks/panel_stream.py against the measured peak.
_SAFETY = 2.0
_INDEX_BYTES = 48  # times, series codes, row groups, order (int64 / datetime64)


def _require_pyarrow():
    try:
        import pyarrow.dataset  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "Reading a Parquet dataset needs pyarrow (`pip install pyarrow`, "
            'or `pip install "base-attentive[all]"`).'
        ) from error


class ParquetForecastDataset:
    """A `ForecastDataset` over a Parquet directory, read per group of series.

    Args:
        spec: the `DatasetSpec` (its columns must be in the files).
        path: a directory of Parquet files (read with `pyarrow.dataset`; files
            starting with `_` or `.` are ignored), or a list of files.
        buffer_mb: memory, in MB, one group of series may take while it is
            read and prepared (default 256). Groups are sized from an
            estimate of the bytes per row; a single series that does not
            fit raises.

    Attributes (after `fit`):
        dataset: the fitted `ForecastDataset` (no frame stored).
        groups: list of lists of series ids, the groups read together.
        window_counts: `{part: int array}`, windows of each group per part.

    Example:

    >>> from pathlib import Path
    >>> from base_attentive import BaseAttentive
    >>> from base_attentive.data import (ChronologicalSplit,
    ...     chicago_ridership_spec, load_chicago_ridership)
    >>> frame = load_chicago_ridership(stations=["Austin", "Clark_Lake"],
    ...                                start="2016-01-01")
    >>> Path("rides").mkdir()
    >>> for station, rows in frame.groupby("station"):
    ...     rows.to_parquet(f"rides/{station}.parquet", index=False)
    >>> spec = chicago_ridership_spec()
    >>> data = ParquetForecastDataset(spec, "rides/", buffer_mb=512).fit(
    ...     ChronologicalSplit(validation=28))
    >>> data.groups
    [['Austin', 'Clark_Lake']]
    >>> model = BaseAttentive(**data.model_dims(),
    ...                       forecast_horizon=spec.forecast_horizon,
    ...                       quantiles=[0.1, 0.5, 0.9])
    >>> (static, dynamic, future), y = data.windows("train", batch_size=256)[0]
    >>> tuple(model([static, dynamic, future]).shape)[1:]
    (14, 3, 1)
    """

    def __init__(self, spec, path, *, buffer_mb=256):
        if not isinstance(spec, DatasetSpec):
            raise TypeError(
                f"`spec` must be a DatasetSpec. Received: {type(spec).__name__}"
            )
        if spec.id_column is None:
            raise ValueError(
                "A Parquet dataset is read per group of series, so the spec "
                "needs an `id_column`. Received: id_column=None"
            )
        if spec.covariate_scaler == "robust":
            raise ValueError(
                "`covariate_scaler='robust'` needs the median of every "
                "covariate over all series at once, which one streaming pass "
                "over groups cannot compute exactly. Use 'standard' or "
                "'none' with a Parquet dataset. Received: covariate_scaler="
                "'robust'"
            )
        if spec.masked:
            raise ValueError(
                "`missing='mask'` is not supported by the Parquet dataset yet: "
                "which columns get an observed indicator, and the scalers of "
                "the observed values, are fitted on the whole table. Use "
                "`ForecastDataset`, or `missing='raise'` with a `fill_missing` "
                "policy. Received: missing='mask'"
            )
        if spec.holiday_lag is not None:
            raise ValueError(
                "`holiday_lag` is not supported by the Parquet dataset yet: its "
                "windows read the holiday calendar of the in-memory dataset. "
                "Use `ForecastDataset`, or leave `holiday_lag=None`. Received: "
                f"holiday_lag={spec.holiday_lag}"
            )
        if isinstance(buffer_mb, bool) or not isinstance(buffer_mb, int | float):
            raise TypeError(f"`buffer_mb` must be a number. Received: {buffer_mb!r}")
        if not buffer_mb > 0:
            raise ValueError(f"`buffer_mb` must be > 0. Received: {buffer_mb}")
        _require_pyarrow()
        import pyarrow.dataset as ds

        self.spec = spec
        self.path = path
        self.buffer_mb = float(buffer_mb)
        # pyarrow's dataset discovery: the files of a directory (those
        # starting with "_" or "." are not data), and their common schema.
        source = ds.dataset(path, format="parquet")
        self._schema = source.schema
        self._files = list(source.files)
        missing = [c for c in spec.columns if c not in self._schema.names]
        if missing:
            raise ValueError(
                f"Columns {missing} of the spec are not in the Parquet dataset "
                f"{path!r}. Its columns: {self._schema.names}"
            )
        self.dataset = None
        self.groups = None
        self.window_counts = None
        self._parts = None
        self._row_group_rows = None

    # -- reading ---------------------------------------------------------

    def _row_bytes(self):
        """Estimated bytes per row: `(stored, prepared)`, the row as decoded
        from Parquet, and the row while a group is prepared."""
        import pyarrow as pa

        spec = self.spec
        stored = 0
        for name in spec.columns:
            kind = self._schema.field(name).type
            if pa.types.is_dictionary(kind):
                stored += kind.index_type.bit_width // 8
            elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
                stored += 16  # offsets and a few characters
            else:
                stored += max(kind.bit_width // 8, 1)
        values = (
            len(spec.target_columns)
            + len(spec.past_columns)
            + len(spec.future_columns)
            + len(spec.static_columns)
        )
        calendar = len(
            calendar_feature_names(spec.calendar_features, spec.holiday_country)
        )
        working = 8 * values + 8 * len(spec.categorical_columns) + 8 * calendar
        arrays = 4 * (values + calendar)
        # Arrow's table and pandas' frame of the group, the float64 working
        # copies, the float32 model arrays and the index arrays.
        prepared = _SAFETY * (2 * stored + working + arrays + _INDEX_BYTES)
        return _SAFETY * stored, prepared

    def _index(self):
        """Rows of every series, the row groups holding it, the time steps.

        Returns:
            `(rows, parts, timeline)`: `{series: rows}`, `{series: set of
            (file, row group)}`, the sorted distinct `datetime64[ns]` times.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        spec = self.spec
        rows, parts, times = {}, {}, []
        self._row_group_rows = {}
        for number, path in enumerate(self._files):
            reader = self._reader(number)
            for group in range(reader.num_row_groups):
                table = reader.read_row_group(
                    group, columns=[spec.id_column, spec.time_column], use_threads=False
                )
                self._row_group_rows[number, group] = table.num_rows
                ids = table.column(0)
                if pa.types.is_dictionary(ids.type):
                    ids = ids.dictionary_decode()
                if ids.null_count:
                    raise ValueError(
                        f"Series id column {spec.id_column!r} has missing values "
                        f"(in {path}); every row needs a series id."
                    )
                counted = pc.value_counts(ids)
                for series, count in zip(
                    counted.field("values").to_pylist(),
                    counted.field("counts").to_pylist(),
                    strict=True,
                ):
                    rows[series] = rows.get(series, 0) + count
                    parts.setdefault(series, set()).add((number, group))
                step = table.column(1).cast(pa.timestamp("ns"))
                times.append(np.asarray(pc.unique(step)).astype("datetime64[ns]"))
        if not rows:
            raise ValueError(f"The Parquet dataset {self.path!r} holds no rows.")
        timeline = np.unique(np.concatenate(times))
        return rows, parts, timeline

    def _reader(self, number):
        import pyarrow.parquet as pq

        return pq.ParquetFile(self._files[number], pre_buffer=False)

    def _plan_groups(self, rows, parts):
        """Whole series in storage order, each group within `buffer_mb`.

        A group's cost is its rows while prepared plus the largest row group
        it reads (row groups are decoded whole, one at a time).
        """
        stored, prepared = self._row_bytes()
        budget = self.buffer_mb * MB
        largest = max(self._row_group_rows.values()) * stored
        if largest + prepared > budget:
            raise ValueError(
                f"A row group of {max(self._row_group_rows.values()):,} rows takes "
                f"about {largest / MB:.3g} MB when decoded: more than "
                f"buffer_mb={self.buffer_mb:g}. Raise `buffer_mb` (to at least "
                f"{2 * largest / MB:.3g}), or write the files with smaller row "
                "groups."
            )
        order = sorted(rows, key=lambda series: (min(parts[series]), str(series)))
        groups, current, size = [], [], largest
        for series in order:
            need = rows[series] * prepared
            if need + largest > budget:
                raise ValueError(
                    f"Series {series!r} has {rows[series]:,} rows, about "
                    f"{(need + largest) / MB:.3g} MB while read and prepared: "
                    f"more than buffer_mb={self.buffer_mb:g}. Raise `buffer_mb` to "
                    f"at least {(need + largest) / MB:.3g}."
                )
            if current and size + need > budget:
                groups.append(current)
                current, size = [], largest
            current.append(series)
            size += need
        if current:
            groups.append(current)
        return groups

    def read_group(self, series):
        """The rows of `series` (a list of ids) as a pandas DataFrame.

        Reads only the row groups holding them, one at a time, only the
        spec's columns, and keeps the rows of these series.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        wanted = pa.array(list(series))
        pieces = []
        for number, group in sorted(set().union(*(self._parts[s] for s in series))):
            table = self._reader(number).read_row_group(
                group, columns=self.spec.columns, use_threads=False
            )
            ids = table.column(self.spec.id_column)
            if pa.types.is_dictionary(ids.type):
                ids = ids.dictionary_decode()
            pieces.append(table.filter(pc.is_in(ids, value_set=wanted)))
            del table, ids
        table = pa.concat_tables(pieces, promote_options="permissive")
        del pieces
        frame = table.to_pandas()
        del table
        pa.default_memory_pool().release_unused()
        return frame

    # -- fitting ---------------------------------------------------------

    def fit(self, split=None):
        """Indexes the files, then fits every transform in one streaming pass.

        Args:
            split: a `ChronologicalSplit` (default: everything is training).

        Returns:
            `self`, fitted.

        Raises:
            TypeError, ValueError: for bad data, as `ForecastDataset.fit`
            (naming the column or series), or a series larger than the
            buffer.
        """
        spec = self.spec
        split = split if split is not None else ChronologicalSplit()
        if not isinstance(split, ChronologicalSplit):
            raise TypeError(
                "`split` must be a ChronologicalSplit or None. Received: "
                f"{type(split).__name__}"
            )
        rows, parts, timeline = self._index()
        self._parts = parts
        boundaries = split.resolve(timeline)
        groups = self._plan_groups(rows, parts)
        template = ForecastDataset(spec)
        template.boundaries = boundaries
        fitted = GroupFit(template, len(rows))
        counts = {part: [] for part in ("train", "validation", "test")}
        kept_groups, skipped, freq = [], [], spec.freq
        for group in groups:
            prepared = prepare_frame(self.read_group(group), spec, freq=freq)
            freq = prepared.freq
            # Too short (with `skip_short_series`), or no training row.
            prepared = template._drop_series_without_training_rows(prepared, boundaries)
            skipped += prepared.skipped_series
            fitted.add(prepared)
            geometry = WindowArrays(
                dynamic=None,
                future=None,
                static=None,
                target=prepared.target,
                times=prepared.times,
                offsets=prepared.offsets,
                series_ids=prepared.series_ids,
                scaler_index=None,
                **spec_arguments(spec),
            )
            starts, _ = geometry.window_starts()
            first, last = geometry.target_times(starts)
            for part in counts:
                has_part = (
                    part == "train" or getattr(boundaries, f"{part}_start") is not None
                )
                counts[part].append(
                    int(boundaries.window_mask(part, first, last).sum())
                    if has_part
                    else 0
                )
            kept_groups.append(list(prepared.series_ids))
            del prepared, geometry, starts, first, last
        self.dataset = fitted.finish(freq, sort_key=_sort_key)
        self.dataset.skipped_series = skipped
        self.groups = kept_groups
        self.window_counts = {part: np.asarray(c) for part, c in counts.items()}
        return self

    # -- serving ---------------------------------------------------------

    def _require_fitted(self):
        if self.dataset is None:
            raise ValueError(
                "This ParquetForecastDataset is not fitted: call `fit(split)` first."
            )

    def model_dims(self):
        """Input dimensions for `BaseAttentive` (see `ForecastDataset`)."""
        self._require_fitted()
        return self.dataset.model_dims()

    def group_arrays(self, number, frame=None):
        """`WindowArrays` of group `number` (read now unless `frame` given)."""
        self._require_fitted()
        if frame is None:
            frame = self.read_group(self.groups[number])
        return self.dataset.transform(frame)

    def windows(self, part="train", *, batch_size=32, shuffle=False, seed=None):
        """Lazy windows of one period, read one group of series at a time.

        Args:
            part: `"train"`, `"validation"` or `"test"` (periods of the
                split given to `fit`).
            batch_size: windows per batch. Batches never mix groups, so the
                last batch of each group may be smaller.
            shuffle: shuffle the group order, and the windows within each
                group, every epoch.
            seed: seed of the shuffling.

        Returns:
            a `ParquetWindowDataset` (`keras.utils.PyDataset`) yielding
            `((static, dynamic, future), y)`.

        Raises:
            ValueError: if the period holds no window.
        """
        self._require_fitted()
        if part not in self.window_counts:
            raise ValueError(
                f"`part` must be one of {list(self.window_counts)}. Received: {part!r}"
            )
        if not self.window_counts[part].sum():
            raise ValueError(
                f"The {part!r} period holds no complete window (split: "
                f"{self.dataset.boundaries.to_dict()})."
            )
        from base_attentive.data.parquet_windows import ParquetWindowDataset

        return ParquetWindowDataset(
            self, part, batch_size=batch_size, shuffle=shuffle, seed=seed
        )

    def forecast_frame(self, model, *, quantiles=None, cutoff=None, batch_size=1024):
        """Forecasts every series from its end, group by group.

        Each group is read, turned into one prediction window per series
        (`ForecastDataset.prediction_windows`: the last `lookback` rows with
        an observed target, then `forecast_horizon` rows whose known-future
        columns must be in the files), predicted with `model.predict`, and
        mapped back to original units.

        Args:
            model: a trained model taking these inputs.
            quantiles: the model's quantile levels, if it forecasts
                quantiles (as in `ForecastDataset.forecast_frame`).
            cutoff: a time: targets at and after it are treated as unknown,
                so the forecasts start there (e.g. to forecast the last
                days of the files); None: after each series' last observed
                target.
            batch_size: windows per prediction batch.

        Returns:
            pandas DataFrame with the columns of
            `ForecastDataset.forecast_frame`, every series.
        """
        self._require_fitted()
        spec = self.spec
        frames = []
        for series in self.groups:
            frame = self.read_group(series)
            if cutoff is not None:
                late = frame[spec.time_column] >= pd.Timestamp(cutoff)
                frame.loc[late, list(spec.target_columns)] = np.nan
            windows = self.dataset.prediction_windows(frame, batch_size=batch_size)
            predictions = model.predict(windows, verbose=0)
            frames.append(self.dataset.forecast_frame(predictions, windows, quantiles))
        return pd.concat(frames, ignore_index=True)

    def save(self, path):
        """Writes the fitted transforms as JSON (`ForecastDataset.save`)."""
        self._require_fitted()
        self.dataset.save(path)


def _sort_key(series):
    """Series ids in `ForecastDataset`'s order (sorted, numbers before text)."""
    return (isinstance(series, str), series)
