"""A classifier's answers: the predicted class and every class's probability."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, TypeAdapter

from ..model.objective import classes


class Prediction(BaseModel):
    """The predicted class of one record and the probability of every class."""

    label: str
    probabilities: dict[str, float]


# One validator for a whole batch: pydantic-core builds the models far faster than one by one.
PREDICTIONS = TypeAdapter(list[Prediction])


def predictions(probabilities: np.ndarray, description: Mapping[str, Any]) -> list[Prediction]:
    """One prediction per row of class probabilities."""
    labels = classes(description)
    return PREDICTIONS.validate_python(
        [
            {
                "label": labels[int(np.argmax(row))],
                "probabilities": dict(zip(labels, row, strict=True)),
            }
            for row in probabilities.tolist()
        ]
    )


def prediction_columns(answers: Sequence[Prediction]) -> dict[str, list[Any]]:
    """Columns for a table of records: `prediction`, then `probability_<class>`."""
    columns: dict[str, list[Any]] = {"prediction": [p.label for p in answers]}
    for label in answers[0].probabilities if answers else ():
        columns[f"probability_{label}"] = [p.probabilities[label] for p in answers]
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
