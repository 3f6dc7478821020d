"""Forecasting models, and loading them back from `.keras` files.

Importing this package imports Keras, after resolving the backend: an
invalid backend variable raises its own clear ``ValueError`` here, before
Keras could fail on it with a less helpful one.
"""

from base_attentive.backend.resolution import configure_keras_backend_env

configure_keras_backend_env()

from base_attentive.models.base_attentive import BaseAttentive  # noqa: E402
from base_attentive.models.ensemble import MeanEnsemble  # noqa: E402
from base_attentive.models.fast_predict import make_fast_predict_fn  # noqa: E402

__all__ = ["BaseAttentive", "MeanEnsemble", "load_model", "make_fast_predict_fn"]


def load_model(filepath, **kwargs):
    """Loads a model saved with ``model.save("....keras")``, on any backend.

    The same as `keras.saving.load_model`, which also works once this
    package is imported (it registers base-attentive's layers, model and
    losses with Keras). A file saved under one backend loads under the others
    (the weights layout is the same).

    Args:
        filepath: path of the `.keras` file.
        **kwargs: passed to `keras.saving.load_model`.

    Returns:
        The model, compiled if it was saved compiled.
    """
    import keras

    return keras.saving.load_model(filepath, **kwargs)
