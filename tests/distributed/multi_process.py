"""One process of a two-process run on localhost (JAX or torch), or its
single-process reference; prints the loss history as JSON.

    python tests/distributed/multi_process.py reference
    python tests/distributed/multi_process.py worker PROCESS_ID PORT

Each worker drives one CPU device and reads only its share of the windows
(`DataParallelPlan.shard`); the two exchange gradients through Gloo (JAX:
keras.distribution; torch: DistributedDataParallel). With the same seed and
global batch, the workers' losses match the reference's up to
floating-point summation order.
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
plan = data_parallel() if ROLE == "worker" else None
scope = plan.scope() if plan is not None else contextlib.nullcontext()

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
    refused_before_prepare = None
    if plan is not None:
        try:  # torch: sharding before `prepare` would train unsynchronised
            plan.shard(train, training=True)
            refused_before_prepare = False
        except ValueError:
            refused_before_prepare = True
        # The same recipe on every backend (on JAX `prepare` does nothing).
        plan.prepare(model)
        train = plan.shard(train, training=True)
        validation = plan.shard(validation, training=False)
    else:
        train = train.sharded(WindowSharding(fill="wrap"))
    history = model.fit(
        train, validation_data=validation, epochs=2, shuffle=False, verbose=0
    )
trains_alone = None
if plan is not None and plan.backend == "torch" and plan.process_index == 0:
    # torch: after the scope the model is an ordinary one again, process 0
    # trains on alone (a leftover DDP gradient hook would wait for process 1
    # forever). On JAX the variables stay laid out over both processes.
    model.fit(train, epochs=1, steps_per_epoch=1, shuffle=False, verbose=0)
    trains_alone = True
json.dump(
    {
        "plan": None if plan is None else plan.describe(),
        "trains_alone": trains_alone,
        "refused_before_prepare": refused_before_prepare,
        # Outside the scope the model runs its own forward pass again.
        "released": "forward" not in vars(model),
        "history": history.history,
        "local_batch": train.local_batch_size,
        "steps": len(train),
    },
    sys.stdout,
)
