"""How the app shows a classifier's predictions: the label, and every class's probability."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from ..predictor import Prediction


def headline(prediction: Prediction) -> str:
    """The one-line answer: the predicted class."""
    return prediction.label


def prediction_columns(predictions: Sequence[Prediction]) -> dict[str, list[Any]]:
    """The columns `Predictor.predict_frame` adds: `prediction`, then `probability_<class>`."""
    columns: dict[str, list[Any]] = {"prediction": [p.label for p in predictions]}
    for label in predictions[0].probabilities if predictions else ():
        columns[f"probability_{label}"] = [p.probabilities[label] for p in predictions]
    return columns


def show(prediction: Prediction, target: str) -> None:
    """The predicted class as a headline, then a bar chart of the class probabilities."""
    confidence = prediction.probabilities[prediction.label]
    st.metric(f"Predicted {target}", headline(prediction))
    st.caption(f"Probability {confidence:.1%}")
    chart = pd.DataFrame(
        {
            "class": list(prediction.probabilities),
            "probability": list(prediction.probabilities.values()),
        }
    )
    st.bar_chart(chart, x="class", y="probability", horizontal=True)
