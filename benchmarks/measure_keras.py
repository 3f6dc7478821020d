"""One REF measurement of a Keras implementation, in a fresh process.

Run by ``ref_workload.py`` (never imported), with ``KERAS_BACKEND`` set in
the environment and the interpreter of the virtual environment that holds
the implementation (``ours`` or ``competitor``; both import as
``base_attentive``)::

    python benchmarks/measure_keras.py --impl ours --backend torch --encoder hybrid

``import base_attentive`` is the first import of the process and is timed
before anything else loads, so the import figure is what a user pays.
"""

# ruff: noqa: E402  (every other import follows the timed package import)
import sys
import time

_start = time.perf_counter()
import base_attentive

IMPORT_SECONDS = time.perf_counter() - _start
KERAS_IMPORTED_BY_PACKAGE = "keras" in sys.modules

import statistics
from pathlib import Path

# Keras is loaded before the model class is first accessed: base-attentive
# 2.3.0 silently builds a NumPy stand-in model otherwise.
import keras

import child
import competitors
import workload


def measure(args):
    """Measure the REF figures of ``args.impl``, emitting each one."""
    child.emit(
        import_seconds=IMPORT_SECONDS,
        keras_imported_by_package=KERAS_IMPORTED_BY_PACKAGE,
        package_version=getattr(base_attentive, "__version__", None),
        package_path=str(Path(base_attentive.__file__).parent),
    )
    keras.utils.set_random_seed(workload.SEED)
    static, dynamic, future, target = workload.make_windows(
        args.n_windows, lookback=args.lookback
    )
    batch = [array[: args.batch_size] for array in (static, dynamic, future)]

    child.emit(stage="build")
    start = time.perf_counter()
    model = competitors.build_model(args.impl, args.encoder)
    keras.ops.convert_to_numpy(model(batch))
    child.emit(
        keras_backend=keras.backend.backend(),
        build_seconds=time.perf_counter() - start,
        params=sum(_size(w) for w in model.weights),
        trainable_params=sum(_size(w) for w in model.trainable_weights),
    )
    model.compile(optimizer="adam", loss=competitors.default_loss(args.impl))

    if "inference" in args.stages:
        child.emit(stage="inference")
        child.emit(**_time_inference(args, model, batch))
    if "train" in args.stages:
        child.emit(stage="train")
        child.emit(**_time_training(args, model, [static, dynamic, future], target))


def measure_devices(args):
    """Training throughput from lazy windows on ``args.devices`` devices.

    The CPU is split into that many virtual devices before the framework
    starts; one device trains without a distribution (the baseline), more
    train through ``base_attentive.distributed.data_parallel``.
    """
    import contextlib

    from base_attentive.distributed import data_parallel, split_cpu_devices

    split_cpu_devices(args.devices)
    child.emit(
        import_seconds=IMPORT_SECONDS,
        package_version=getattr(base_attentive, "__version__", None),
    )
    keras.utils.set_random_seed(workload.SEED)
    windows = workload.make_lazy_windows(
        args.n_windows, lookback=args.lookback, batch_size=args.batch_size
    )
    plan = data_parallel(devices=args.devices) if args.devices > 1 else None
    if plan is not None:
        windows = plan.shard(windows, training=True)
        child.emit(engine=plan.engine, mesh=plan.devices)
    child.emit(stage="build")
    with plan.scope() if plan else contextlib.nullcontext():
        model = competitors.build_model(args.impl, args.encoder)
        keras.ops.convert_to_numpy(model(list(windows[0][0])))
        child.emit(params=sum(_size(w) for w in model.weights))
        model.compile(optimizer="adam", loss=competitors.default_loss(args.impl))
        child.emit(stage="train")
        child.emit(**_time_training(args, model, windows))


def _size(variable):
    size = 1
    for dim in variable.shape:
        size *= int(dim)
    return size


def _time_inference(args, model, batch):
    path, predict = competitors.make_predict_fn(
        args.impl, model, batch, torch_compile=args.torch_compile
    )
    timings = []
    for _ in range(args.warmup_calls + args.timed_calls):
        start = time.perf_counter()
        keras.ops.convert_to_numpy(predict(batch))
        timings.append(time.perf_counter() - start)
    return {
        "inference_ms": 1000 * statistics.median(timings[args.warmup_calls :]),
        "inference_first_call_s": timings[0],
        "inference_path": path,
    }


def _time_training(args, model, inputs, target=None):
    epoch_seconds = []

    class EpochTimer(keras.callbacks.Callback):
        """Wall time of every epoch of ``fit``."""

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            epoch_seconds.append(time.perf_counter() - self.start)

    if target is None:  # a PyDataset of (x, y) batches
        fit_data = {"x": inputs, "shuffle": False}
    else:
        fit_data = {"x": inputs, "y": target, "batch_size": args.batch_size}
    model.fit(**fit_data, epochs=args.epochs, verbose=0, callbacks=[EpochTimer()])
    return {
        "train_samples_per_s": args.n_windows / epoch_seconds[-1],
        "epoch_seconds": [round(s, 3) for s in epoch_seconds],
    }


if __name__ == "__main__":
    arguments = child.parse_args()
    (measure_devices if arguments.devices else measure)(arguments)
    child.emit(versions=child.installed_versions(arguments.backend))
