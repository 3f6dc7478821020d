"""The tuning tests' setup (a slice of the bundled data, a tiny model, a
small search space) and, run as a script, one worker adding trials to a
shared study:

    python tests/tuning/worker.py STORAGE_URL N_TRIALS

It prints the numbers of the trials it ran as JSON.
"""

import json
import os
import sys

STATIONS = ["Austin", "Clark_Lake"]
COLUMNS = ["date", "station", "rides", "temp", "Cubs_Home"]
VALIDATION = 21  # last 21 days: 15 windows of horizon 7 per series
TINY = {
    "embed_dim": 4, "hidden_units": 4, "lstm_units": 4, "attention_units": 4,
    "num_heads": 1, "memory_size": 4,
}  # fmt: skip
FAST = {"epochs": 1, "steps_per_epoch": 2, "batch_size": 64}
SPACE = {
    "lookback": [7, 14],
    "hidden_units": [4, 8],
    "learning_rate": {"low": 1e-3, "high": 1e-2, "log": True},
    "attention_levels": [["cross"], ["cross", "memory"]],
}


def load_frame():
    from base_attentive.data import load_chicago_ridership

    return load_chicago_ridership(stations=STATIONS, start="2016-03-01")[COLUMNS]


def make_forecaster(**changes):
    from base_attentive import Forecaster

    arguments = dict(
        target="rides", time_col="date", id_col="station", lookback=14,
        horizon=7, static=["station"], past=["temp"], future=["Cubs_Home"],
        model=TINY, training=FAST,
    )  # fmt: skip
    return Forecaster(**{**arguments, **changes})


if __name__ == "__main__":
    storage, n_trials = sys.argv[1], int(sys.argv[2])
    forecaster = make_forecaster().tune(
        load_frame(),
        n_trials=n_trials,
        search_space=SPACE,
        storage=storage,
        validation=VALIDATION,
        fit=False,
        verbose=0,
    )
    ran = [
        trial["number"]
        for trial in forecaster.tuning_["trials"]
        if (trial["worker"] or "").endswith(f":{os.getpid()}")
    ]
    print(json.dumps({"ran": ran, "here": forecaster.tuning_["trials_run_here"]}))
