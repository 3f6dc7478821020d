"""Save / load of a fitted `ForecastDataset` as one JSON file (no pickle)."""

from __future__ import annotations

import json
import os

import numpy as np

from base_attentive.data.scaling import SeriesScaler
from base_attentive.data.spec import DatasetSpec
from base_attentive.data.split import SplitBoundaries
from base_attentive.data.vocabulary import Vocabulary

FORMAT_NAME = "base_attentive.ForecastDataset"
# 2: integer vocabularies of categorical columns in any role (embedded by
# the model) replace version 1's one-hot static encoder.
FORMAT_VERSION = 2
_SCALERS = ("target_scaler", "past_scaler", "future_scaler", "static_scaler")


def save_dataset(dataset, path):
    """Writes the fitted state of `dataset` to `path` as JSON."""
    state = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "spec": dataset.spec.to_dict(),
        "freq": dataset.freq,
        "split": dataset.boundaries.to_dict(),
        "series_ids": dataset.series_ids,
        "skipped_series": dataset.skipped_series,
        "target_stats": dataset.target_stats.tolist(),
        "vocabulary": dataset.vocabulary.to_dict(),
        "indicators": dataset.indicators,
    }
    for name in _SCALERS:
        state[name] = getattr(dataset, name).to_dict()
    with open(os.fspath(path), "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=1, allow_nan=False)


def load_dataset(cls, path):
    """Rebuilds a fitted dataset of class `cls` from a `save_dataset` file.

    Raises:
        ValueError: if the file is not a saved ForecastDataset or has an
            unsupported format version.
    """
    with open(os.fspath(path), encoding="utf-8") as handle:
        state = json.load(handle)
    if not isinstance(state, dict) or state.get("format") != FORMAT_NAME:
        found = state.get("format") if isinstance(state, dict) else type(state).__name__
        raise ValueError(
            f"{os.fspath(path)!r} is not a saved ForecastDataset (expected "
            f"format {FORMAT_NAME!r}, found {found!r})."
        )
    if state.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            "Unsupported ForecastDataset format_version "
            f"{state.get('format_version')!r}; this version reads {FORMAT_VERSION}"
            + (
                " (version 1 one-hot encoded categories, which models now "
                "embed: fit the dataset and the model again)"
                if state.get("format_version") == 1
                else ""
            )
            + "."
        )
    # Files written before `static_one_hot_max` embedded every category.
    spec = {"static_one_hot_max": 0, **state["spec"]}
    dataset = cls(DatasetSpec.from_dict(spec))
    dataset.freq = state["freq"]
    dataset.boundaries = SplitBoundaries.from_dict(state["split"])
    dataset.series_ids = state["series_ids"]
    dataset.skipped_series = state["skipped_series"]
    dataset.target_stats = np.asarray(state["target_stats"], dtype=np.float64)
    dataset.vocabulary = Vocabulary.from_dict(state["vocabulary"])
    # Observed indicators (missing="mask"); files written before have none.
    dataset.indicators = state.get("indicators", dataset.indicators)
    for name in _SCALERS:
        setattr(dataset, name, SeriesScaler.from_dict(state[name]))
    return dataset
