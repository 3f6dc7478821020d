"""TensorFlow fast path: XLA-compiled prediction.

Keras and TensorFlow are imported inside the functions (see
`base_attentive.kernels`).
"""

from base_attentive.kernels import as_input_arrays

ENVIRONMENT_DEFAULTS = {}


def predict_function(model, jit_compile):
    """``tf.function`` of ``model(inputs, training=False)``, XLA by default.

    ``reduce_retracing=True``: a new input shape traces a more general
    function instead of one per shape. ``jit_compile=False`` runs the graph
    without XLA.
    """
    import tensorflow as tf

    run = tf.function(
        lambda inputs: model(inputs, training=False),
        jit_compile=jit_compile is not False,
        reduce_retracing=True,
    )

    def predict(inputs):
        return run(as_input_arrays(inputs, model.compute_dtype)).numpy()

    return predict
