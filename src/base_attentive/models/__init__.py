"""Forecasting models, and loading them back from `.keras` files."""

from base_attentive.models.base_attentive import BaseAttentive
from base_attentive.models.fast_predict import make_fast_predict_fn

__all__ = ["BaseAttentive", "load_model", "make_fast_predict_fn"]


def load_model(filepath, **kwargs):
    """Loads a model saved with ``model.save("....keras")``, on any backend.

    Registers base-attentive's layers, model and losses with Keras, then
    calls `keras.saving.load_model`. A file saved under one backend loads
    under the others (the weights layout is the same).

    Args:
        filepath: path of the `.keras` file.
        **kwargs: passed to `keras.saving.load_model`.

    Returns:
        The model, compiled if it was saved compiled.
    """
    import keras

    import base_attentive.losses  # noqa: F401  (registers the losses)

    return keras.saving.load_model(filepath, **kwargs)
