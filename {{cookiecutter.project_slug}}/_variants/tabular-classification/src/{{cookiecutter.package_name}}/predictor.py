"""The one way to load the trained classifier and predict: used by the CLI, evaluate, API and UI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, TypeAdapter

from . import artifacts
from .features import RecordFeatures
from .schema import DataValidationError, InputSchema, conform


class Prediction(BaseModel):
    """The predicted class of one record and the probability of every class."""

    label: str
    probabilities: dict[str, float]


# One validator for a whole batch: pydantic-core builds the models far faster than one by one.
PREDICTIONS = TypeAdapter(list[Prediction])


class Predictor:
    """A fitted pipeline together with its input schema and metadata."""

    def __init__(self, saved: artifacts.SavedModel) -> None:
        self.model = saved.model
        self.schema: InputSchema = saved.schema
        self.metadata: dict[str, Any] = saved.metadata
        # Records take a fast path to the model's input (checked against the pipeline here).
        self.features = RecordFeatures(saved.model, saved.schema)
        self.classes: list[str] = list(saved.metadata["classes"])

    @classmethod
    def load(cls, model_dir: Path = Path("models")) -> Predictor:
        """Load the model directory written by training (see `artifacts.load` for errors)."""
        return cls(artifacts.load(model_dir))

    @property
    def version(self) -> str:
        """The model version recorded at training time."""
        return str(self.metadata["version"])

    def outputs(self, frame: pd.DataFrame) -> np.ndarray:
        """Class probabilities, one row per record and one column per class in `classes`."""
        return np.asarray(self.model.predict_proba(conform(frame, self.schema)), dtype=np.float64)

    def predict_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` plus a `prediction` column and a `probability_<class>` column per class."""
        probabilities = self.outputs(frame)
        result = frame.copy()
        result["prediction"] = [self.classes[code] for code in probabilities.argmax(axis=1)]
        for code, label in enumerate(self.classes):
            result[f"probability_{label}"] = probabilities[:, code]
        return result

    def predict(self, records: Sequence[Mapping[str, Any]]) -> list[Prediction]:
        """Predict a batch of records (feature name → value)."""
        if not records:
            return []
        if not all(isinstance(record, Mapping) for record in records):
            raise DataValidationError("each record must be a mapping of feature name to value")
        probabilities = np.asarray(
            self.model[-1].predict_proba(self.features(records)), dtype=np.float64
        )
        labels = [self.classes[code] for code in probabilities.argmax(axis=1).tolist()]
        return PREDICTIONS.validate_python(
            [
                {"label": label, "probabilities": dict(zip(self.classes, row, strict=True))}
                for label, row in zip(labels, probabilities.tolist(), strict=True)
            ]
        )
