"""One-hot encoding of categorical static columns, with a stored vocabulary."""

from __future__ import annotations

import numpy as np


class OneHotEncoder:
    """One-hot encodes categorical columns against a vocabulary fixed at fit.

    Values are compared as strings (`str(value)`), so the vocabulary is plain
    JSON. Each column contributes `len(vocabulary)` 0/1 features, in the
    sorted order of its vocabulary; a value not seen at fit time raises.

    Args:
        columns: names of the categorical columns, in encoding order.

    Example:

    >>> import numpy as np
    >>> encoder = OneHotEncoder(["line"]).fit(np.array([["red"], ["blue"]]))
    >>> encoder.feature_names
    ['line=blue', 'line=red']
    >>> encoder.transform(np.array([["red"]])).tolist()
    [[0.0, 1.0]]
    """

    def __init__(self, columns):
        self.columns = list(columns)
        self.vocabularies = None

    @property
    def fitted(self):
        return self.vocabularies is not None

    @property
    def num_features(self):
        if not self.fitted:
            return 0
        return sum(len(vocabulary) for vocabulary in self.vocabularies)

    @property
    def feature_names(self):
        if not self.fitted:
            return []
        return [
            f"{column}={value}"
            for column, vocabulary in zip(self.columns, self.vocabularies, strict=True)
            for value in vocabulary
        ]

    def fit(self, values):
        """Learns the sorted vocabulary of each column.

        Args:
            values: array `(N, len(columns))` of categories (any type, compared
                as strings).

        Returns:
            `self`.
        """
        values = self._check(values)
        self.vocabularies = [
            sorted({str(value) for value in values[:, index]})
            for index in range(len(self.columns))
        ]
        return self

    def transform(self, values):
        """One-hot encodes `values` with the fitted vocabularies.

        Args:
            values: array `(N, len(columns))`.

        Returns:
            float32 array `(N, num_features)`.

        Raises:
            ValueError: naming the column and the values absent from its
                vocabulary.
        """
        if not self.fitted:
            raise ValueError("This OneHotEncoder is not fitted yet: call `fit` first.")
        values = self._check(values)
        blocks = []
        for index, (column, vocabulary) in enumerate(
            zip(self.columns, self.vocabularies, strict=True)
        ):
            text = np.array([str(value) for value in values[:, index]], dtype=object)
            positions = {value: position for position, value in enumerate(vocabulary)}
            unknown = sorted({value for value in text if value not in positions})
            if unknown:
                raise ValueError(
                    f"Categorical column {column!r} has values not seen at fit "
                    f"time: {unknown[:10]}. Known values: {vocabulary[:20]}"
                    f"{' ...' if len(vocabulary) > 20 else ''}"
                )
            block = np.zeros((len(text), len(vocabulary)), dtype=np.float32)
            codes = np.array([positions[value] for value in text], dtype=np.int64)
            block[np.arange(len(text)), codes] = 1.0
            blocks.append(block)
        if not blocks:
            return np.zeros((values.shape[0], 0), dtype=np.float32)
        return np.concatenate(blocks, axis=1)

    def _check(self, values):
        values = np.asarray(values, dtype=object)
        if values.ndim != 2 or values.shape[1] != len(self.columns):
            raise ValueError(
                f"`values` must have shape (N, {len(self.columns)}) for columns "
                f"{self.columns}. Received: shape={values.shape}"
            )
        return values

    def to_dict(self):
        return {"columns": self.columns, "vocabularies": self.vocabularies}

    @classmethod
    def from_dict(cls, state):
        encoder = cls(state["columns"])
        encoder.vocabularies = state["vocabularies"]
        return encoder
