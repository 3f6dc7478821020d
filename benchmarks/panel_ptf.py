"""One measurement of pytorch-forecasting on the synthetic panel (a child of
`panel.py`, run with the interpreter of its own virtual environment,
`/tmp/venv-ptf`, see docs/benchmarks.md):

    python benchmarks/panel_ptf.py --panel DIR [--train-batches 60]

The same stages as `panel_ours.py`, with pytorch-forecasting's own recipe
(its TFT tutorial) and the settings of `panel_data` (lookback 56, horizon
14, the last 28 days as validation, batch 128, width 32, 4 heads, dropout
0.1, quantile loss at 0.1 / 0.5 / 0.9, Adam at 1e-3):

2. data preparation: an integer `time_idx` (days since the first date) and
   the same calendar columns as ours, the training rows (`time_idx <=
   cutoff`), and `TimeSeriesDataSet` with per-series target normalisation
   (`GroupNormalizer`, no transformation: mean and standard deviation, as
   ours) and target scales as static inputs (ours adds each series' mean
   and log standard deviation), `event` as a known-future categorical
   (embedded), `domain`, `region`, `category` as static categoricals;
3. window gathering alone: batches of the training `DataLoader`
   (`__getitem__` + collate), no model;
4. training: a Lightning `Trainer` (CPU, no logger, no checkpointing, no
   progress bar, no validation) on `--train-batches` batches, two epochs;
   windows per second over the second;
5. forecasting every series: `TimeSeriesDataSet.from_dataset(...,
   predict=True)` (the last 14 days of every series as the horizon) and
   `model.predict(..., mode="quantiles")`.
"""

# ruff: noqa: E402
import argparse
import time

import panel_data as panel

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--panel", required=True, help="the panel's Parquet directory")
parser.add_argument("--train-batches", type=int, default=60)
parser.add_argument("--gather-batches", type=int, default=400)
args = parser.parse_args()

import lightning.pytorch as pl
import numpy as np
import pandas as pd
import pytorch_forecasting
import torch
from pytorch_forecasting import TemporalFusionTransformer, TimeSeriesDataSet
from pytorch_forecasting.data import GroupNormalizer
from pytorch_forecasting.metrics import QuantileLoss

torch.ones(1)
panel.release_memory()
baseline_mb = panel.memory_mb()[0]
panel.emit(
    stage="start",
    versions={
        "pytorch-forecasting": pytorch_forecasting.__version__,
        "lightning": pl.__version__,
        "torch": torch.__version__,
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
dates = frame[panel.TIME_COLUMN]
frame["time_idx"] = ((dates - dates.min()).dt.days).astype(np.int32)
for name, values in panel.calendar_columns(dates).items():
    frame[name] = values
del dates
cutoff = int(frame["time_idx"].max()) - panel.VALIDATION_STEPS
calendar = list(panel.calendar_columns(frame[panel.TIME_COLUMN][:1]))
training = TimeSeriesDataSet(
    frame[frame["time_idx"] <= cutoff],
    time_idx="time_idx",
    target=panel.TARGET_COLUMN,
    group_ids=[panel.ID_COLUMN],
    min_encoder_length=panel.LOOKBACK,
    max_encoder_length=panel.LOOKBACK,
    min_prediction_length=panel.HORIZON,
    max_prediction_length=panel.HORIZON,
    static_categoricals=list(panel.STATIC_CATEGORICAL),
    static_reals=list(panel.STATIC_NUMERIC),
    time_varying_known_categoricals=list(panel.FUTURE_CATEGORICAL),
    time_varying_known_reals=[*panel.FUTURE_NUMERIC, *calendar],
    time_varying_unknown_reals=[panel.TARGET_COLUMN, *panel.PAST_COLUMNS],
    target_normalizer=GroupNormalizer(groups=[panel.ID_COLUMN], transformation=None),
    add_target_scales=True,
)
loader = training.to_dataloader(train=True, batch_size=panel.BATCH_SIZE, num_workers=0)
panel.emit(
    stage="prepare",
    prepare_seconds=time.perf_counter() - started,
    prepare_peak_mb=table_mb + panel.memory_mb()[1] - before_prepare_mb,
    train_windows=len(training),
)

started = time.perf_counter()
count = 0
for _ in loader:
    count += 1
    if count == args.gather_batches:
        break
gather_seconds = time.perf_counter() - started
panel.emit(
    stage="gather",
    gather_windows_per_s=count * panel.BATCH_SIZE / gather_seconds,
    gather_batches=count,
)

pl.seed_everything(0, verbose=False)
model = TemporalFusionTransformer.from_dataset(
    training,
    hidden_size=panel.HIDDEN,
    attention_head_size=panel.NUM_HEADS,
    hidden_continuous_size=panel.HIDDEN // 2,
    lstm_layers=1,
    dropout=panel.DROPOUT,
    output_size=len(panel.QUANTILES),
    loss=QuantileLoss(list(panel.QUANTILES)),
    learning_rate=panel.LEARNING_RATE,
    optimizer="adam",
    logging_metrics=torch.nn.ModuleList([]),
)


class EpochTimer(pl.Callback):
    def on_train_epoch_start(self, trainer, pl_module):
        self.started = time.perf_counter()

    def on_train_epoch_end(self, trainer, pl_module):
        self.seconds = time.perf_counter() - self.started


timer = EpochTimer()
batches = min(args.train_batches, len(loader))
trainer = pl.Trainer(
    accelerator="cpu",
    devices=1,
    max_epochs=2,
    limit_train_batches=batches,
    limit_val_batches=0,
    num_sanity_val_steps=0,
    logger=False,
    enable_checkpointing=False,
    enable_progress_bar=False,
    enable_model_summary=False,
    callbacks=[timer],
)
trainer.fit(model, train_dataloaders=loader)
windows_per_s = batches * panel.BATCH_SIZE / timer.seconds
panel.emit(
    stage="train",
    train_windows_per_s=windows_per_s,
    epoch_seconds_estimate=len(training) / windows_per_s,
    params=sum(p.numel() for p in model.parameters()),
)

started = time.perf_counter()
to_forecast = TimeSeriesDataSet.from_dataset(
    training, frame, predict=True, stop_randomization=True
)
forecast = model.predict(
    to_forecast.to_dataloader(train=False, batch_size=1024, num_workers=0),
    mode="quantiles",
    trainer_kwargs={
        "accelerator": "cpu",
        "logger": False,
        "enable_progress_bar": False,
        "enable_model_summary": False,
    },
)
panel.emit(
    stage="forecast",
    forecast_seconds=time.perf_counter() - started,
    forecast_series=int(forecast.shape[0]),
)
panel.emit(stage="done")
