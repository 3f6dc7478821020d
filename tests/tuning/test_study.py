"""The study's storage, pruner and counting rules (no training here)."""

import optuna
import pytest

from base_attentive.tuning import study as studies


def test_storage_description_hides_the_password():
    described = studies.describe_storage("postgresql://ana:s3cret@db.example/tuning")
    assert "s3cret" not in described and "db.example/tuning" in described
    assert studies.describe_storage(None) == "in memory"


def test_a_database_url_opens_a_storage_with_heartbeats(tmp_path):
    storage = studies.open_storage(f"sqlite:///{tmp_path / 'study.db'}")
    assert isinstance(storage, optuna.storages.RDBStorage)
    assert storage.heartbeat_interval == studies.HEARTBEAT_SECONDS
    assert storage.grace_period == studies.GRACE_SECONDS
    assert (tmp_path / "study.db").is_file()
    assert studies.open_storage(storage) is storage
    assert studies.open_storage(None) is None


def test_a_database_that_cannot_be_opened_is_a_value_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'missing' / 'folder' / 'study.db'}"
    with pytest.raises(
        ValueError, match="`storage` sqlite:///.*cannot open the database"
    ):
        studies.open_storage(url)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("median", optuna.pruners.MedianPruner),
        ("halving", optuna.pruners.SuccessiveHalvingPruner),
        ("none", optuna.pruners.NopPruner),
    ],
)
def test_pruner_names(name, kind):
    assert isinstance(studies.make_pruner(name), kind)


def test_finished_trials_count_toward_n_trials_interrupted_ones_do_not():
    study = optuna.create_study()
    states = optuna.trial.TrialState
    for state, outcome in [
        (states.COMPLETE, "complete"),
        (states.PRUNED, "pruned"),
        (states.FAIL, "invalid"),
        (states.FAIL, "diverged"),
        (states.FAIL, "interrupted"),
        (states.FAIL, None),  # a dead worker's trial, run again elsewhere
    ]:
        study.add_trial(
            optuna.create_trial(
                state=state,
                value=1.0 if state == states.COMPLETE else None,
                intermediate_values={0: 1.0} if state == states.PRUNED else None,
                user_attrs={} if outcome is None else {"outcome": outcome},
            )
        )
    assert [t.number for t in studies.counted_trials(study)] == [0, 1, 2, 3]
    # Two more finished trials make 6: the study stops there.
    study.optimize(lambda trial: 0.0, n_trials=10, callbacks=[studies.StopAfter(6)])
    assert len(study.trials) == 8
