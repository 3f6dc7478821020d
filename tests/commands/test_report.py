"""The report's lines on an ensemble (`--ensemble`, `--ensemble-tolerance`)."""

from base_attentive.commands.report import ensemble_lines


def _training(losses, left_out=()):
    members = [{"best_val_loss": loss} for loss in losses]
    return {
        "members": members,
        "left_out": [
            {"member": i, "seed": 5 + i, "best_val_loss": losses[i]} for i in left_out
        ],
    }


def test_one_model_gives_no_ensemble_line():
    assert ensemble_lines({"best_val_loss": 0.05}, {"seed": 0}) == []


def test_the_report_says_how_many_models_were_averaged_and_which_left_out():
    settings = {"seed": 5, "ensemble_tolerance": 0.2}
    lines = ensemble_lines(_training([0.046, 0.062, 0.045], left_out=[1]), settings)
    assert lines[0] == (
        "- 2 of 3 models averaged (seeds 5..7; best validation losses "
        "0.046, 0.062, 0.045)"
    )
    assert lines[1] == (
        "- model of seed 6 left out of the average: best validation loss "
        "0.062, more than 20% above the best model's (0.045; ensemble_tolerance)"
    )
    assert len(lines) == 2


def test_every_model_kept_gives_one_line():
    lines = ensemble_lines(_training([0.046, 0.047]), {"seed": 0})
    assert lines == [
        "- 2 of 2 models averaged (seeds 0..1; best validation losses 0.046, 0.047)"
    ]
