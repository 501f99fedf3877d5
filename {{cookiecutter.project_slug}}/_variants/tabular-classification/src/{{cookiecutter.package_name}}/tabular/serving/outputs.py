"""A classifier's answers: the predicted class and every class's probability."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field, TypeAdapter

from ...task import WARNINGS_COLUMN, Answer
from ..model.contributions import Contributions
from ..model.objective import classes
from . import explanation


class Explanation(explanation.Explanation):
    """How far each input column moved one class's output from the model's average."""

    output: Literal["margin", "probability"] = Field(
        description="What base_value + contributions add up to for the class: 'margin', its "
        "score before the link function (its log-odds with two classes, its softmax score with "
        "more: XGBoost, logistic regression), or 'probability' (random forest, dummy baseline)."
    )
    label: str = Field(
        description="The class whose output is explained: the predicted one unless the request "
        "asked for another (`target`)."
    )


class Prediction(Answer):
    """The predicted class of one record and the probability of every class."""

    label: str
    probabilities: dict[str, float]
    explanation: Explanation | None = Field(
        default=None,
        description="Contributions of each input column to the explained class's output; "
        "filled in by POST /explain, null from POST /predict.",
    )


# One validator for a whole batch: pydantic-core builds the models far faster than one by one.
PREDICTIONS = TypeAdapter(list[Prediction])


def explanations(
    contributions: Contributions,
    codes: np.ndarray,
    columns: Sequence[str],
    description: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """One explanation per row, for the class of code `codes[row]`."""
    labels = classes(description)
    return [
        {**row, "label": labels[code]}
        for row, code in zip(explanation.rows(contributions, columns), codes.tolist(), strict=True)
    ]


def predictions(
    probabilities: np.ndarray,
    description: Mapping[str, Any],
    warnings: Sequence[list[str]],
    explanations: Sequence[dict[str, Any]] | None = None,
) -> list[Prediction]:
    """One prediction per row of class probabilities, with its warnings (and explanation)."""
    labels = classes(description)
    rows = [
        {
            "label": labels[int(np.argmax(row))],
            "probabilities": dict(zip(labels, row, strict=True)),
            "warnings": found,
        }
        for row, found in zip(probabilities.tolist(), warnings, strict=True)
    ]
    for row, explained in zip(rows, explanations or (), strict=False):
        row["explanation"] = explained
    return PREDICTIONS.validate_python(rows)


def prediction_columns(answers: Sequence[Prediction]) -> dict[str, list[Any]]:
    """Columns for a table of records: `prediction`, `probability_<class>` and `warnings`.

    Explained answers add `explained_class`, `explained_output`, `base_value` and one
    `contribution_<column>` per input column.
    """
    columns: dict[str, list[Any]] = {"prediction": [p.label for p in answers]}
    for label in answers[0].probabilities if answers else ():
        columns[f"probability_{label}"] = [p.probabilities[label] for p in answers]
    columns[WARNINGS_COLUMN] = ["; ".join(p.warnings) for p in answers]
    explained = [p.explanation for p in answers if p.explanation is not None]
    if answers and len(explained) == len(answers):
        columns["explained_class"] = [e.label for e in explained]
        columns |= explanation.columns(explained)
    return columns


def headline(prediction: Prediction) -> str:
    """The one-line answer: the predicted class."""
    return prediction.label


def show(prediction: Prediction, target: str) -> None:
    """The predicted class as a headline, then a bar chart of the class probabilities."""
    import pandas as pd
    import streamlit as st

    confidence = prediction.probabilities[prediction.label]
    st.metric(f"Predicted {target}", headline(prediction))
    st.caption(f"Probability {confidence:.1%}")
    chart = pd.DataFrame(
        {
            "class": list(prediction.probabilities),
            "probability": list(prediction.probabilities.values()),
        }
    )
    # A bar per class, tall enough to read its label.
    height = max(180, 44 * len(chart))
    st.bar_chart(chart, x="class", y="probability", horizontal=True, height=height)


def show_explanation(explained: Explanation, target: str) -> None:
    """The contributions to the explained class's output."""
    explanation.show(explained, f"{explanation.OUTPUTS[explained.output]} of {explained.label}")
