"""Does each per-backend kernel still pay? Kernel against fallback, alternated.

For every fast path of ``base_attentive.kernels`` (and the ``call_sublayer``
bypass of ``Layer.__call__``), this times the kernel and the generic code it
falls back to, on the reference workload's shapes (batch 32, lookback 48,
horizon 24, ``embed_dim=32``), in one process per backend, alternating the
two variants round by round so that the load of a shared machine hits both
alike. It prints, per comparison, the median milliseconds of each variant in CPU
time (all threads of the process; the figure to compare on a shared
machine) and in wall time, their ratio (fallback / kernel: above 1 means
the kernel pays) and the range over rounds. The fallback is what runs when the backend module
lacks the kernel, so a variant is made by removing the kernel from its
module for the duration of its calls (or, for kernels chosen at trace time,
while its model is traced).

A dropped PyTorch kernel (prediction by an eager call under
``torch.no_grad()`` instead of ``predict_on_batch``) is measured here as a
candidate, to show the measurement behind dropping it. The dropout kernels
(JAX: threefry bits as element-wise operations; PyTorch: masks from
``torch.rand``) were dropped after the measurement in docs/benchmarks.md.

    python benchmarks/kernels.py                  # all three backends
    python benchmarks/kernels.py --backends torch --rounds 9

Results and the decision for each kernel: docs/benchmarks.md ("Kernels").
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PREFIX = "KERNEL_FIGURE "


# ---------------------------------------------------------------- helpers
def _timed(fn, calls):
    """Milliseconds per call: ``(wall, cpu)``, cpu summed over the threads."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        fn()
    return (
        (time.perf_counter() - wall) / calls * 1e3,
        (time.process_time() - cpu) / calls * 1e3,
    )


def compare(name, kernel, fallback, rounds, calls, warmup=3):
    """Alternates ``kernel`` and ``fallback`` (each ``calls`` calls a round)."""
    for fn in (kernel, fallback):
        for _ in range(warmup):
            fn()
    times = {"kernel": [], "fallback": []}
    for _ in range(rounds):
        times["kernel"].append(_timed(kernel, calls))
        times["fallback"].append(_timed(fallback, calls))
    print(PREFIX + json.dumps(summary(name, times)), flush=True)


def summary(name, times):
    """Medians, ranges and ratios of ``{"kernel": [(wall, cpu)], ...}``.

    The CPU time (``time.process_time``, all threads of the process) is the
    figure to compare on a shared machine, where other processes stretch
    the wall time of both variants unevenly; the wall time is what a user
    waits on a quiet one.
    """
    figure = {"comparison": name}
    for clock, index in (("wall", 0), ("cpu", 1)):
        for variant in ("kernel", "fallback"):
            values = [pair[index] for pair in times[variant]]
            figure[f"{variant}_{clock}_ms"] = statistics.median(values)
            figure[f"{variant}_{clock}_range"] = [min(values), max(values)]
        figure[f"{clock}_ratio"] = (
            figure[f"fallback_{clock}_ms"] / figure[f"kernel_{clock}_ms"]
        )
    return figure


@contextlib.contextmanager
def without(module, name):
    """The backend module without kernel ``name``: the fallback runs."""
    saved = getattr(module, name)
    delattr(module, name)
    try:
        yield
    finally:
        setattr(module, name, saved)


def without_kernel(module, name, fn):
    def run():
        with without(module, name):
            return fn()

    return run


@contextlib.contextmanager
def keras_layer_calls():
    """Every ``call_sublayer`` replaced by ``layer(...)`` (Layer.__call__)."""
    import base_attentive.layers.sublayer_call as sublayer_call

    def through_call(layer, *args, training=None, **kwargs):
        return layer(*args, training=training, **kwargs)

    original = sublayer_call.call_sublayer
    modules = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("base_attentive.")
        and module is not sublayer_call
        and getattr(module, "call_sublayer", None) is original
    ]
    for module in modules:
        module.call_sublayer = through_call
    try:
        yield
    finally:
        for module in modules:
            module.call_sublayer = original


def with_keras_layer_calls(fn):
    def run():
        with keras_layer_calls():
            return fn()

    return run


def ref_model(encoder, **overrides):
    import workload
    from base_attentive import BaseAttentive

    arguments = dict(
        static_input_dim=workload.STATIC_DIM,
        dynamic_input_dim=workload.DYNAMIC_DIM,
        future_input_dim=workload.FUTURE_DIM,
        output_dim=workload.OUTPUT_DIM,
        forecast_horizon=workload.HORIZON,
        quantiles=list(workload.QUANTILES),
        embed_dim=workload.EMBED_DIM,
        num_heads=workload.NUM_HEADS,
        dropout_rate=workload.DROPOUT_RATE,
        objective=encoder,
    )
    arguments.update(overrides)
    return BaseAttentive(**arguments)


