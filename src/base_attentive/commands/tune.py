"""`base-attentive tune`: search a configuration with Optuna on the data
before the test period, then train the best one, score it on the test
period against the seasonal-naive baseline and write a run folder, as
`train` does (plus `tuning.json` and `plots/tuning.png`).

The search is `Forecaster.tune` (see `base_attentive.tuning`); this
command splits off the test period first, so trials only ever see the
training and validation periods. It takes the data, model and training
options of `train` (the model and training values are the base that the
search space changes) and these:

    --n-trials N          finished trials the study should hold
    --time-budget MIN     minutes of searching (the final fit comes after)
    --search-space FILE   JSON or TOML search space (default: the
                          documented default space)
    --storage URL         database of the study (sqlite:///study.db, ...):
                          resumable, shared by concurrent workers
    --study-name NAME     the study in --storage (default base-attentive)
    --pruner NAME         median (default), halving or none
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from base_attentive.commands import settings as run_settings
from base_attentive.commands import train, values
from base_attentive.commands.console import Console
from base_attentive.commands.runtime import prepare_process
from base_attentive.commands.tables import forecaster_arguments, load_frame
from base_attentive.run_folder import atomic_folder

TUNING_SETTINGS = (
    run_settings.Setting(
        "n_trials",
        values.integer(1),
        "N",
        "finished trials the study should hold, over every worker and resumed "
        "run (give --n-trials, --time-budget or both)",
    ),
    run_settings.Setting(
        "time_budget",
        values.number(0.0, 1e6),
        "MINUTES",
        "minutes of searching: no trial starts after it (the final fit of the "
        "best configuration comes after)",
    ),
    run_settings.Setting(
        "search_space",
        values.path,
        "FILE",
        "JSON or TOML search space (default: lookback, widths, heads, dropout, "
        "learning rate, encoder, attention levels; see docs/tuning.md)",
    ),
    run_settings.Setting(
        "storage",
        values.text,
        "URL",
        "database of the study, e.g. sqlite:///study.db (any SQLAlchemy URL "
        "Optuna accepts): resumable, and several processes can search it",
    ),
    run_settings.Setting(
        "study_name",
        values.text,
        "NAME",
        "the study in --storage (default base-attentive)",
        "base-attentive",
    ),
    run_settings.Setting(
        "pruner",
        values.choice(("median", "halving", "none")),
        "NAME",
        "stops unpromising trials after an epoch: median, halving or none "
        "(default median)",
        "median",
    ),
)


def configure_parser(parser):
    """Adds the options of `tune`: those of `train` (without distribution)
    and the search's."""
    train.add_run_options(parser, distribution=False)
    run_settings.add_setting_arguments(
        parser.add_argument_group("tuning (see docs/tuning.md)"), TUNING_SETTINGS
    )


def _tuning_options(args):
    options = {}
    for setting in TUNING_SETTINGS:
        given = getattr(args, setting.key)
        if given is None:
            options[setting.key] = setting.default
            continue
        try:
            options[setting.key] = setting.parse(given)
        except ValueError as error:
            raise ValueError(f"{setting.flag} {error}. Received: {given!r}") from None
    return options


def read_search_space(path):
    """The search space of a JSON or TOML file (`--search-space`)."""
    from base_attentive.tuning import SearchSpace

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--search-space {path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise ValueError(
            f"--search-space {path}: the file must end in .json or .toml. "
            f"Received: {path.suffix or 'no extension'!r}"
        )
    loads = run_settings._toml_module().loads if suffix == ".toml" else json.loads
    try:
        raw = loads(path.read_text(encoding="utf-8"))
    except ValueError as error:  # JSONDecodeError, TOMLDecodeError
        raise ValueError(
            f"--search-space {path}: not valid {suffix[1:]}: {error}"
        ) from None
    try:
        return SearchSpace(raw)
    except (TypeError, ValueError) as error:
        raise type(error)(f"--search-space {path}: {error}") from None


def run(args):
    """Runs `tune`; returns the exit code."""
    from base_attentive.tuning.search import check_budget

    settings = run_settings.resolve(args)
    options = _tuning_options(args)
    check_budget(options["n_trials"], options["time_budget"])
    space = (
        read_search_space(options["search_space"]) if options["search_space"] else None
    )
    train.check_output(args)
    console = Console(args.quiet, args.json, steps=6)
    prepare_process()
    started = time.perf_counter()
    from base_attentive.forecaster import Forecaster
    from base_attentive.tuning.plots import plot_tuning
    from base_attentive.tuning.study import describe_storage

    forecaster = Forecaster(**forecaster_arguments(settings))
    frame, description = load_frame(settings)
    history, validation_start, test_origin, test_start = train.split_test(
        frame, settings
    )
    with atomic_folder(args.out, args.overwrite, "--out") as folder:
        forecaster.tune(
            history,
            n_trials=options["n_trials"],
            time_budget=options["time_budget"],
            search_space=space,
            storage=options["storage"],
            study_name=options["study_name"],
            validation=str(validation_start),
            pruner=options["pruner"],
            verbose=console.fit_verbose(),
            progress=console.progress,
        )
        tuning_plot = folder.plot_path("tuning")
        plot_tuning(forecaster.tuning_, path=tuning_plot)
        best = forecaster.tuning_["best"]["params"]
        storage = describe_storage(options["storage"])
        run_info = {
            "command": "base-attentive "
            + " ".join(
                storage if arg == options["storage"] else arg for arg in sys.argv[1:]
            ),
            # The settings the final model was trained with: the tuned
            # values in place (the others, e.g. attention_levels, are in
            # run.json's model arguments).
            "settings": {
                **settings,
                **{k: v for k, v in best.items() if k in settings},
            },
            "tuning_options": {**options, "storage": storage},
            "source": description,
        }
        table, plots, report = train.score_and_write(
            folder, console, forecaster, frame, (test_origin, test_start),
            run_info, started, args.plot_series, plots=[tuning_plot],
        )  # fmt: skip
    summary = forecaster.tuning_
    train.finish(
        console,
        folder,
        table,
        plots,
        report,
        started,
        extra={
            "tuning": {
                "study_name": summary["study_name"],
                "storage": summary["storage"],
                "best": summary["best"],
                "counts": summary["counts"],
                "search_seconds": round(summary["search_seconds"], 1),
            }
        },
    )
    return 0
