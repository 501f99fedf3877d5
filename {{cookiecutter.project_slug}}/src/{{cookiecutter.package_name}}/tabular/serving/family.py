"""The tabular family as serving sees it: `SERVING` implements `task.ServingFamily`.

It imports nothing of training: no data loading, model building, MLflow or matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from ...core import modeldir
from ...core.reports import Scoring
from ...task import Answer, ServingFamily
from ..model import objective
from ..model.schema import InputSchema, read_schema
from . import outputs
from .predictor import TabularPredictor, to_records
from .records import request_model


class TabularServing:
    """Records in, predictions out; a form of the training columns in the app."""

    @property
    def scoring(self) -> Scoring:
        """The task's metrics."""
        return objective.SCORING

    @property
    def prediction(self) -> type[Answer]:
        """One answer of POST /predict."""
        return outputs.Prediction

    @property
    def explanation(self) -> type[BaseModel]:
        """Contributions per input column (exact SHAP values), as POST /explain answers them."""
        return outputs.Explanation

    def targets(self, model_dir: Path) -> tuple[str, ...]:
        """The explainable outputs the task records (a classifier's classes)."""
        return tuple(objective.targets(modeldir.read_metadata(model_dir).get("outputs") or {}))

    def load(self, model_dir: Path) -> TabularPredictor:
        """The checked model directory, ready to predict."""
        return TabularPredictor(modeldir.load(model_dir))

    def read_spec(self, model_dir: Path) -> InputSchema:
        """The input schema saved with the model."""
        return read_schema(model_dir, f"{modeldir.RETRAIN} again")

    def request_model(self, spec: InputSchema) -> type[BaseModel]:
        """A non-empty list of records, each checked against the schema."""
        return request_model(spec)

    def records(self, body: BaseModel) -> list[dict[str, Any]]:
        """The body's records by column name (ignored columns dropped)."""
        rows: list[dict[str, Any]] = body.model_dump(by_alias=True)["records"]
        return rows

    def request_size(self, body: BaseModel) -> int:
        """The number of records in the body."""
        return len(getattr(body, "records"))  # noqa: B009 - built per model by request_model

    def to_records(self, frame: pd.DataFrame, spec: InputSchema) -> list[dict[str, Any]]:
        """A table's rows as records, its columns checked first."""
        return to_records(frame, spec)

    def prediction_columns(self, predictions: Sequence[Answer]) -> dict[str, list[Any]]:
        """The columns added to a table of records (warnings, and explanations if any)."""
        return outputs.prediction_columns(predictions)  # type: ignore[arg-type]

    def input_form(self, spec: InputSchema) -> dict[str, Any] | None:
        """A form of the feature columns."""
        from .form import record_form

        return record_form(spec)

    def upload_help(self, spec: InputSchema) -> str:
        """The columns an uploaded CSV needs."""
        optional = (
            f" It may also hold {', '.join(f'`{c}`' for c in spec.ignored)} (ignored)."
            if spec.ignored
            else ""
        )
        return (
            "Upload a CSV file with one row per record and these columns: "
            + ", ".join(f"`{name}`" for name in spec.names)
            + "."
            + optional
        )

    def example_csv(self, spec: InputSchema) -> str:
        """The schema's example record (a real training row) as a one-row CSV."""
        return pd.DataFrame([spec.example], columns=spec.names).to_csv(index=False)

    def show(self, prediction: Answer, spec: InputSchema) -> None:
        """The prediction, as the task shows it."""
        outputs.show(prediction, spec.target_label or spec.target)  # type: ignore[arg-type]

    def show_explanation(self, explanation: BaseModel, spec: InputSchema) -> None:
        """A bar chart of the contributions, largest first."""
        outputs.show_explanation(explanation, spec.target)  # type: ignore[arg-type]


SERVING: ServingFamily = TabularServing()