def ref_batch():
    import workload

    static, dynamic, future, target = workload.make_windows(workload.BATCH_SIZE)
    return [static, dynamic, future], target


def trained(model, x, y):
    model.compile(optimizer="adam", loss="auto")
    model.train_on_batch(x, y)  # traces / compiles the training step
    return lambda: model.train_on_batch(x, y)


# ------------------------------------------------------------ per backend
def measure_jax(args):
    import keras

    from base_attentive import make_fast_predict_fn

    x, y = ref_batch()

    model = ref_model("hybrid")
    plain = ref_model("hybrid")
    plain._compiled_forward = None  # Keras' eager call, operation by operation
    model(x), plain(x)
    plain.set_weights(model.get_weights())
    compare(
        "jax hybrid: eager model(x), compiled forward vs keras eager",
        lambda: keras.ops.convert_to_numpy(model(x)),
        lambda: keras.ops.convert_to_numpy(plain(x)),
        args.rounds,
        max(1, args.calls // 4),
    )
    predict = make_fast_predict_fn(model)
    compare(
        "jax hybrid: prediction, kernel vs model.predict_on_batch",
        lambda: predict(x),
        lambda: model.predict_on_batch(x),
        args.rounds,
        args.calls,
    )


def measure_torch(args):
    import keras
    import torch

    import base_attentive.kernels.torch as torch_kernels
    from base_attentive.layers import FusedLSTM

    print(PREFIX + json.dumps({"torch_threads": torch.get_num_threads()}))
    sequences = torch.randn(32, 48, 32)
    lstm = FusedLSTM(64, return_sequences=True)
    lstm.build((32, 48, 32))

    def lstm_step():
        lstm(sequences, training=True).sum().backward()

    compare(
        "torch LSTM layer (32x48x32 -> 64): forward + backward, fused vs keras",
        lstm_step,
        without_kernel(torch_kernels, "lstm", lstm_step),
        args.rounds,
        args.calls,
    )
    x, y = ref_batch()
    hybrid = ref_model("hybrid")
    step = trained(hybrid, x, y)
    compare(
        "torch hybrid: training step, fused LSTM vs keras LSTM",
        step,
        without_kernel(torch_kernels, "lstm", step),
        args.rounds,
        args.calls,
    )
    for encoder in ("hybrid", "transformer"):
        model = hybrid if encoder == "hybrid" else ref_model(encoder)
        step = trained(model, x, y) if encoder != "hybrid" else step

        def predict(model=model):
            with torch.no_grad():
                return model(x, training=False)

        compare(
            f"torch {encoder}: training step, call_sublayer vs Layer.__call__",
            step,
            with_keras_layer_calls(step),
            args.rounds,
            args.calls,
        )
        compare(
            f"torch {encoder}: prediction, call_sublayer vs Layer.__call__",
            predict,
            with_keras_layer_calls(predict),
            args.rounds,
            args.calls,
        )

    def no_grad_eager():
        with torch.no_grad():
            return keras.ops.convert_to_numpy(hybrid(x, training=False))

    compare(
        "torch hybrid: prediction, candidate no_grad eager call vs "
        "predict_on_batch (dropped)",
        no_grad_eager,
        lambda: hybrid.predict_on_batch(x),
        args.rounds,
        args.calls,
    )


def measure_tensorflow(args):
    from base_attentive import make_fast_predict_fn

    x, y = ref_batch()
    model = ref_model("hybrid")
    model(x)
    predict = make_fast_predict_fn(model)
    compare(
        "tensorflow hybrid: prediction, kernel (tf.function + XLA) vs predict_on_batch",
        lambda: predict(x),
        lambda: model.predict_on_batch(x),
        args.rounds,
        args.calls,
    )


def fresh_process_comparison(name, child, variants, rounds):
    """Alternates ``child`` runs in fresh processes, one per variant and round.

    ``variants`` maps "kernel" and "fallback" to environment overrides (a
    value of None unsets the variable); the child prints milliseconds.
    """
    times = {variant: [] for variant in variants}
    for _ in range(rounds):
        for variant, overrides in variants.items():
            env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
            env.pop("BASE_ATTENTIVE_BACKEND", None)
            for key, value in overrides.items():
                if value is None:
                    env.pop(key, None)
                else:
                    env[key] = value
            result = subprocess.run(
                [sys.executable, __file__, "--child", child],
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                print(result.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f"{child}: the measuring process failed")
            wall, cpu = result.stdout.strip().splitlines()[-1].split()
            times[variant].append((float(wall), float(cpu)))
    return summary(name, times)


def torch_step_child():
    """Median training step (ms) of the REF hybrid on PyTorch."""
    x, y = ref_batch()
    step = trained(ref_model("hybrid"), x, y)
    for _ in range(3):
        step()
    rounds = [_timed(step, 10) for _ in range(3)]
    print(*(statistics.median(pair[i] for pair in rounds) for i in (0, 1)))


def jax_first_call_child():
    """Build + first eager call (ms) of the REF hybrid on JAX; with
    BENCH_KERAS_EAGER=1 the model runs Keras' operation-by-operation call."""
    x, _ = ref_batch()
    import keras

    wall, cpu = time.perf_counter(), time.process_time()
    model = ref_model("hybrid")
    if os.environ.get("BENCH_KERAS_EAGER") == "1":
        model._compiled_forward = None
    keras.ops.convert_to_numpy(model(x))
    print((time.perf_counter() - wall) * 1e3, (time.process_time() - cpu) * 1e3)


MEASURE = {
    "jax": measure_jax,
    "torch": measure_torch,
    "tensorflow": measure_tensorflow,
}


# ------------------------------------------------------------------ driver
def run_backend(backend, args):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("BASE_ATTENTIVE_BACKEND", None)
    if backend == "torch":
        env.setdefault("OMP_NUM_THREADS", "1")  # as the CLI runs it
    command = [sys.executable, __file__, "--child", backend]
    command += ["--rounds", str(args.rounds), "--calls", str(args.calls)]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{backend}: the measuring process failed")
    return [
        json.loads(line[len(PREFIX) :])
        for line in result.stdout.splitlines()
        if line.startswith(PREFIX)
    ]


def print_figure(figure):
    if "comparison" not in figure:
        print(f"  {figure}")
        return
    print(f"  {figure['comparison']}:")
    for clock in ("cpu", "wall"):
        kernel, fallback = (
            figure[f"{v}_{clock}_range"] for v in ("kernel", "fallback")
        )
        print(
            f"    {clock:4}: {figure[f'kernel_{clock}_ms']:.2f} vs "
            f"{figure[f'fallback_{clock}_ms']:.2f} ms (x{figure[f'{clock}_ratio']:.2f}; "
            f"ranges {kernel[0]:.2f}-{kernel[1]:.2f} / {fallback[0]:.2f}-{fallback[1]:.2f})"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="jax,torch,tensorflow")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument(
        "--fresh-rounds",
        type=int,
        default=3,
        help="rounds of the fresh-process comparisons (0: skip them)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    if args.child == "torch-step":
        return torch_step_child()
    if args.child == "jax-first-call":
        return jax_first_call_child()
    if args.child:
        return MEASURE[args.child](args)
    import platform
    from importlib.metadata import version

    print(
        f"kernels vs fallbacks, {time.strftime('%Y-%m-%d %H:%M')}, keras "
        f"{version('keras')}, tensorflow {version('tensorflow-cpu')}, torch "
        f"{version('torch')}, jax {version('jax')}, python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at start"
    )
    for backend in args.backends.split(","):
        print(f"{backend}:")
        for figure in run_backend(backend, args):
            print_figure(figure)
        if backend == "torch" and args.fresh_rounds:
            print_figure(
                fresh_process_comparison(
                    "torch hybrid: training step, OMP_NUM_THREADS=1 vs the "
                    "default threads (fresh processes)",
                    "torch-step",
                    {
                        "kernel": {"KERAS_BACKEND": "torch", "OMP_NUM_THREADS": "1"},
                        "fallback": {"KERAS_BACKEND": "torch", "OMP_NUM_THREADS": None},
                    },
                    args.fresh_rounds,
                )
            )
        if backend == "jax" and args.fresh_rounds:
            print_figure(
                fresh_process_comparison(
                    "jax hybrid: build + first eager call, compiled forward vs "
                    "keras eager (fresh processes)",
                    "jax-first-call",
                    {
                        "kernel": {"KERAS_BACKEND": "jax", "BENCH_KERAS_EAGER": None},
                        "fallback": {"KERAS_BACKEND": "jax", "BENCH_KERAS_EAGER": "1"},
                    },
                    args.fresh_rounds,
                )
            )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
