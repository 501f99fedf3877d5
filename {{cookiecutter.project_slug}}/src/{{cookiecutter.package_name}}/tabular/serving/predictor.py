"""The tabular predictor: what the API, the app and `predict` load (see `family.SERVING`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import sklearn

from ...core.errors import DataValidationError
from ...core.modeldir import ModelDir
from ..model import objective
from ..model.contributions import Explainer
from ..model.predictor import FittedModel
from ..model.schema import Feature, InputSchema, to_numbers
from . import outputs
from .encoder import RecordFeatures
from .ranges import TrainingRange
from .records import RecordValidator


def check_columns(frame: pd.DataFrame, schema: InputSchema) -> None:
    """Name the feature columns `frame` lacks and the columns the model does not know.

    Raises:
        DataValidationError: a required feature is missing or a column is unknown.
    """
    columns = [str(column) for column in frame.columns]
    required = [f.name for f in schema.features if not f.nullable]
    missing = [column for column in required if column not in columns]
    unknown = [column for column in columns if column not in {*schema.names, *schema.ignored}]
    if not missing and not unknown:
        return
    problems = [f"missing column(s): {', '.join(missing)}"] if missing else []
    problems += [f"unknown column(s): {', '.join(unknown)}"] if unknown else []
    optional = f" (and optionally {', '.join(schema.ignored)}, ignored)" if schema.ignored else ""
    raise DataValidationError(
        f"{'; '.join(problems)}. Expected columns: {', '.join(schema.names)}{optional}"
    )


def _column_values(column: pd.Series, feature: Feature | None) -> list[Any]:
    """JSON-like values: None for missing, text for categories, numbers parsed from text.

    Categories are compared as text (as in training), so codes such as 1, 2, 3 match the
    categories "1", "2", "3". A value that is no number stays as it is, for the record type to
    name it.
    """
    raw = column.astype(object).tolist()
    if feature is not None and feature.kind == "category":
        return [None if pd.isna(value) else str(value) for value in raw]
    if feature is not None and feature.kind == "number":
        numbers, _ = to_numbers(column)
        return [
            None if pd.isna(value) else value if pd.isna(number) else number
            for value, number in zip(raw, numbers.tolist(), strict=True)
        ]
    return [None if pd.isna(value) else value for value in raw]


def to_records(frame: pd.DataFrame, schema: InputSchema) -> list[dict[str, Any]]:
    """A table's rows as JSON-like records, its columns checked first.

    Raises:
        DataValidationError: the table lacks a feature column or has an unknown one.
    """
    check_columns(frame, schema)
    features = {feature.name: feature for feature in schema.features}
    columns = {
        str(name): _column_values(frame[name], features.get(str(name))) for name in frame.columns
    }
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


class TabularPredictor(FittedModel):
    """A fitted pipeline that answers records, with a fast path checked at load time."""

    def __init__(self, model_dir: ModelDir) -> None:
        super().__init__(model_dir)
        # Records take a fast path to the model's input (checked against the pipeline here).
        self.features = RecordFeatures(self.model, self.schema)
        self.validate = RecordValidator(self.schema)
        self.training_range = TrainingRange(self.schema)

    @cached_property
    def explainer(self) -> Explainer:
        """The model's exact explainer, built on first use (a forest's trees take a moment)."""
        return Explainer(self.model, self.schema.names, self.metadata.get("input_means"))

    def _answer(
        self, records: Sequence[Mapping[str, Any]], explain: bool, target: str | None
    ) -> list[outputs.Prediction]:
        if not records:
            return []
        description = self.metadata["outputs"]
        encoded = self.features(records)
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            raw = np.asarray(objective.outputs(self.model[-1], encoded))
            explained: list[dict[str, Any]] | None = None
            if explain:
                codes = objective.explained(raw, description, target)
                # Inputs far outside any range (e.g. 1e300) do not fit the explainers' float32.
                too_large = np.abs(encoded) > np.finfo(np.float32).max
                if too_large.any():
                    raise DataValidationError(
                        f"record {int(np.flatnonzero(too_large.any(axis=1))[0])} cannot be "
                        "explained: a value is too large for the model's float32 arithmetic"
                    )
                contributions = self.explainer(encoded, codes)
                explained = outputs.explanations(
                    contributions, codes, self.schema.names, description
                )
        return outputs.predictions(raw, description, self.training_range(records), explained)

    def predict_checked(self, records: Sequence[Mapping[str, Any]]) -> list[outputs.Prediction]:
        """Predict records that the record type has validated (the API's request, `predict`).

        scikit-learn's own finiteness and parameter checks would only repeat that work.
        """
        return self._answer(records, explain=False, target=None)

    def explain_checked(
        self, records: Sequence[Mapping[str, Any]], target: str | None = None
    ) -> list[outputs.Prediction]:
        """`predict_checked`, each prediction with its explanation (of `target`'s output).

        Raises:
            ExplanationError: no such target, or no exact explainer fits the model.
        """
        return self._answer(records, explain=True, target=target)

    def _checked(self, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        if not all(isinstance(record, Mapping) for record in records):
            raise DataValidationError("each record must be a mapping of column name to value")
        return self.validate(records)

    def predict(self, records: Sequence[Mapping[str, Any]]) -> list[outputs.Prediction]:
        """Check records (as the API does) and predict them, in order.

        Raises:
            DataValidationError: a record is not a mapping, or a value does not fit the schema.
        """
        return self.predict_checked(self._checked(records))

    def explain(
        self, records: Sequence[Mapping[str, Any]], target: str | None = None
    ) -> list[outputs.Prediction]:
        """Check records and predict them, each with its explanation (see `explain_checked`).

        Raises:
            DataValidationError: a record is not a mapping, or a value does not fit the schema.
            ExplanationError: no such target, or no exact explainer fits the model.
        """
        return self.explain_checked(self._checked(records), target)

    def predict_frame(
        self, frame: pd.DataFrame, explain: bool = False, target: str | None = None
    ) -> pd.DataFrame:
        """`frame` plus the prediction columns, every row checked as the API checks records.

        With `explain`, the explanation's columns too: the output explained, its base value and
        one `contribution_<column>` per input column.
        """
        records = to_records(frame, self.schema)
        answers = self.explain(records, target) if explain else self.predict(records)
        result = frame.copy()
        for name, values in outputs.prediction_columns(answers).items():
            result[name] = values
        return result
