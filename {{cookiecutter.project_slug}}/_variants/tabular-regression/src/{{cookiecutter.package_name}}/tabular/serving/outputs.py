"""A regressor's answers: the predicted value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field, TypeAdapter

from ...task import WARNINGS_COLUMN, Answer
from ..model.contributions import Contributions
from . import explanation


class Explanation(explanation.Explanation):
    """How far each input column moved the predicted value from the model's average."""

    output: Literal["margin", "value"] = Field(
        description="What base_value + contributions add up to: 'value', the predicted value "
        "(or 'margin', for an XGBoost objective with a link function: its score before it)."
    )


class Prediction(Answer):
    """The predicted value for one record."""

    value: float
    explanation: Explanation | None = Field(
        default=None,
        description="Contributions of each input column to the predicted value; filled in by "
        "POST /explain, null from POST /predict.",
    )


# One validator for a whole batch: pydantic-core builds the models far faster than one by one.
PREDICTIONS = TypeAdapter(list[Prediction])


def explanations(
    contributions: Contributions,
    codes: np.ndarray,
    columns: Sequence[str],
    description: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """One explanation per row (a regressor has one output, so `codes` holds only zeros)."""
    return explanation.rows(contributions, columns)


def predictions(
    values: np.ndarray,
    description: Mapping[str, Any],
    warnings: Sequence[list[str]],
    explanations: Sequence[dict[str, Any]] | None = None,
) -> list[Prediction]:
    """One prediction per predicted value, with its warnings (and explanation)."""
    rows: list[dict[str, Any]] = [
        {"value": value, "warnings": found}
        for value, found in zip(values.tolist(), warnings, strict=True)
    ]
    for row, explained in zip(rows, explanations or (), strict=False):
        row["explanation"] = explained
    return PREDICTIONS.validate_python(rows)


def prediction_columns(answers: Sequence[Prediction]) -> dict[str, list[Any]]:
    """Columns for a table of records: `prediction` and `warnings`.

    Explained answers add `explained_output`, `base_value` and one `contribution_<column>` per
    input column.
    """
    columns: dict[str, list[Any]] = {
        "prediction": [p.value for p in answers],
        WARNINGS_COLUMN: ["; ".join(p.warnings) for p in answers],
    }
    explained = [p.explanation for p in answers if p.explanation is not None]
    if answers and len(explained) == len(answers):
        columns |= explanation.columns(explained)
    return columns


def headline(prediction: Prediction) -> str:
    """The one-line answer: the predicted value, to one decimal place."""
    return f"{prediction.value:,.1f}"


def show(prediction: Prediction, target: str) -> None:
    """The predicted value as a headline."""
    import streamlit as st

    st.metric(f"Predicted {target}", headline(prediction))


def show_explanation(explained: Explanation, target: str) -> None:
    """The contributions to the predicted value."""
    explanation.show(explained, f"{explanation.OUTPUTS[explained.output]} of {target}")
