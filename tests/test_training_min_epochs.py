"""`min_epochs` of the training recipe: the first epochs are never kept as
the best and do not count towards early stopping."""

import keras
import numpy as np
import pytest

from base_attentive.training import TrainingSettings, train_model

EPOCHS = 4


class _Batches(keras.utils.PyDataset):
    """One fixed batch `(x, y)` per epoch (stands in for `WindowDataset`)."""

    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y

    def __len__(self):
        return 1

    def __getitem__(self, index):
        return self.x, self.y

    def on_epoch_end(self):
        pass


class _Weights(keras.callbacks.Callback):
    """The kernel after every epoch."""

    def __init__(self):
        super().__init__()
        self.kernels = []

    def on_epoch_end(self, epoch, logs=None):
        self.kernels.append(keras.ops.convert_to_numpy(self.model.weights[0]))


def _drifting_fit(min_epochs, patience=EPOCHS):
    """A model that starts at the validation optimum and is trained away
    from it: its validation loss grows every epoch, so the best epoch is
    the first one that early stopping may keep."""
    x = np.eye(3, dtype="float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    model.layers[0].kernel.assign(np.ones((3, 1), dtype="float32"))
    train = _Batches(x, np.full((3, 1), 5.0, dtype="float32"))
    validation = _Batches(x, np.ones((3, 1), dtype="float32"))
    settings = TrainingSettings(
        epochs=EPOCHS, patience=patience, min_epochs=min_epochs, time_limit=None
    )
    weights = _Weights()
    history, summary = train_model(
        model, train, validation, settings, callbacks=[weights]
    )
    kept = keras.ops.convert_to_numpy(model.weights[0])
    return history, summary, kept, weights.kernels


def test_without_min_epochs_the_first_epoch_can_be_kept():
    history, summary, kept, kernels = _drifting_fit(min_epochs=0)
    assert np.all(np.diff(history["val_loss"]) > 0)
    assert summary["best_epoch"] == 1
    np.testing.assert_array_equal(kept, kernels[0])


def test_min_epochs_keeps_the_best_epoch_after_them():
    history, summary, kept, kernels = _drifting_fit(min_epochs=2)
    assert summary["best_epoch"] == 3
    assert summary["best_val_loss"] == pytest.approx(history["val_loss"][2])
    np.testing.assert_array_equal(kept, kernels[2])


def test_min_epochs_do_not_count_towards_early_stopping():
    # patience 1 would stop after epoch 2 without min_epochs.
    _, summary, _, _ = _drifting_fit(min_epochs=2, patience=1)
    assert summary["epochs_run"] == EPOCHS and summary["stopped_by"] == "epochs"
    _, summary, _, _ = _drifting_fit(min_epochs=0, patience=1)
    assert summary["epochs_run"] == 2 and summary["stopped_by"] == "early stopping"


def test_training_that_ends_within_min_epochs_keeps_the_last_weights():
    history, summary, kept, kernels = _drifting_fit(min_epochs=EPOCHS)
    assert summary["best_epoch"] == EPOCHS
    assert summary["best_val_loss"] == pytest.approx(history["val_loss"][-1])
    np.testing.assert_array_equal(kept, kernels[-1])


@pytest.mark.parametrize("value", [-1, 1.5, True, "8"])
def test_min_epochs_must_be_a_non_negative_integer(value):
    with pytest.raises(ValueError, match=r"`min_epochs` must be an integer >= 0"):
        TrainingSettings(min_epochs=value)


def test_min_epochs_also_hold_the_learning_rate():
    # The validation loss grows every epoch. Without min_epochs the
    # plateau schedule halves the rate after two worse epochs (the history
    # holds the rate each epoch trained with); with them, the first epochs
    # are not watched and the rate is kept.
    history, _, _, _ = _drifting_fit(min_epochs=0)
    np.testing.assert_allclose(history["learning_rate"], [0.1, 0.1, 0.1, 0.05])
    history, _, _, _ = _drifting_fit(min_epochs=2)
    np.testing.assert_allclose(history["learning_rate"], [0.1] * EPOCHS)
