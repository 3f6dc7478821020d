"""The training recipe of the `Forecaster` (and so of `base-attentive train`).

- `DEFAULT_MODEL`: the `BaseAttentive` arguments of the default model, a
  small CPU-friendly network (the constructor's own defaults are wider).
- `TrainingSettings`: the recipe's settings and their defaults, declared
  once; the CLI's options take their defaults from here.
- `build_model`: the compiled, built model for a fitted `ForecastDataset`.
- `train_model`: epochs of a fixed number of batches from the shuffled
  training windows, early stopping on the validation loss with the best
  weights restored, the learning rate halved on plateaus (or on a cosine
  over the budget), a time limit, and a stop on a NaN loss.

Importing this module does not import Keras; its functions do.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

DEFAULT_MODEL = {
    "embed_dim": 16,
    "hidden_units": 32,
    "lstm_units": 32,
    "attention_units": 16,
    "num_heads": 2,
    "num_encoder_layers": 1,
    "memory_size": 32,
    "dropout_rate": 0.1,
    "category_dropout": 0.0,
    "objective": "hybrid",
}

# Reduce-on-plateau schedule: halve the learning rate after 2 epochs without
# a better validation loss, down to this floor.
LR_FACTOR, LR_PATIENCE, LR_FLOOR = 0.5, 2, 1e-4
# Learning-rate schedules of `TrainingSettings.schedule`.
SCHEDULES = ("plateau", "cosine")
# The integer settings and their smallest value.
_INTEGER_MINIMUMS = (
    ("epochs", 1),
    ("steps_per_epoch", 1),
    ("batch_size", 1),
    ("patience", 1),
    ("min_epochs", 0),
    ("ensemble", 1),
)


@dataclasses.dataclass(frozen=True)
class TrainingSettings:
    """Settings of the training recipe.

    Args:
        epochs: maximum number of epochs. Default 30.
        steps_per_epoch: batches per epoch, taken in turn from the shuffled
            training windows (the validation loss, and so early stopping, is
            checked every `steps_per_epoch` batches). Default 50.
        batch_size: windows per batch. Default 128.
        learning_rate: Adam's initial learning rate. Default 0.003.
        patience: epochs without a better validation loss before early
            stopping; the best weights are restored. Default 5.
        min_epochs: the first `min_epochs` epochs are never kept as the
            best and do not count towards early stopping, so a model whose
            validation loss dips by chance in its first epochs (a noisy
            validation period) is not stopped and restored there; nor do
            they lower the learning rate of the `"plateau"` schedule (an
            early dip followed by a few worse epochs would otherwise halve
            it again and again, and the run would train at the floor). When
            training ends within them (`epochs` or the time limit), the last
            epoch's weights are kept. Default 0.
        time_limit: training budget in minutes: no epoch starts that would
            end past it; None for no limit. Default 6.
        calibrate: recalibrate the quantile intervals on the validation
            windows (split-conformal, per horizon step). Default True.
        ensemble: number of models trained one after the other (seeds
            `seed`, `seed + 1`, ...; each with its share of the time left),
            whose quantile forecasts are averaged (`models.MeanEnsemble`).
            Default 1.
        ensemble_tolerance: None (every member is averaged) or a fraction
            >= 0: a member whose best validation loss is more than this
            fraction above the best member's is left out of the average
            (its training time is not given back). A seed can fail in a way
            the average of three does not hide: on the Chicago data one
            model in eight forecast the holidays as ordinary days, and its
            validation loss was 35% above the others' (docs/accuracy.md,
            round 14). A member with a NaN loss is always left out when
            this is set; if no member has a finite loss, all are kept.
            Default None.
        schedule: the learning-rate schedule: `"plateau"` (halved after
            `LR_PATIENCE` epochs without a better validation loss, counted
            from epoch `min_epochs` on, down to `LR_FLOOR`; see
            `callbacks.PlateauSchedule`) or `"cosine"` (a half cosine from
            `learning_rate` to `LR_FLOOR` over `epochs`, compressed onto the
            epochs that fit in `time_limit`; see `callbacks.CosineSchedule`).
            Default "plateau".
    """

    epochs: int = 30
    steps_per_epoch: int = 50
    batch_size: int = 128
    learning_rate: float = 0.003
    patience: int = 5
    min_epochs: int = 0
    time_limit: float | None = 6.0
    calibrate: bool = True
    schedule: str = "plateau"
    ensemble: int = 1
    ensemble_tolerance: float | None = None

    def __post_init__(self):
        for name, minimum in _INTEGER_MINIMUMS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(
                    f"`{name}` must be an integer >= {minimum}. "
                    f"Received: {name}={value!r}"
                )
        rate = self.learning_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float):
            raise TypeError(
                f"`learning_rate` must be a number. Received: learning_rate={rate!r}"
            )
        if not 0.0 < rate < 1.0:
            raise ValueError(
                f"`learning_rate` must be in (0, 1). Received: learning_rate={rate!r}"
            )
        limit = self.time_limit
        if limit is not None and (
            isinstance(limit, bool)
            or not isinstance(limit, int | float)
            or not 0.0 < limit < math.inf
        ):
            raise ValueError(
                "`time_limit` must be a positive number of minutes or None. "
                f"Received: time_limit={limit!r}"
            )
        if self.schedule not in SCHEDULES:
            raise ValueError(
                f"`schedule` must be one of {list(SCHEDULES)}. Received: "
                f"schedule={self.schedule!r}"
            )
        tolerance = self.ensemble_tolerance
        if tolerance is not None and (
            isinstance(tolerance, bool)
            or not isinstance(tolerance, int | float)
            or not 0.0 <= tolerance < math.inf
        ):
            raise ValueError(
                "`ensemble_tolerance` must be a number >= 0 (a fraction of the "
                "best member's validation loss) or None. Received: "
                f"ensemble_tolerance={tolerance!r}"
            )
        if not isinstance(self.calibrate, bool):
            raise TypeError(
                f"`calibrate` must be True or False. Received: "
                f"calibrate={self.calibrate!r}"
            )

    @classmethod
    def from_dict(cls, values):
        """Settings from a dict of some of the fields (the rest default).

        Raises:
            ValueError: naming unknown keys.
        """
        values = dict(values or {})
        known = [field.name for field in dataclasses.fields(cls)]
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(
                f"Unknown training setting(s) {unknown}. Known settings: {known}"
            )
        return cls(**values)

    def to_dict(self):
        return dataclasses.asdict(self)


def build_model(dataset, quantiles, arguments, learning_rate, example):
    """The compiled `BaseAttentive` for a fitted dataset, built on `example`.

    Args:
        dataset: the fitted `ForecastDataset` (input dimensions, horizon,
            mode).
        quantiles: the quantile levels of the head.
        arguments: the other `BaseAttentive` arguments.
        learning_rate: Adam's learning rate.
        example: one batch of inputs `(static, dynamic, future)` to build on.

    Returns:
        the model.
    """
    import keras

    from base_attentive.models import BaseAttentive

    spec = dataset.spec
    model = BaseAttentive(
        **dataset.model_dims(),
        forecast_horizon=spec.forecast_horizon,
        quantiles=list(quantiles),
        mode=spec.mode,
        **arguments,
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="auto")
    model(list(example))
    return model


def train_model(
    model, train, validation, settings, *, verbose=0, plan=None, callbacks=()
):
    """Trains `model` with the recipe (see the module docstring).

    Args:
        model: the compiled model.
        train: the shuffled training `WindowDataset`.
        validation: the validation `WindowDataset`.
        settings: `TrainingSettings`.
        verbose: `verbose` of `keras.Model.fit`.
        plan: a data-parallel `DataParallelPlan` (call inside its scope), or
            None.
        callbacks: more Keras callbacks, run after the recipe's (e.g.
            `callbacks.TrialPruning` in a tuning trial).

    Returns:
        `(history, summary)`: `{metric: [value per epoch]}` and a JSON-ready
        summary (`epochs_run`, `best_epoch`, `best_val_loss`,
        `steps_per_epoch`, `stopped_by`, `seconds`).
    """
    import keras

    from base_attentive.callbacks import (
        CosineSchedule,
        PlateauSchedule,
        StopOnSignal,
        TimeLimit,
    )
    from base_attentive.data.epoch_sampler import EpochSampler

    if plan is not None:
        train = plan.shard(train, training=True)
        validation = plan.shard(validation, training=False)
    steps = min(settings.steps_per_epoch, len(train))
    # The processes of a multi-process run must stop at the same epoch:
    # early stopping watches the (global) validation loss, but every process
    # would read its own clock.
    timed = settings.time_limit is not None and (
        plan is None or plan.num_processes == 1
    )
    seconds = 60.0 * settings.time_limit if timed else math.inf
    time_limit = TimeLimit(seconds)
    if settings.schedule == "cosine":
        schedule = CosineSchedule(
            settings.learning_rate, settings.epochs, seconds, floor=LR_FLOOR
        )
    else:
        schedule = PlateauSchedule(
            monitor="val_loss",
            factor=LR_FACTOR,
            patience=LR_PATIENCE,
            min_lr=LR_FLOOR,
            start_from_epoch=settings.min_epochs,
        )
    stopping = keras.callbacks.EarlyStopping(
        monitor="val_loss",
        patience=settings.patience,
        restore_best_weights=True,
        start_from_epoch=settings.min_epochs,
    )
    started = time.perf_counter()
    history = model.fit(
        EpochSampler(train, steps),
        validation_data=validation,
        epochs=settings.epochs,
        callbacks=[
            stopping,
            schedule,
            keras.callbacks.TerminateOnNaN(),
            StopOnSignal(),
            time_limit,
            *callbacks,
        ],
        verbose=verbose,
    )
    curves = {
        key: [float(value) for value in values]
        for key, values in history.history.items()
    }
    val_loss = np.asarray(curves["val_loss"], dtype=np.float64)
    # The epoch whose weights early stopping restored; none when training
    # ended within `min_epochs`, and the model keeps its last weights.
    restored = stopping.best_weights is not None
    best = stopping.best_epoch if restored else len(val_loss) - 1
    if time_limit.stopped:
        stopped_by = "time limit"
    elif len(val_loss) < settings.epochs:
        stopped_by = "early stopping"
    else:
        stopped_by = "epochs"
    summary = {
        "epochs_run": len(val_loss),
        "best_epoch": best + 1,
        "best_val_loss": float(val_loss[best]),
        "steps_per_epoch": steps,
        "stopped_by": stopped_by,
        "time_limited": timed,
        "seconds": time.perf_counter() - started,
    }
    return curves, summary


def train_members(
    build, train, validation, settings, seed, *, first=None, verbose=0, plan=None
):
    """Trains `settings.ensemble` models with the recipe, one after another.

    Member `i` is built after seeding everything with `seed + i` and gets
    the time left divided by the members left. With one member this is
    `train_model` on one model. With `settings.ensemble_tolerance`, the
    members whose best validation loss is too far above the best one's are
    left out of the average (`kept_members`).

    Args:
        build: callable returning a new compiled, built model (called in the
            `plan`'s scope, if any).
        train, validation: the training and validation `WindowDataset`s.
        settings: `TrainingSettings`.
        seed: the seed of the first member.
        first: the first member, already built by `build` after seeding
            with `seed` (in the `plan`'s scope), or None.
        verbose: `verbose` of `keras.Model.fit`.
        plan: a data-parallel `DataParallelPlan`, or None.

    Returns:
        `(model, history, summary)`: the model (a `MeanEnsemble` of the
        members when there are several), the first member's curves, and the
        summary of `train_model` (with several members: the first member's
        entries, `epochs_run` and `seconds` summed, `members`, one summary
        per member, and `left_out`, the members left out of the average:
        `{"member", "seed", "best_val_loss"}` each).
    """
    import contextlib

    from base_attentive.forecaster import seed_everything

    count = settings.ensemble
    started = time.perf_counter()
    models, histories, summaries = [], [], []
    for member in range(count):
        member_settings = settings
        if settings.time_limit is not None:
            left = settings.time_limit - (time.perf_counter() - started) / 60.0
            member_settings = dataclasses.replace(
                settings, time_limit=max(left, 1e-3) / (count - member)
            )
        scope = plan.scope() if plan is not None else contextlib.nullcontext()
        with scope:
            if member == 0 and first is not None:
                model = first
            else:
                seed_everything(seed + member)
                model = build()
            if plan is not None:
                plan.prepare(model)  # e.g. torch: DistributedDataParallel
            history, summary = train_model(
                model, train, validation, member_settings, verbose=verbose, plan=plan
            )
        models.append(model)
        histories.append(history)
        summaries.append(summary)
    if count == 1:
        return models[0], histories[0], summaries[0]
    from base_attentive.models.ensemble import MeanEnsemble

    losses = [s["best_val_loss"] for s in summaries]
    kept = kept_members(losses, settings.ensemble_tolerance)
    summary = {
        **summaries[0],
        "epochs_run": sum(s["epochs_run"] for s in summaries),
        "seconds": time.perf_counter() - started,
        "members": summaries,
        "left_out": [
            {"member": i, "seed": seed + i, "best_val_loss": losses[i]}
            for i in range(count)
            if i not in kept
        ],
    }
    chosen = [models[i] for i in kept]
    model = chosen[0] if len(chosen) == 1 else MeanEnsemble(chosen)
    return model, histories[0], summary


def left_out_message(member, summary, tolerance):
    """One line on an ensemble member `kept_members` left out (an entry of
    `summary["left_out"]`), for the console and the run's report."""
    best = min(m["best_val_loss"] for m in summary["members"])
    return (
        f"model of seed {member['seed']} left out of the average: best "
        f"validation loss {member['best_val_loss']:.4g}, more than "
        f"{tolerance:.0%} above the best model's ({best:.4g}; "
        "ensemble_tolerance)"
    )


def kept_members(losses, tolerance):
    """Indices of the ensemble members to average: all when `tolerance` is
    None, else those whose best validation loss is at most `(1 +
    tolerance)` times the lowest (finite) one.

    >>> kept_members([0.046, 0.062, 0.045], 0.2)
    [0, 2]
    >>> kept_members([0.046, 0.062, 0.045], None)
    [0, 1, 2]
    """
    everyone = list(range(len(losses)))
    finite = [loss for loss in losses if math.isfinite(loss)]
    if tolerance is None or not finite:
        return everyone
    bound = (1.0 + tolerance) * min(finite)
    return [i for i in everyone if math.isfinite(losses[i]) and losses[i] <= bound]
