"""Calibration check on synthetic heteroscedastic data, per backend.

A quantile model and a Student-t model are trained briefly on windows whose
noise scale is known (``0.1 + z``, with ``z`` a static input); on held-out
windows we report the empirical coverage of the 80% interval (target
0.70..0.90) and the correlation between interval width and the true noise
scale (target > 0.5). The unit test ``tests/models/test_calibration_training.py``
runs the same check on one backend; this script runs it on all three, each in
a fresh process:

    python benchmarks/calibration.py            # tensorflow, torch, jax
    python benchmarks/calibration.py --backend jax --json out.json
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

LEVELS = [0.1, 0.5, 0.9]
HEADS = {"quantile": {"quantiles": LEVELS}, "student_t": {"distribution": "student_t"}}


def heteroscedastic(rng, n, lookback=4):
    """Windows with y = mean(x) + (0.1 + z) * noise; z is the static input."""
    z = rng.uniform(0.0, 1.0, size=(n, 1)).astype("float32")
    x = rng.normal(size=(n, lookback, 1)).astype("float32")
    scale = 0.1 + z[:, 0]
    y = x.mean(axis=(1, 2)) + scale * rng.normal(size=n)
    return [z, x, None], y.reshape(n, 1, 1).astype("float32"), scale


def calibration_check(head, seed=0):
    """Trains one small model; returns coverage@80% and width/scale corr."""
    from base_attentive import BaseAttentive
    from base_attentive.distributions import distribution_quantiles
    from base_attentive.metrics import interval_coverage

    rng = np.random.default_rng(seed)
    x_train, y_train, _ = heteroscedastic(rng, 2048)
    x_test, y_test, scale = heteroscedastic(rng, 1024)
    model = BaseAttentive(
        static_input_dim=1,
        dynamic_input_dim=1,
        future_input_dim=0,
        forecast_horizon=1,
        embed_dim=8,
        hidden_units=16,
        lstm_units=8,
        attention_units=8,
        num_heads=2,
        memory_size=4,
        num_encoder_layers=1,
        attention_levels=["cross"],
        dropout_rate=0.0,
        **HEADS[head],
    )
    model.compile(optimizer="adam", loss="auto")
    model.fit(x_train, y_train, batch_size=256, epochs=20, verbose=0)
    forecast = model.predict(x_test, batch_size=1024, verbose=0)
    if head == "student_t":
        forecast = distribution_quantiles(forecast, "student_t", LEVELS)
    lower, upper = forecast[:, :, 0], forecast[:, :, 2]
    width = (upper - lower).ravel()
    return {
        "coverage_80": float(interval_coverage(y_test, lower, upper)),
        "width_scale_corr": float(np.corrcoef(width, scale)[0, 1]),
    }


def _child(backend):
    import keras

    results = {}
    for head in HEADS:
        start = time.perf_counter()
        results[head] = calibration_check(head)
        results[head]["seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps({"backend": keras.backend.backend(), "results": results}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="all")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.backend)
    backends = (
        ["tensorflow", "torch", "jax"] if args.backend == "all" else [args.backend]
    )
    rows = []
    for backend in backends:
        env = dict(os.environ, KERAS_BACKEND=backend, BASE_ATTENTIVE_BACKEND=backend)
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--backend", backend],
            capture_output=True,
            text=True,
            env=env,
        )
        if out.returncode:
            print(f"{backend}: failed\n{out.stderr[-2000:]}")
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(
        "| backend | head | coverage@80% (0.70..0.90) | corr(width, true scale) | s |"
    )
    print("|---|---|---|---|---|")
    for row in rows:
        for head, r in row["results"].items():
            print(
                f"| {row['backend']} | {head} | {r['coverage_80']:.3f} | "
                f"{r['width_scale_corr']:.3f} | {r['seconds']} |"
            )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=2)


if __name__ == "__main__":
    sys.exit(main())
