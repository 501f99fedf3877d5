"""The text family as serving sees it: `SERVING` implements `task.ServingFamily`.

It imports nothing of training: no data loading, trainer, MLflow or matplotlib.
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
from ..model.predictor import TextSpec, read_spec
from ..model.scoring import SCORING
from . import outputs
from .predictor import TextPredictor
from .records import TEXT_COLUMN, frame_records


class TextServing:
    """Texts in, classes out; word attributions as the explanation."""

    @property
    def scoring(self) -> Scoring:
        """Accuracy, macro-F1 and ROC-AUC."""
        return SCORING

    @property
    def prediction(self) -> type[Answer]:
        """One answer of POST /predict."""
        return outputs.Prediction

    @property
    def explanation(self) -> type[BaseModel]:
        """Word attributions to one class."""
        return outputs.TokenAttributions

    def targets(self, model_dir: Path) -> tuple[str, ...]:
        """The classes an explanation may be asked for."""
        return tuple(self.read_spec(model_dir).classes)

    def load(self, model_dir: Path) -> TextPredictor:
        """The checked model directory, ready to predict."""
        return TextPredictor(modeldir.load(model_dir))

    def read_spec(self, model_dir: Path) -> TextSpec:
        """The input description saved with the model."""
        return read_spec(model_dir, f"{modeldir.RETRAIN} again")

    def request_model(self, spec: TextSpec) -> Any:
        """JSON records of texts, read and checked by the API (see `request.py`)."""
        from .request import request_type

        return request_type(spec)

    def records(self, body: BaseModel) -> list[dict[str, Any]]:
        """The texts of a request as records."""
        texts: list[str] = getattr(body, "texts")  # noqa: B009 - a TextBody (request.py)
        return [{TEXT_COLUMN: text} for text in texts]

    def request_size(self, body: BaseModel) -> int:
        """The number of texts in the request."""
        return len(getattr(body, "texts"))  # noqa: B009 - a TextBody (request.py)

    def to_records(self, frame: pd.DataFrame, spec: TextSpec) -> list[dict[str, Any]]:
        """A table's `text` column as checked records."""
        return frame_records(frame, spec.max_chars)

    def prediction_columns(self, predictions: Sequence[Answer]) -> dict[str, list[Any]]:
        """The label, its probability (and the top words when explained) and the warnings."""
        return outputs.prediction_columns(predictions)  # type: ignore[arg-type]

    def input_form(self, spec: TextSpec) -> dict[str, Any] | None:
        """A text box (one text per line for several) with example reviews one click away."""
        from .form import text_form

        return text_form(spec)

    def upload_help(self, spec: TextSpec) -> str:
        """What a CSV of texts must hold."""
        return (
            f"Upload a CSV file with a column `{TEXT_COLUMN}`: one text per row, each at most "
            f"{spec.max_chars} characters. Other columns are kept as they are."
        )

    def example_csv(self, spec: TextSpec) -> str:
        """The model's example texts (from the test split) in a CSV."""
        rows = [{TEXT_COLUMN: example.text} for example in spec.examples]
        return pd.DataFrame(rows, columns=[TEXT_COLUMN]).to_csv(index=False)

    def show(self, prediction: Answer, spec: TextSpec) -> None:
        """The label and every class's probability as bars."""
        from .form import show_prediction

        show_prediction(prediction, spec)  # type: ignore[arg-type]

    def show_explanation(self, explanation: BaseModel, spec: TextSpec) -> None:
        """The text with each word shaded by its attribution."""
        from .form import show_attributions

        show_attributions(explanation, spec)  # type: ignore[arg-type]


SERVING: ServingFamily = TextServing()
