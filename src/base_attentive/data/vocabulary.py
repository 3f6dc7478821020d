"""Integer vocabularies of categorical columns, fitted on the training period."""

from __future__ import annotations

import numpy as np
import pandas as pd

UNKNOWN = 0  # the code of a value not seen at fit time, or a missing value


def category_text(value):
    """The text a category is compared by: `str(value)`, with integral floats
    written as integers (so `3.0`, read with NaN nearby, matches `3`); None
    for a missing value."""
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return None
    if pd.isna(value) is True:
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, np.generic):
        value = value.item()
    return str(value)


def _texts(values):
    """Category texts of a 1-D array: `(codes, texts)` from `pandas.factorize`
    (code -1 for a missing value), texts of the distinct values."""
    codes, uniques = pd.factorize(pd.Series(np.asarray(values, dtype=object)))
    return codes, [category_text(value) for value in uniques]


class Vocabulary:
    """Integer codes of categorical columns, one vocabulary per column.

    Values are compared as text (`category_text`), so the vocabulary is
    plain JSON. Code 0 is reserved for a value not seen at fit time or a
    missing one; the values seen at fit get codes `1 .. n`, in sorted
    order. A column with `n` values has `n + 1` codes: its *cardinality*,
    the size of its embedding table in the model.

    Args:
        columns: names of the categorical columns.

    Example:

    >>> vocabulary = Vocabulary(["line"]).fit("line", ["red", "blue", "red"])
    >>> vocabulary.cardinality("line")
    3
    >>> vocabulary.encode("line", ["blue", "green", None]).tolist()
    [1.0, 0.0, 0.0]
    >>> vocabulary.one_hot("line", ["red", "green"]).tolist()
    [[0.0, 1.0], [0.0, 0.0]]
    """

    def __init__(self, columns):
        self.columns = list(columns)
        self.values = {}

    @property
    def fitted(self):
        return set(self.values) == set(self.columns)

    def fit(self, column, values):
        """Learns the sorted vocabulary of one column (missing values left out).

        Args:
            column: one of `columns`.
            values: 1-D array-like of categories (any type).

        Returns:
            `self`.
        """
        self._check(column)
        _, texts = _texts(values)
        known = sorted({text for text in texts if text is not None})
        if not known:
            raise ValueError(
                f"Categorical column {column!r} has no value in the training "
                "period (all missing): a category needs values seen in training."
            )
        self.values[column] = known
        return self

    def encode(self, column, values):
        """The codes of `values`: 1..n for known values, 0 for unknown or
        missing ones, as float32 (they travel in the model's float inputs).

        Args:
            column: one of `columns`, fitted.
            values: 1-D array-like.

        Returns:
            float32 array of the length of `values`.
        """
        self._check(column)
        if column not in self.values:
            raise ValueError(
                f"Column {column!r} has no vocabulary yet: call `fit` first."
            )
        codes, texts = _texts(values)
        known = pd.Index(self.values[column])
        positions = known.get_indexer(
            pd.Index([text if text is not None else "" for text in texts], dtype=object)
        )
        positions = np.where([text is None for text in texts], -1, positions).astype(
            np.int64
        )
        lookup = np.append(positions + 1, UNKNOWN)  # factorize's -1 -> unknown
        return lookup[codes].astype(np.float32)

    def unknown(self, column, values):
        """The distinct non-missing values of `values` not in the vocabulary."""
        self._check(column)
        _, texts = _texts(values)
        known = set(self.values.get(column, ()))
        return sorted({t for t in texts if t is not None and t not in known})

    def cardinality(self, column):
        """Number of codes of a column: its values plus the unknown code."""
        return len(self.values[column]) + 1

    def one_hot(self, column, values):
        """`values` as raw 0/1 indicator columns, one per value of the
        vocabulary (in its sorted order); an unknown or missing value is all
        zeros, so it needs no column of its own.

        Args:
            column: one of `columns`, fitted.
            values: 1-D array-like.

        Returns:
            float32 array `(len(values), cardinality(column) - 1)`.
        """
        codes = self.encode(column, values).astype(np.int64)
        return np.eye(self.cardinality(column), dtype=np.float32)[codes][:, 1:]

    def one_hot_names(self, column):
        """The names of the `one_hot` columns of `column`: `column=value`."""
        return [f"{column}={value}" for value in self.values[column]]

    def _check(self, column):
        if column not in self.columns:
            raise ValueError(
                f"{column!r} is not a categorical column of this vocabulary "
                f"({self.columns})."
            )

    def to_dict(self):
        """JSON-ready state: the columns and each one's sorted values."""
        return {"columns": self.columns, "values": self.values}

    @classmethod
    def from_dict(cls, state):
        """The vocabulary of `to_dict`, checked (a saved file may be edited).

        Raises:
            ValueError: if a column's values are not a sorted list of
                distinct texts, or a column has none.
        """
        columns = state.get("columns") if isinstance(state, dict) else None
        values = state.get("values") if isinstance(state, dict) else None
        if not (
            isinstance(columns, list)
            and all(isinstance(c, str) for c in columns)
            and isinstance(values, dict)
            and sorted(values) == sorted(columns)
        ):
            raise ValueError(
                "A vocabulary must hold `columns` (a list of names) and "
                "`values` (one list per column). Received: "
                f"{str(state)[:200]}"
            )
        for column, texts in values.items():
            valid = (
                isinstance(texts, list)
                and texts
                and all(isinstance(t, str) for t in texts)
                and texts == sorted(set(texts))
            )
            if not valid:
                raise ValueError(
                    f"The vocabulary of {column!r} must be a sorted list of "
                    f"distinct texts. Received: {str(texts)[:200]}"
                )
        vocabulary = cls(columns)
        vocabulary.values = {key: list(value) for key, value in values.items()}
        return vocabulary


def holds_categories(values, column, role):
    """Whether a past or future column holds categories rather than numbers.

    A numeric (or boolean) column holds numbers. A text column holds
    categories, unless every value is a number written as text (`"3.5"`),
    which is read as a number. A text column mixing numbers and other text
    is ambiguous: it raises, asking to name it as categorical or clean it.

    Args:
        values: the column (pandas Series).
        column: its name, for the error.
        role: its role (`"past"`, `"future"`), for the error.

    Returns:
        bool.

    Raises:
        TypeError: if the column mixes numbers and other text.
    """
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    present = values.dropna().astype(object)
    numbers = pd.to_numeric(present, errors="coerce")
    if numbers.notna().all():
        return False
    if numbers.isna().all():
        return True
    examples = present[numbers.isna()].unique()[:3].tolist()
    raise TypeError(
        f"`{role}` column {column!r} mixes numbers and text (e.g. {examples}). "
        f"Name it in `categorical` to use its values as categories, or clean "
        "the text to use it as numbers."
    )
