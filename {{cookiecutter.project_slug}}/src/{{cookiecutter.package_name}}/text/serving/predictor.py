"""The text predictor: what the API, the app and `predict` load (see `family.SERVING`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ...core.errors import ExplanationError
from ..model.predictor import TextModel, class_index
from . import outputs
from .records import TEXT_COLUMN, frame_records, record_texts

BASELINE_UNEXPLAINED = "the dummy baseline reads no text, so no word moves its prediction"


class TextPredictor(TextModel):
    """A loaded model that answers text records with their predicted classes."""

    @property
    def version(self) -> str:
        """The model version recorded at training time."""
        return str(self.metadata["version"])

    def _texts(self, records: Sequence[Mapping[str, Any]], checked: bool) -> list[str]:
        if checked:
            return [str(record[TEXT_COLUMN]) for record in records]
        return record_texts(records, self.spec.max_chars)

    def predict_checked(self, records: Sequence[Mapping[str, Any]]) -> list[outputs.Prediction]:
        """Predict records the API has already checked."""
        texts = self._texts(records, checked=True)
        return outputs.predictions(self.probabilities(texts), self.classes)

    def predict(self, records: Sequence[Mapping[str, Any]]) -> list[outputs.Prediction]:
        """Check each record's `text` and predict it.

        Raises:
            DataValidationError: a record without a usable text (named).
        """
        texts = self._texts(records, checked=False)
        return outputs.predictions(self.probabilities(texts), self.classes)

    def _explain(self, texts: list[str], target: str | None) -> list[outputs.Prediction]:
        if self.is_baseline():
            raise ExplanationError(BASELINE_UNEXPLAINED)
        fixed = None if target is None else class_index(self.classes, target)
        probabilities = self.probabilities(texts)
        answers = outputs.predictions(probabilities, self.classes)
        targets = [int(row.argmax()) if fixed is None else fixed for row in probabilities]
        spans = self.attributions(texts, targets)
        return [
            outputs.explained(answer, text, self.classes[code], float(row[code]), words)
            for answer, text, code, row, words in zip(answers, texts, targets, probabilities,
                                                      spans, strict=True)
        ]  # fmt: skip

    def explain(
        self, records: Sequence[Mapping[str, Any]], target: str | None = None
    ) -> list[outputs.Prediction]:
        """`predict`, each prediction with its word attributions (to `target`, or its own class).

        Raises:
            DataValidationError: a bad record, or a class the model does not have.
            ExplanationError: the model is the dummy baseline.
        """
        return self._explain(self._texts(records, checked=False), target)

    def explain_checked(
        self, records: Sequence[Mapping[str, Any]], target: str | None = None
    ) -> list[outputs.Prediction]:
        """`explain` for records the API has already checked."""
        return self._explain(self._texts(records, checked=True), target)

    def predict_frame(
        self, frame: pd.DataFrame, explain: bool = False, target: str | None = None
    ) -> pd.DataFrame:
        """`frame` (a `text` column) plus the prediction columns (and the explanation's)."""
        records = frame_records(frame, self.spec.max_chars)
        answers = self.explain(records, target) if explain else self.predict(records)
        result = frame.copy()
        for name, values in outputs.prediction_columns(answers).items():
            result[name] = values
        return result
