"""One process of a two-process JAX run on localhost, or its single-process
reference; prints the loss history as JSON.

    python tests/distributed/multi_process.py reference
    python tests/distributed/multi_process.py worker PROCESS_ID PORT

Each worker drives one CPU device and reads only its share of the windows
(`DataParallelPlan.shard`); the two exchange gradients through Gloo. With
the same seed and global batch, the workers' losses match the reference's
up to floating-point summation order.
"""

import contextlib
import json
import sys

from base_attentive.distributed import data_parallel, initialize_multi_host

ROLE = sys.argv[1]
if ROLE == "worker":
    initialize_multi_host(
        coordinator_address=f"localhost:{sys.argv[3]}",
        num_processes=2,
        process_id=int(sys.argv[2]),
    )

import keras  # noqa: E402
from small_windows import small_windows  # noqa: E402

from base_attentive import BaseAttentive  # noqa: E402
from base_attentive.data import WindowSharding  # noqa: E402

dataset, train, validation, _ = small_windows()
if ROLE == "worker":
    plan = data_parallel()
    scope = plan.scope()
    train, validation = (
        plan.shard(train, training=True),
        plan.shard(validation, training=False),
    )
else:
    plan = None
    scope = contextlib.nullcontext()
    train = train.sharded(WindowSharding(fill="wrap"))

keras.utils.set_random_seed(0)
with scope:
    model = BaseAttentive(
        **dataset.model_dims(),
        forecast_horizon=dataset.spec.forecast_horizon,
        quantiles=[0.1, 0.5, 0.9],
        hidden_units=16,
        lstm_units=16,
        attention_units=16,
        num_heads=2,
        dropout_rate=0.0,
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="auto")
    model(list(train[0][0]))
    history = model.fit(
        train, validation_data=validation, epochs=2, shuffle=False, verbose=0
    )
json.dump(
    {
        "plan": None if plan is None else plan.describe(),
        "history": history.history,
        "local_batch": train.local_batch_size,
        "steps": len(train),
    },
    sys.stdout,
)
