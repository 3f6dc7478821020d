"""Class names written by earlier versions still load."""

import keras

from base_attentive import layers  # noqa: F401  (registers the former names)


def test_a_dropout_layer_saved_under_its_former_name_loads_as_keras_dropout():
    config = {
        "module": "base_attentive.layers.dropout",
        "class_name": "Dropout",
        "config": {"name": "drop", "rate": 0.25, "noise_shape": None, "seed": 7},
        "registered_name": "base_attentive>Dropout",
    }
    layer = keras.saving.deserialize_keras_object(config)
    assert type(layer) is keras.layers.Dropout
    assert (layer.rate, layer.seed, layer.name) == (0.25, 7, "drop")
