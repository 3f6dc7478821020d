"""Trains the default model twice on the bundled data, on one device and
data-parallel on two virtual CPU devices, and prints both loss histories as
JSON. Run in a fresh process (the CPU must be split before the framework
starts): ``KERAS_BACKEND=jax python tests/distributed/train_pair.py``.

Both runs see the same batches in the same order (same seed, the training
windows filled to full batches; `fit(shuffle=False)`, since Keras would
otherwise reorder the batches with its own random draws) from the same
initial weights, built inside the scope, so their losses may differ only by
floating-point summation order. Dropout is off: on TensorFlow each replica
draws its own dropout mask.
"""

import contextlib
import json
import sys

import keras
import numpy as np

from base_attentive.distributed import data_parallel, split_cpu_devices

split_cpu_devices(2)

from small_windows import small_windows  # noqa: E402

from base_attentive import BaseAttentive  # noqa: E402
from base_attentive.data import WindowSharding  # noqa: E402

EPOCHS = 2


def train(train_windows, validation_windows, scope):
    keras.utils.set_random_seed(0)
    with scope:
        model = BaseAttentive(
            **dataset.model_dims(),
            forecast_horizon=dataset.spec.forecast_horizon,
            quantiles=[0.1, 0.5, 0.9],
            dropout_rate=0.0,
        )
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="auto")
        model(list(test[0][0]))  # build: variables are created in the scope
        history = model.fit(
            train_windows,
            validation_data=validation_windows,
            epochs=EPOCHS,
            shuffle=False,  # the windows shuffle themselves (seeded)
            verbose=0,
        )
    return history.history, model


dataset, train_windows, validation_windows, test = small_windows()

single, single_model = train(
    train_windows.sharded(WindowSharding(fill="wrap")),
    validation_windows,
    contextlib.nullcontext(),
)
plan = data_parallel(devices=2)
parallel, parallel_model = train(
    plan.shard(train_windows, training=True),
    plan.shard(validation_windows, training=False),
    plan.scope(),
)
single_forecast = single_model.predict(test, verbose=0)
# Relative to the forecasts' size: the all-reduce sums gradients in another
# order than one device does, so float32 round-off grows over the steps.
difference = np.abs(single_forecast - parallel_model.predict(test, verbose=0)).max()
difference /= max(float(np.abs(single_forecast).max()), 1.0)
json.dump(
    {
        "plan": plan.describe(),
        "single": single,
        "parallel": parallel,
        "prediction_difference": float(difference),
    },
    sys.stdout,
)
