"""One serving measurement of REF, in a fresh process (run by
``serving_bench.py``, never imported).

``--runtime keras`` (``KERAS_BACKEND`` set): builds our REF model, times
our fastest Keras path (``make_fast_predict_fn``) on a batch of 32 and on
a large batch, exports the model to ONNX on this backend
(`base_attentive.artifacts.export_model`) and saves the inputs and Keras
outputs next to it.

``--runtime onnx``: loads that artifact with ONNX Runtime in a process
where Keras, TensorFlow, PyTorch and JAX cannot be imported (blocked on
``sys.meta_path``), times the same two batches and compares the outputs
with Keras'. Both print figures as ``child.emit`` lines.
"""

import argparse
import statistics
import sys
import time

import child
import workload

FRAMEWORKS = ("keras", "tensorflow", "torch", "jax", "jaxlib")


class BlockFrameworks:
    """Refuses every import of a deep-learning framework."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in FRAMEWORKS:
            raise ImportError(f"blocked in the serving benchmark: {name}")
        return None


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runtime", choices=("keras", "onnx"), required=True)
    parser.add_argument("--artifact", required=True, help="the .onnx file")
    parser.add_argument("--encoder", default="hybrid")
    parser.add_argument("--large-batch", type=int, default=1024)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup-calls", type=int, default=workload.WARMUP_CALLS)
    parser.add_argument("--timed-calls", type=int, default=workload.TIMED_CALLS)
    parser.add_argument("--large-calls", type=int, default=5)
    return parser.parse_args(argv)


def time_calls(predict, inputs, warmup, timed):
    """Median seconds per call after `warmup` calls."""
    seconds = []
    for _ in range(warmup + timed):
        start = time.perf_counter()
        predict(inputs)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds[warmup:])


def figures(predict, args, windows):
    """Latency on a batch of 32 and throughput on a large batch."""
    small = [array[: workload.BATCH_SIZE] for array in windows]
    large = [array[: args.large_batch] for array in windows]
    latency = time_calls(predict, small, args.warmup_calls, args.timed_calls)
    per_large = time_calls(predict, large, 2, args.large_calls)
    return {
        "latency_ms_batch32": 1000 * latency,
        "windows_per_s_large": args.large_batch / per_large,
        "large_batch": args.large_batch,
    }


def measure_keras(args):
    import keras
    import numpy as np

    import competitors
    from base_attentive import make_fast_predict_fn
    from base_attentive.artifacts import export_model

    keras.utils.set_random_seed(workload.SEED)
    static, dynamic, future, _ = workload.make_windows(args.large_batch)
    windows = [static, dynamic, future]
    model = competitors.build_model("ours", args.encoder)
    model([array[:2] for array in windows])
    predict = make_fast_predict_fn(model)
    child.emit(keras_backend=keras.backend.backend(), path="make_fast_predict_fn")
    child.emit(**figures(predict, args, windows))
    start = time.perf_counter()
    shapes = {name: array.shape[1:] for name, array in zip(
        ("static", "dynamic", "future"), windows, strict=True)}  # fmt: skip
    export_model(model, args.artifact, "onnx", shapes)
    child.emit(export_seconds=time.perf_counter() - start)
    np.savez(
        args.artifact + ".npz",
        static=static,
        dynamic=dynamic,
        future=future,
        expected=np.asarray(predict(windows)),
    )


def measure_onnx(args):
    sys.meta_path.insert(0, BlockFrameworks())
    import os

    import numpy as np
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if args.threads:
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = args.threads
    session = onnxruntime.InferenceSession(
        args.artifact, options, providers=["CPUExecutionProvider"]
    )
    names = [item.name for item in session.get_inputs()]
    saved = np.load(args.artifact + ".npz")
    windows = [saved[name] for name in ("static", "dynamic", "future")]

    def predict(inputs):
        return session.run(None, dict(zip(names, inputs, strict=True)))[0]

    child.emit(onnxruntime=onnxruntime.__version__, path="onnxruntime")
    child.emit(**figures(predict, args, windows))
    difference = np.abs(predict(windows) - saved["expected"]).max()
    child.emit(
        max_abs_difference_vs_keras=float(difference),
        artifact_mb=os.path.getsize(args.artifact) / 2**20,
        frameworks_imported=sorted(
            m for m in sys.modules if m.split(".")[0] in FRAMEWORKS
        ),
    )


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.runtime == "keras":
        measure_keras(arguments)
    else:
        measure_onnx(arguments)
