"""pytorch-forecasting's TemporalFusionTransformer on the REF windows.

One measurement in a fresh process, run by ``ref_workload.py --impl ptf``
(never imported) with the interpreter of its own virtual environment
(``pytorch-forecasting`` + ``lightning``, see ``docs/benchmarks.md``)::

    python benchmarks/measure_ptf.py --impl ptf --backend torch --encoder tft

pytorch-forecasting cuts its windows from a long DataFrame, so the REF
windows are made as 64 random float32 series whose lengths yield exactly
``n_windows`` windows of 48 encoder steps and 24 prediction steps, with 4
static reals, 8 unknown (past) reals, 6 known reals and 2 targets (the same
shapes and count as ``workload.make_windows``; the values do not change the
cost).
Targets use an identity normalizer and the training step computes no
logging metrics, so that the figures are the model's own cost.

What is timed:
- import: ``import pytorch_forecasting`` in a fresh process;
- build: ``TimeSeriesDataSet`` + ``TemporalFusionTransformer.from_dataset`` +
  the first forward pass on one batch of 32;
- inference: median ms of ``model(x)`` on one collated batch of 32, in eval
  mode under ``torch.no_grad()`` (the raw forward pass, no ``predict``
  DataLoader machinery);
- training: a Lightning ``Trainer`` (CPU, no logger, no checkpointing, no
  progress bar, no validation), samples per second over the last epoch, timed
  from ``on_train_epoch_start`` to ``on_train_epoch_end``: DataLoader
  (``__getitem__`` + collate), forward, ``MultiLoss`` of two ``QuantileLoss``,
  backward and Adam step.
"""

# ruff: noqa: E402  (every other import follows the timed package import)
import time

_start = time.perf_counter()
import pytorch_forecasting

IMPORT_SECONDS = time.perf_counter() - _start

import statistics

import lightning.pytorch as pl
import numpy as np
import pandas as pd
import torch
from pytorch_forecasting import TemporalFusionTransformer, TimeSeriesDataSet
from pytorch_forecasting.data import MultiNormalizer, TorchNormalizer
from pytorch_forecasting.metrics import MultiLoss, QuantileLoss

import child
import workload

N_SERIES = 64


def build_frame(n_windows, lookback, seed):
    """Long DataFrame of ``N_SERIES`` random series yielding ``n_windows``."""
    if n_windows % N_SERIES:
        raise ValueError(
            f"`n_windows` must be a multiple of {N_SERIES}. Received: {n_windows}"
        )
    length = n_windows // N_SERIES + lookback + workload.HORIZON - 1
    rows = N_SERIES * length
    rng = np.random.default_rng(seed)
    frame = {
        "series": np.repeat(np.arange(N_SERIES), length).astype(str),
        "time_idx": np.tile(np.arange(length), N_SERIES),
    }
    static = np.repeat(
        rng.standard_normal((N_SERIES, workload.STATIC_DIM), dtype=np.float32),
        length,
        axis=0,
    )
    groups = {
        "static": static,
        "past": rng.standard_normal((rows, workload.DYNAMIC_DIM), dtype=np.float32),
        "known": rng.standard_normal((rows, workload.FUTURE_DIM), dtype=np.float32),
        "target": rng.standard_normal((rows, workload.OUTPUT_DIM), dtype=np.float32),
    }
    columns = {}
    for group, values in groups.items():
        columns[group] = [f"{group}_{i}" for i in range(values.shape[1])]
        frame.update(zip(columns[group], values.T, strict=True))
    return pd.DataFrame(frame), columns


def measure(args):
    """Measure the TFT figures, emitting each one."""
    child.emit(
        import_seconds=IMPORT_SECONDS,
        package_version=pytorch_forecasting.__version__,
        torch_threads=torch.get_num_threads(),
    )
    pl.seed_everything(workload.SEED, verbose=False)
    frame, columns = build_frame(args.n_windows, args.lookback, workload.SEED)

    child.emit(stage="build")
    start = time.perf_counter()
    dataset = TimeSeriesDataSet(
        frame,
        time_idx="time_idx",
        target=columns["target"],
        group_ids=["series"],
        min_encoder_length=args.lookback,
        max_encoder_length=args.lookback,
        min_prediction_length=workload.HORIZON,
        max_prediction_length=workload.HORIZON,
        static_reals=columns["static"],
        time_varying_known_reals=columns["known"],
        time_varying_unknown_reals=columns["past"],
        target_normalizer=MultiNormalizer(
            [TorchNormalizer(method="identity") for _ in columns["target"]]
        ),
    )
    if len(dataset) != args.n_windows:
        raise RuntimeError(
            f"TimeSeriesDataSet yields {len(dataset)} windows, "
            f"expected {args.n_windows}."
        )
    quantiles = list(workload.QUANTILES)
    model = TemporalFusionTransformer.from_dataset(
        dataset,
        hidden_size=workload.EMBED_DIM,
        attention_head_size=workload.NUM_HEADS,
        lstm_layers=1,
        dropout=workload.DROPOUT_RATE,
        output_size=[len(quantiles)] * workload.OUTPUT_DIM,
        loss=MultiLoss([QuantileLoss(quantiles) for _ in columns["target"]]),
        learning_rate=1e-3,
        optimizer="adam",
        logging_metrics=torch.nn.ModuleList([]),
    )
    loader = dataset.to_dataloader(
        train=True, batch_size=args.batch_size, num_workers=0
    )
    batch, _ = next(iter(loader))
    model.eval()
    with torch.no_grad():
        model(batch)
    child.emit(
        build_seconds=time.perf_counter() - start,
        params=sum(p.numel() for p in model.parameters()),
        trainable_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
    )

    if "inference" in args.stages:
        child.emit(stage="inference")
        child.emit(**_time_inference(model, batch, args))
    if "train" in args.stages:
        child.emit(stage="train")
        child.emit(**_time_training(model, loader, args))


def _time_inference(model, batch, args):
    model.eval()
    timings = []
    with torch.no_grad():
        for call in range(args.warmup_calls + args.timed_calls):
            start = time.perf_counter()
            model(batch)
            if call >= args.warmup_calls:
                timings.append(time.perf_counter() - start)
    return {
        "inference_ms": 1000 * statistics.median(timings),
        "inference_path": "model(x) under torch.no_grad()",
    }


def _time_training(model, loader, args):
    class EpochTimer(pl.Callback):
        """Wall time and sample count of every training epoch."""

        def __init__(self):
            self.epochs = []

        def on_train_epoch_start(self, trainer, pl_module):
            self._start = time.perf_counter()
            self._samples = 0

        def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
            self._samples += len(batch[0]["encoder_cont"])

        def on_train_epoch_end(self, trainer, pl_module):
            seconds = time.perf_counter() - self._start
            self.epochs.append((self._samples, seconds))

    timer = EpochTimer()
    model.train()  # Lightning 2.6 keeps the mode it finds (eval after inference)
    trainer = pl.Trainer(
        accelerator="cpu",
        devices=1,
        max_epochs=args.epochs,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_val_batches=0,
        num_sanity_val_steps=0,
        callbacks=[timer],
    )
    trainer.fit(model, train_dataloaders=loader)
    samples, seconds = timer.epochs[-1]
    return {
        "train_samples_per_s": samples / seconds,
        "train_samples_last_epoch": samples,
        "epoch_seconds": [round(s, 3) for _, s in timer.epochs],
    }


if __name__ == "__main__":
    arguments = child.parse_args()
    measure(arguments)
    child.emit(versions=child.installed_versions("torch"))
