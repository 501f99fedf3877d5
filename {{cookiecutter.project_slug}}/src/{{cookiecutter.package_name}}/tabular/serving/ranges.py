"""Warnings for inputs outside what the model saw in training, read from its input schema.

The model answers any record it can encode: it extrapolates past the training range of a number,
fills in a missing value as in training, and encodes a category it never saw as all zeros. Each
prediction names such inputs, so that the caller can decide whether to trust it.

Which values are *possible* (a negative length, a body mass of a tonne) is for the user to check:
these warnings are about the training data only. The record type that the API, the app and
`predict` share already refuses a missing value where training had none and a category training
never saw, so for their records only numbers outside their range are left to warn about; the
other two warnings are for records passed to `predict_checked` unvalidated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..model.schema import InputSchema


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class TrainingRange:
    """Checks records against the training data's ranges, missing values and categories."""

    def __init__(self, schema: InputSchema) -> None:
        self.features = schema.features
        self.numbers = [feature for feature in schema.features if feature.kind == "number"]
        self.low = np.array([feature.minimum for feature in self.numbers], dtype=np.float64)
        self.high = np.array([feature.maximum for feature in self.numbers], dtype=np.float64)
        self.categories = {
            feature.name: frozenset(feature.categories)
            for feature in schema.features
            if feature.kind == "category"
        }

    def _numbers(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        raw = [[record.get(feature.name) for feature in self.numbers] for record in records]
        try:  # None becomes NaN; numeric text becomes a number, as the model reads it
            return np.array(raw, dtype=np.float64).reshape(len(records), len(self.numbers))
        except (TypeError, ValueError):
            frame = pd.DataFrame(raw, columns=[feature.name for feature in self.numbers])
            return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)

    def __call__(self, records: Sequence[Mapping[str, Any]]) -> list[list[str]]:
        """For each record, a warning per input outside the training data (in schema order)."""
        found: dict[tuple[int, int], str] = {}
        numbers = self._numbers(records)
        column = {feature.name: index for index, feature in enumerate(self.numbers)}
        for order, feature in enumerate(self.features):
            if feature.kind == "number":
                values = numbers[:, column[feature.name]]
                missing = np.isnan(values)
                low, high = self.low[column[feature.name]], self.high[column[feature.name]]
                beyond = ~missing & ((values < low) | (values > high))
                for row in np.flatnonzero(beyond).tolist():
                    found[row, order] = (
                        f"{feature.name} = {values[row]:g} is outside the training range "
                        f"{low:g} to {high:g}"
                    )
            else:
                missing = np.array([_missing(record.get(feature.name)) for record in records])
                seen = self.categories[feature.name]
                for row, record in enumerate(records):
                    value = record.get(feature.name)
                    if seen and not missing[row] and str(value) not in seen:
                        found[row, order] = (
                            f"{feature.name} = {value!r} was never seen in training "
                            f"(seen: {', '.join(sorted(seen))})"
                        )
            if not feature.nullable:
                for row in np.flatnonzero(missing).tolist():
                    found[row, order] = f"{feature.name} is missing, which it never was in training"
        warnings: list[list[str]] = [[] for _ in records]
        for (row, _), message in sorted(found.items()):
            warnings[row].append(message)
        return warnings
