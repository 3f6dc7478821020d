"""JAX fast paths: compiled eager calls, prediction.

Keras and JAX are imported inside the functions, so that the environment
defaults below can be read and applied before Keras starts.
"""

import atexit
import functools
import os
import shutil
import tempfile

from base_attentive import interrupts
from base_attentive.kernels import as_input_arrays

# On JAX, Keras may import TensorFlow when it is installed (saving checks for
# TensorFlow types); with oneDNN off its start-up notices stay quiet, and
# nothing changes, since TensorFlow computes nothing here.
ENVIRONMENT_DEFAULTS = {"TF_ENABLE_ONEDNN_OPTS": "0"}

# The folder of XLA's persistent compilation cache (read when JAX starts).
CACHE_VARIABLE = "JAX_COMPILATION_CACHE_DIR"


def process_environment():
    """The environment defaults `configure_process` computes for a JAX
    process: a temporary folder for XLA's compilation cache.

    The models of an ensemble (``TrainingSettings.ensemble``) are trained
    one after another and compile the same program. Without a cache JAX
    compiles the training step of each again, about 20 s of each model's
    share of the time limit on 2 CPU cores; with one, the second and later
    models load the compiled program in a few seconds and train for that
    time instead (docs/benchmarks.md, "XLA compilation cache on JAX").

    The folder is created here and removed when the process ends: by its
    exit handlers, or by `base_attentive.interrupts.exit_now` after a
    stopping signal. A folder the user has set in ``JAX_COMPILATION_CACHE_DIR``
    is used as it is and kept, so it also serves later runs.

    Returns:
        dict: ``{variable: value}``; empty when the user set the folder (or
        an earlier call did).
    """
    if os.environ.get(CACHE_VARIABLE):
        return {}
    folder = tempfile.mkdtemp(prefix="base-attentive-xla-cache-")
    remove = functools.partial(shutil.rmtree, folder, ignore_errors=True)
    atexit.register(remove)
    interrupts.at_stop(remove)
    return {CACHE_VARIABLE: folder}


class CompiledForward:
    """Runs eager JAX calls of ``model`` through `jax.jit` of its stateless call.

    On JAX, Keras runs an eager ``model(x)`` (concrete arrays, outside
    ``fit`` / ``predict``) operation by operation, and JAX compiles and keeps
    one XLA kernel per operation and input shape: for a model of a few
    thousand operations the first call is slow and the kernels hold memory.
    Through this class the whole forward pass is compiled once per input
    shape and ``training`` value, and later calls with those shapes reuse it.

    It computes what the eager call computes: the outputs of
    ``model.stateless_call`` with the current weights, after which the
    non-trainable variables (dropout seeds in training, batch-norm
    statistics) are assigned their new values, as an eager call would update
    them. Inside a Keras `StatelessScope` the reads and assignments go
    through the scope, as Keras' own do. Calls with traced inputs (inside
    ``fit``, ``predict``, `jax.jit` or `jax.grad` of the inputs) do not use
    it. Under `jax.disable_jit()` the model runs operation by operation.
    """

    def __init__(self, model):
        import jax

        self._model = model
        self._run = jax.jit(self._stateless_call, static_argnames="training")
        # True while the forward pass runs through `_run`: the model's own
        # call inside must take its operation-by-operation path (its inputs
        # are concrete under `jax.disable_jit()`).
        self._running = False

    def _stateless_call(self, trainable, non_trainable, inputs, training):
        return self._model.stateless_call(
            trainable, non_trainable, inputs, training=training
        )

    def applies_to(self, inputs):
        """Whether ``inputs`` are concrete arrays outside this class's own run."""
        import jax
        import keras

        return not self._running and not any(
            isinstance(part, jax.core.Tracer) for part in keras.tree.flatten(inputs)
        )

    def forward(self, inputs, training):
        """The compiled forward pass with the current weights.

        Returns ``(outputs, non_trainable_values)`` and changes no variable
        (`predict_function` uses it, so a model called eagerly and through
        its prediction function is compiled once per input shape, not
        twice).
        """
        model = self._model
        self._running = True
        try:
            return self._run(
                [variable.value for variable in model.trainable_variables],
                [variable.value for variable in model.non_trainable_variables],
                inputs,
                training=bool(training),
            )
        finally:
            self._running = False

    def __call__(self, inputs, training):
        outputs, non_trainable = self.forward(inputs, training)
        for variable, value in zip(
            self._model.non_trainable_variables, non_trainable, strict=True
        ):
            variable.assign(value)
        return outputs


def predict_function(model, jit_compile):
    """`jax.jit` over ``model.stateless_call``, reading the current weights.

    The compiled function is the model's `CompiledForward` when it has one
    (a `BaseAttentive`), so eager calls and predictions share it. JAX
    always compiles: ``jit_compile`` has no effect.
    """
    from keras import ops

    forward = getattr(model, "_compiled_forward", None) or CompiledForward(model)

    def predict(inputs):
        inputs = as_input_arrays(inputs, model.compute_dtype)
        outputs, _ = forward.forward(inputs, training=False)
        return ops.convert_to_numpy(outputs)

    return predict
