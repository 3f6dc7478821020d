"""One measurement of base-attentive reading the panel's Parquet directory
lazily (`ParquetForecastDataset`), under a memory buffer smaller than the
table (a child of `panel.py`):

    python benchmarks/panel_stream.py --panel DIR --buffer-mb 256

The table is never read whole. Stages (as `panel_ours.py`):

- prepare: `ParquetForecastDataset(spec, DIR, buffer_mb).fit(split)`: the
  index pass (ids and times), then one streaming pass fitting every
  transform; peak memory above the baseline;
- gather, train: as `panel_ours.py`, on `windows("train")`, which reads
  one group of series at a time. Loading a group (read + prepare) is timed
  apart: windows per second are the batches' own rate, and the epoch
  estimate adds one load per group, as a full epoch pays;
- forecast: `forecast_frame(model, cutoff=...)`, every series, group by
  group (the last `HORIZON` days as the horizon, as in `panel_ours.py`);
- table, last: the size the whole table would take in pandas, from one
  file (`panel_data.table_mb` of the first file, scaled by rows); the
  table itself is never loaded.
"""

# ruff: noqa: E402
import argparse
import time
from pathlib import Path

import panel_data as panel

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--panel", required=True, help="the panel's Parquet directory")
parser.add_argument("--buffer-mb", type=float, default=256)
parser.add_argument("--train-batches", type=int, default=60)
parser.add_argument("--gather-batches", type=int, default=400)
parser.add_argument("--event", choices=panel.EVENT_CHOICES, default="categorical")
args = parser.parse_args()

import keras
import pandas as pd
import pyarrow.compute  # noqa: F401  (loaded before the baseline, as keras)
import pyarrow.dataset  # noqa: F401
import pyarrow.parquet as pq

import base_attentive
from base_attentive.data import (
    ChronologicalSplit,
    DatasetSpec,
    ParquetForecastDataset,
)

keras.ops.ones(1)
panel.release_memory()
baseline_mb = panel.memory_mb()[0]
panel.emit(
    stage="start",
    backend=keras.backend.backend(),
    versions={"base-attentive": base_attentive.__version__, "keras": keras.__version__},
    baseline_mb=baseline_mb,
    buffer_mb=args.buffer_mb,
)

panel.reset_peak()
started = time.perf_counter()
spec = DatasetSpec(
    time_column=panel.TIME_COLUMN,
    id_column=panel.ID_COLUMN,
    target_columns=panel.TARGET_COLUMN,
    static_columns=panel.STATIC_NUMERIC,
    past_columns=panel.PAST_COLUMNS,
    **panel.spec_columns(args.event),
    calendar_features=panel.CALENDAR,
    lookback=panel.LOOKBACK,
    forecast_horizon=panel.HORIZON,
    freq="D",
)
data = ParquetForecastDataset(spec, args.panel, buffer_mb=args.buffer_mb).fit(
    ChronologicalSplit(validation=panel.VALIDATION_STEPS)
)
train = data.windows("train", batch_size=panel.BATCH_SIZE, shuffle=True, seed=0)
# Group loads (read + prepare one group) are timed apart: a full epoch pays
# one per group, while a short measured pass would pay one per pass.
loads = []
group_arrays = data.group_arrays


def timed_group_arrays(number, frame=None):
    started = time.perf_counter()
    arrays = group_arrays(number, frame)
    loads.append(time.perf_counter() - started)
    return arrays


data.group_arrays = timed_group_arrays
panel.emit(
    stage="prepare",
    prepare_seconds=time.perf_counter() - started,
    prepare_peak_mb=panel.memory_mb()[1] - baseline_mb,
    train_windows=train.num_windows,
    num_series=len(data.dataset.series_ids),
    groups=len(data.groups),
)

train[0]  # the first group, loaded outside the timing
started, loaded = time.perf_counter(), len(loads)
count = min(args.gather_batches, len(train))
for index in range(count):
    train[index]
gather_seconds = time.perf_counter() - started - sum(loads[loaded:])
panel.emit(
    stage="gather",
    gather_windows_per_s=count * panel.BATCH_SIZE / gather_seconds,
    gather_batches=count,
    group_load_seconds=sum(loads) / len(loads),
)

model = base_attentive.BaseAttentive(
    **data.model_dims(),
    forecast_horizon=panel.HORIZON,
    quantiles=list(panel.QUANTILES),
    embed_dim=panel.HIDDEN,
    hidden_units=panel.HIDDEN,
    lstm_units=panel.HIDDEN,
    attention_units=panel.HIDDEN,
    num_heads=panel.NUM_HEADS,
    dropout_rate=panel.DROPOUT,
    num_encoder_layers=1,
)
model.compile(optimizer=keras.optimizers.Adam(panel.LEARNING_RATE), loss="auto")
model(list(train[0][0]))


class PassTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.started


timer = PassTimer()
batches = min(args.train_batches, len(train))
model.fit(train, epochs=1, steps_per_epoch=batches, verbose=0)  # compiles
loaded = len(loads)
model.fit(train, epochs=1, steps_per_epoch=batches, callbacks=[timer], verbose=0)
windows_per_s = batches * panel.BATCH_SIZE / (timer.seconds - sum(loads[loaded:]))
load_seconds = sum(loads) / len(loads)
panel.emit(
    stage="train",
    train_windows_per_s=windows_per_s,
    # Every window once, plus one load per group.
    epoch_seconds_estimate=train.num_windows / windows_per_s
    + len(data.groups) * load_seconds,
    group_load_seconds=load_seconds,
    params=int(model.count_params()),
)

started = time.perf_counter()
cutoff = panel.END_DATE - pd.Timedelta(days=panel.HORIZON - 1)
forecast = data.forecast_frame(
    model, quantiles=list(panel.QUANTILES), cutoff=cutoff, batch_size=1024
)
panel.emit(
    stage="forecast",
    forecast_seconds=time.perf_counter() - started,
    forecast_series=int(forecast[panel.ID_COLUMN].nunique()),
    run_peak_above_baseline_mb=panel.memory_mb()[1] - baseline_mb,
)
# Last, so that reading a sample cannot lower the measured peaks: the size
# the whole table would take in pandas, from its first file.
files = sorted(Path(args.panel).glob("*.parquet"))
rows = sum(pq.ParquetFile(path).metadata.num_rows for path in files)
sample = panel.read_panel_file(files[0])
panel.emit(
    stage="table",
    rows=rows,
    table_mb=panel.table_mb(sample) * rows / len(sample),
    table_estimated=True,
)
panel.emit(stage="done")
