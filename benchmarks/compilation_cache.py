"""What JAX's XLA compilation cache saves the models of an ensemble.

The bundled run trains its models one after another; on JAX each compiles
the same training step. This fits the bundled run's model as an ensemble of
`--models` models, each for one epoch of `--steps` steps (so that the time
is mostly compilation), in two fresh processes side by side: one as the
commands run it (`prepare_process`: a temporary compilation cache) and one
with the cache turned off (`JAX_ENABLE_COMPILATION_CACHE=false`). It prints
each model's fitting time and the ratio.

Usage:
    python benchmarks/compilation_cache.py [--models 3] [--steps 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys


def child(models, steps):
    from base_attentive.commands.runtime import prepare_process

    prepare_process()
    from accuracy_levers import forecaster_config
    from base_attentive.commands.tables import load_frame
    from base_attentive.commands.train import split_test
    from base_attentive.forecaster import Forecaster

    training = {
        "ensemble": models,
        "epochs": 1,
        "steps_per_epoch": steps,
        "time_limit": None,
        "min_epochs": 0,
    }
    arguments, settings = forecaster_config("chicago", [], {"training": training})
    frame, _ = load_frame(settings)
    history, validation_start, _, _ = split_test(frame, settings)
    forecaster = Forecaster(**arguments).fit(
        history, validation=str(validation_start), verbose=0
    )
    members = forecaster.training_["members"]
    print(json.dumps([member["seconds"] for member in members]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=3)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.models, args.steps)
        return 0
    runs = {
        "cache (the commands' default)": {},
        "no cache": {"JAX_ENABLE_COMPILATION_CACHE": "false"},
    }
    seconds = {}
    for name, variables in runs.items():
        env = {**os.environ, "KERAS_BACKEND": "jax", **variables}
        env.pop("JAX_COMPILATION_CACHE_DIR", None)  # a temporary one each run
        command = [sys.executable, __file__, "--child"]
        command += ["--models", str(args.models), "--steps", str(args.steps)]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"{name}: the child failed:\n{result.stderr[-3000:]}")
        seconds[name] = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"JAX, {args.models} models of one epoch of {args.steps} steps each:")
    print("| run | " + " | ".join(f"model {i + 1}" for i in range(args.models)) + " |")
    print("| --- |" + " --- |" * args.models)
    for name, values in seconds.items():
        print(f"| {name} | " + " | ".join(f"{v:.1f} s" for v in values) + " |")
    cached, uncached = seconds.values()
    later = sum(uncached[1:]) / max(sum(cached[1:]), 1e-9)
    print(f"models 2-{args.models}: {later:.1f}x faster with the cache")
    return 0


if __name__ == "__main__":
    sys.exit(main())
