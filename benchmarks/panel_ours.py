"""One measurement of base-attentive on the synthetic panel (a child of
`panel.py`, run in a fresh process with `KERAS_BACKEND` set):

    python benchmarks/panel_ours.py --panel DIR [--train-batches 60]

Stages, each reported as soon as it is measured (`panel_data.emit`):

1. the raw table: the Parquet directory read into one pandas DataFrame;
2. data preparation: `ForecastDataset.fit` (validation, sorting,
   the chronological split, per-series target scalers, covariate scalers,
   vocabularies of the categorical columns, calendar features, the scaled
   float32 arrays) and the lazy training windows. The known-future `event`
   is one categorical column (`--event categorical`, embedded like the
   static categories) or its three 0/1 columns (`--event one-hot`,
   `panel_data.EVENT_ONE_HOT`, as first measured). Peak memory: the table's own size plus
   the most preparing added to the process's resident memory (the reader's
   freed buffers, which allocators keep, counted in neither);
3. window gathering alone: shuffled batches of the training windows,
   `WindowDataset[i]`, with no model;
4. training: `fit` on `--train-batches` batches, twice; windows per second
   over the second pass (the first compiles);
5. forecasting every series: the last `HORIZON` days of every series are
   the horizon (targets set missing, known-future columns kept);
   `prediction_windows(frame)` and `model.predict`, in original units
   (`inverse_transform`).
"""

# ruff: noqa: E402
import argparse
import time

import panel_data as panel

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--panel", required=True, help="the panel's Parquet directory")
parser.add_argument("--train-batches", type=int, default=60)
parser.add_argument("--gather-batches", type=int, default=400)
parser.add_argument("--event", choices=panel.EVENT_CHOICES, default="categorical")
args = parser.parse_args()

import keras
import numpy as np
import pandas as pd

import base_attentive
from base_attentive.data import ChronologicalSplit, DatasetSpec, ForecastDataset

keras.ops.ones(1)  # the framework's runtime is up: part of the baseline
panel.release_memory()
baseline_mb = panel.memory_mb()[0]
panel.emit(
    stage="start",
    backend=keras.backend.backend(),
    versions={
        "base-attentive": base_attentive.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
    },
    baseline_mb=baseline_mb,
)

started = time.perf_counter()
frame = panel.read_panel(args.panel)
table_mb = panel.table_mb(frame)
panel.emit(
    stage="table",
    rows=len(frame),
    num_series=int(frame[panel.ID_COLUMN].nunique()),
    table_mb=table_mb,
    read_seconds=time.perf_counter() - started,
)

panel.release_memory()
panel.reset_peak()
# What preparing adds to the table (read above, its reader's buffers
# released): the allocators keep some of the reader's freed memory, which
# is not the table's and not the preparation's.
before_prepare_mb = panel.memory_mb()[0]
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
dataset = ForecastDataset(spec).fit(
    frame, split=ChronologicalSplit(validation=panel.VALIDATION_STEPS)
)
train = dataset.windows("train", batch_size=panel.BATCH_SIZE, shuffle=True, seed=0)
prepare_seconds = time.perf_counter() - started
panel.emit(
    stage="prepare",
    prepare_seconds=prepare_seconds,
    prepare_peak_mb=table_mb + panel.memory_mb()[1] - before_prepare_mb,
    arrays_mb=dataset.arrays.nbytes / panel.MB,
    train_windows=train.num_windows,
    model_dims=dataset.model_dims(),
)

started = time.perf_counter()
count = min(args.gather_batches, len(train))
for index in range(count):
    train[index]
gather_seconds = time.perf_counter() - started
panel.emit(
    stage="gather",
    gather_windows_per_s=count * panel.BATCH_SIZE / gather_seconds,
    gather_batches=count,
)

model = base_attentive.BaseAttentive(
    **dataset.model_dims(),
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
model.fit(
    train,
    epochs=2,
    steps_per_epoch=min(args.train_batches, len(train)),
    callbacks=[timer],
    verbose=0,
)
windows_per_s = min(args.train_batches, len(train)) * panel.BATCH_SIZE / timer.seconds
panel.emit(
    stage="train",
    train_windows_per_s=windows_per_s,
    epoch_seconds_estimate=train.num_windows / windows_per_s,
    params=int(model.count_params()),
)

# Every series ends on END_DATE: its last HORIZON days become the horizon
# to forecast (targets unknown, known-future columns given).
horizon_rows = frame[panel.TIME_COLUMN] > panel.END_DATE - pd.Timedelta(
    days=panel.HORIZON
)
frame.loc[horizon_rows, panel.TARGET_COLUMN] = np.nan
del horizon_rows
started = time.perf_counter()
to_forecast = dataset.prediction_windows(frame, batch_size=1024)
forecast = model.predict(to_forecast, verbose=0)
ids = np.asarray(to_forecast.arrays.series_ids, dtype=object)
dataset.inverse_transform(forecast, ids)
panel.emit(
    stage="forecast",
    forecast_seconds=time.perf_counter() - started,
    forecast_series=len(ids),
)
panel.emit(stage="done")
