"""One tuning trial: a configuration trained with the recipe of
`Forecaster.fit` and scored on the validation windows that every trial
shares.

**The objective** is the mean quantile loss (`metrics.mean_quantile_loss`:
the pinball loss averaged over the quantile levels, horizon steps, targets
and windows) in original units, over the observed targets of the shared
validation windows. Original units make trials comparable whatever the
model's internal scaling; it is the `mean_quantile_loss` column of
`Forecaster.evaluate`, but on the validation period and without the
conformal recalibration (which the final fit adds).

**Shared validation windows.** A window belongs to the validation period
when all its targets do (`ChronologicalSplit`); it also needs `lookback`
rows before its first target, so a longer lookback can have fewer
validation windows (at the start of a series that begins shortly before
the validation period). Every trial is therefore scored on the validation
windows of the *longest* lookback the search space may draw
(`SharedValidation`): the same series and forecast origins for every
trial, whatever lookback it drew. Its early stopping and the pruner see the
same windows. The final fit of the best configuration validates on all
the windows of its own lookback, as `Forecaster.fit` does.

Functions here import Keras; importing the module does not.
"""

from __future__ import annotations

import math
import os
import socket
import time

import numpy as np
import pandas as pd

from base_attentive import metrics
from base_attentive.data.forecast_frame import quantile_column_name
from base_attentive.data.split import ChronologicalSplit
from base_attentive.tuning.search_space import SearchSpace

# Windows per batch of the shared validation windows (evaluation and the
# objective's forward passes only: no gradients, so larger than training's).
VALIDATION_BATCH = 1024
# Who ran a trial (several processes may share a study).
WORKER = f"{socket.gethostname()}:{os.getpid()}"


class InvalidConfiguration(ValueError):
    """A drawn configuration that the Forecaster or the model rejects (e.g.
    `num_heads` not dividing `attention_units`): the trial fails with the
    reason and the search goes on."""


def prepare_dataset(forecaster, frame, validation_start):
    """The fitted `ForecastDataset` of `frame`, prepared as
    `Forecaster.fit` prepares it, split at `validation_start`."""
    from base_attentive.data import ForecastDataset

    spec = forecaster._spec(frame, forecaster._time_step(frame))
    split = ChronologicalSplit(validation=validation_start)
    return ForecastDataset(spec).fit(frame, split=split)


def _window_keys(windows):
    """(series id, forecast origin) of every window, as a `MultiIndex`."""
    return pd.MultiIndex.from_frame(windows.window_index())


class SharedValidation:
    """The validation windows every trial is scored on: those of the
    longest lookback (see the module docstring).

    Args:
        forecaster: the Forecaster being tuned.
        frame: the tuning data.
        validation_start: the first validation time step (a date string).
        lookback: the longest lookback of the search space.

    Attributes:
        num_windows: the number of shared windows.
    """

    def __init__(self, forecaster, frame, validation_start, lookback):
        from base_attentive.forecaster import Forecaster

        longest = Forecaster(**{**forecaster.get_config(), "lookback": lookback})
        dataset = prepare_dataset(longest, frame, validation_start)
        try:
            windows = dataset.windows("validation")
        except ValueError as error:
            raise ValueError(
                f"Tuning scores every trial on the validation windows of the "
                f"longest lookback the search space may draw ({lookback}): {error}"
            ) from None
        self.start = validation_start
        self.lookback = lookback
        self._keys = _window_keys(windows)
        self.num_windows = len(self._keys)

    def restrict(self, windows):
        """The shared windows among a trial's validation `windows`, in
        batches of `VALIDATION_BATCH`.

        Raises:
            ValueError: if the trial lacks some shared window (its lookback
                is longer than the one the windows were chosen with).
        """
        from base_attentive.data.windows import WindowDataset

        keep = _window_keys(windows).isin(self._keys)
        if int(keep.sum()) != self.num_windows:
            raise ValueError(
                f"A trial has {int(keep.sum())} of the {self.num_windows} shared "
                f"validation windows (chosen with lookback {self.lookback}); "
                f"its lookback is {windows.arrays.lookback}."
            )
        return WindowDataset(
            windows.arrays,
            windows.starts[keep],
            windows.window_series[keep],
            batch_size=VALIDATION_BATCH,
        )


def _forward(model, windows):
    """Outputs of `model` for every window, in window order: one eager call
    per batch (a trial's model predicts once per epoch, which does not pay
    for tracing a prediction function on TensorFlow)."""
    import keras

    return np.concatenate(
        [
            keras.ops.convert_to_numpy(model(list(windows[i][0]), training=False))
            for i in range(len(windows))
        ]
    )


