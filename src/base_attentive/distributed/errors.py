"""The error raised when a backend cannot train data-parallel."""

__all__ = ["DistributionNotSupportedError", "TORCH_UNSUPPORTED"]

TORCH_UNSUPPORTED = (
    "Data-parallel training is not available on the torch backend: Keras "
    "3's distribution API (keras.distribution) has no PyTorch implementation, "
    "and base-attentive does not build one around Keras. Train on one device, "
    "or use the JAX backend (keras.distribution.DataParallel) or the "
    "TensorFlow backend (tf.distribute.MirroredStrategy)."
)


class DistributionNotSupportedError(RuntimeError):
    """The active backend (or this set-up) cannot train data-parallel."""
