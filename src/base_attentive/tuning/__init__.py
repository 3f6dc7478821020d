"""Hyperparameter search for the `Forecaster` with Optuna
(`Forecaster.tune`, `base-attentive tune`).

A study draws configurations from a search space (TPE sampler), trains each
with the Forecaster's recipe, stops unpromising ones after an epoch
(median or successive-halving pruner) and scores the others on the
validation windows only: the test period is never seen. Studies may live
in a database (any SQLAlchemy URL Optuna accepts): a search resumes after
an interruption, and several processes can search one study at once.

Modules, one concern each:

- `search_space`: `SearchSpace` and `default_search_space`.
- `objective`: one trial (training, the shared validation windows, the
  objective).
- `study`: storage, sampler, pruner, budget and resuming rules.
- `search`: the search itself (`search`, `SearchResult`).
- `summary`: the summary kept in `Forecaster.tuning_` and `tuning.json`.
- `plots`: the optimisation history and parameter importances.

Optuna is optional (`pip install "base-attentive[tune]"`); it is imported
when a search starts, with an `ImportError` naming the extra when missing.
Importing this package imports neither Optuna nor Keras.
"""

from base_attentive.tuning.search_space import (
    TRAINING_PARAMETERS,
    SearchSpace,
    default_search_space,
)

__all__ = ["TRAINING_PARAMETERS", "SearchSpace", "default_search_space"]