def validation_loss(model, dataset, windows, quantiles):
    """The objective: mean quantile loss of `model` on `windows`, in
    original units, over the observed targets (see the module docstring)."""
    predictions = _forward(model, windows)
    frame = dataset.forecast_frame(predictions, windows, quantiles=quantiles)
    actual = frame["actual"].to_numpy(np.float64)
    columns = [quantile_column_name(level) for level in quantiles]
    forecast = frame[columns].to_numpy(np.float64)
    observed = np.isfinite(actual)
    return metrics.mean_quantile_loss(
        actual[observed][:, None, None], forecast[observed][:, None, :, None], quantiles
    )


class Objective:
    """The function Optuna minimises: draws a configuration, trains it,
    returns its validation loss (`validation_loss`).

    Every trial uses the Forecaster's seed, so two trials differ by their
    configuration only. A trial records, as user attributes, `outcome`
    ("complete", "pruned", "invalid", "diverged" or "interrupted"),
    `epochs`, `best_epoch`, `seconds`, `worker` and, when it failed,
    `error`. An interrupted trial (Ctrl-C) puts its configuration back in
    the queue of the study, so that the next search (this process resumed,
    or another worker) runs it first.

    Args:
        forecaster: the Forecaster being tuned (its configuration is the
            base every trial changes).
        frame: the tuning data.
        space: the `SearchSpace`.
        shared: the `SharedValidation`.
        deadline: `time.perf_counter()` value at which the time budget ends,
            or None; a trial's training time limit is cut to what is left.
    """

    def __init__(self, forecaster, frame, space, shared, deadline=None):
        self.config = forecaster.get_config()
        self.frame = frame
        self.space = space
        self.shared = shared
        self.deadline = deadline

    def __call__(self, trial):
        params = self.space.suggest(trial)
        trial.set_user_attr("worker", WORKER)
        try:
            return self._run(trial, params)
        except KeyboardInterrupt:
            trial.set_user_attr("outcome", "interrupted")
            trial.study.enqueue_trial(
                trial.params, user_attrs={"retry_of": trial.number}
            )
            raise

    def _candidate(self, trial, params):
        """The trial's Forecaster; `InvalidConfiguration` if it or its model
        rejects the drawn values."""
        from base_attentive.forecaster import Forecaster
        from base_attentive.models import BaseAttentive

        try:
            candidate = Forecaster(**SearchSpace.apply(self.config, params))
            BaseAttentive(
                static_input_dim=1,
                dynamic_input_dim=1,
                future_input_dim=1,
                forecast_horizon=candidate.horizon,
                quantiles=list(candidate.quantiles),
                **candidate.model,
            )
        except (TypeError, ValueError) as error:
            trial.set_user_attr("outcome", "invalid")
            trial.set_user_attr("error", str(error))
            raise InvalidConfiguration(str(error)) from None
        return candidate

    def _settings(self, candidate):
        """The recipe's settings, the time limit cut to the budget left."""
        from base_attentive.training import TrainingSettings

        settings = candidate.training.to_dict()
        if self.deadline is not None:
            left = max(self.deadline - time.perf_counter(), 1.0) / 60.0
            limit = settings["time_limit"]
            settings["time_limit"] = left if limit is None else min(limit, left)
        return TrainingSettings.from_dict(settings)

    def _run(self, trial, params):
        import optuna

        from base_attentive.callbacks import TrialPruning
        from base_attentive.forecaster import seed_everything
        from base_attentive.training import build_model, train_model

        started = time.perf_counter()
        candidate = self._candidate(trial, params)
        settings = self._settings(candidate)
        dataset = prepare_dataset(candidate, self.frame, self.shared.start)
        size = settings.batch_size
        train = dataset.windows(
            "train", batch_size=size, shuffle=True, seed=candidate.seed
        )
        valid = self.shared.restrict(dataset.windows("validation", batch_size=size))
        seed_everything(candidate.seed)
        model = build_model(
            dataset, candidate.quantiles, candidate.model, settings.learning_rate,
            train[0][0],
        )  # fmt: skip

        def score():
            return validation_loss(model, dataset, valid, candidate.quantiles)

        pruning = TrialPruning(trial, score)
        _, summary = train_model(model, train, valid, settings, callbacks=[pruning])
        trial.set_user_attr("epochs", summary["epochs_run"])
        trial.set_user_attr("best_epoch", summary["best_epoch"])
        if pruning.pruned:
            trial.set_user_attr("outcome", "pruned")
            trial.set_user_attr("seconds", time.perf_counter() - started)
            raise optuna.TrialPruned(
                f"pruned after epoch {summary['epochs_run']} (validation loss "
                f"{pruning.scores[-1]:.6g})"
            )
        value = score()  # the best epoch's weights, restored
        trial.set_user_attr("seconds", time.perf_counter() - started)
        if not math.isfinite(value):
            trial.set_user_attr("outcome", "diverged")
            trial.set_user_attr("error", "the validation loss is not finite")
            return float("nan")  # Optuna records the trial as failed
        trial.set_user_attr("outcome", "complete")
        return value
