"""How each Keras implementation of BaseAttentive is driven on the REF workload.

Both implementations import as ``base_attentive``; a measuring process runs in
the virtual environment that holds one of them (``ours``: this repository,
``competitor``: ``base-attentive==2.3.0`` from PyPI). Everything that differs
between the two lives here, one small function per concern: the constructor
arguments, the default quantile loss and the fastest prediction path.

Importing this module imports only the standard library; Keras and the
package are imported inside the functions, after the import timing.
"""

import workload

KERAS_IMPLS = ("ours", "competitor")


def model_kwargs(impl, encoder):
    """Constructor arguments of the REF model for ``impl`` and ``encoder``."""
    common = {
        "output_dim": workload.OUTPUT_DIM,
        "forecast_horizon": workload.HORIZON,
        "quantiles": list(workload.QUANTILES),
        "embed_dim": workload.EMBED_DIM,
        "num_heads": workload.NUM_HEADS,
        "dropout_rate": workload.DROPOUT_RATE,
        "objective": encoder,
    }
    dims = (workload.STATIC_DIM, workload.DYNAMIC_DIM, workload.FUTURE_DIM)
    if impl == "ours":
        names = ("static_input_dim", "dynamic_input_dim", "future_input_dim")
        return {**dict(zip(names, dims, strict=True)), **common}
    if impl == "competitor":
        # 2.3.0 deprecates the ``*_input_dim`` names in favour of ``*_dim``,
        # and its ``objective`` argument is validated but ignored: the encoder
        # comes from ``architecture_config["encoder_type"]`` (default
        # "hybrid"), so the encoder is chosen there as well.
        names = ("static_dim", "dynamic_dim", "future_dim")
        return {
            **dict(zip(names, dims, strict=True)),
            **common,
            "architecture_config": {"encoder_type": encoder},
        }
    raise ValueError(f"`impl` must be one of {KERAS_IMPLS}. Received: impl={impl!r}")


def build_model(impl, encoder):
    """Construct the REF model (not yet built) of ``impl``."""
    import keras

    from base_attentive import BaseAttentive

    model = BaseAttentive(**model_kwargs(impl, encoder))
    if not isinstance(model, keras.Model):
        # base-attentive 2.3.0 silently assembles a NumPy stand-in model when
        # Keras was not imported before the class was first accessed.
        raise RuntimeError(
            f"{impl} BaseAttentive is not a keras.Model; "
            "import keras before accessing base_attentive.BaseAttentive."
        )
    return model


def default_loss(impl):
    """The package's default loss for a quantile model."""
    if impl == "ours":
        return "auto"
    # 2.3.0 has no ``loss="auto"``; its documented pinball loss for
    # (B, H, Q, O) predictions against (B, H, O) targets is this one.
    from base_attentive.components import AdaptiveQuantileLoss

    return AdaptiveQuantileLoss(list(workload.QUANTILES))


def make_predict_fn(impl, model, sample_inputs, torch_compile=False):
    """Fastest documented prediction path of ``impl``: ``(name, callable)``.

    The callable takes ``[static, dynamic, future]`` and returns the
    quantile forecast; ``sample_inputs`` may be used to trace it once.
    ``torch_compile``: ours on PyTorch uses
    ``make_fast_predict_fn(model, jit_compile=True)`` (``torch.compile``).
    """
    import keras

    import base_attentive

    if impl == "competitor":
        if keras.backend.backend() == "tensorflow":
            fast = base_attentive.make_fast_predict_fn(
                model, warmup_inputs=sample_inputs
            )
            return "make_fast_predict_fn (tf.function, XLA)", fast
        return "predict_on_batch", model.predict_on_batch
    factory = getattr(base_attentive, "make_fast_predict_fn", None)
    if factory is not None and torch_compile and keras.backend.backend() == "torch":
        return "make_fast_predict_fn (torch.compile)", factory(model, jit_compile=True)
    if factory is not None:
        return "make_fast_predict_fn", factory(model)
    if hasattr(model, "fast_predict"):
        return "model.fast_predict", model.fast_predict
    return "predict_on_batch", model.predict_on_batch
