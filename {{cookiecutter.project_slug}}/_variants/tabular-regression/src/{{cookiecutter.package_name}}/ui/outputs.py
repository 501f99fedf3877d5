"""How the app shows a regressor's predictions: the predicted value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from ..predictor import Prediction


def headline(prediction: Prediction) -> str:
    """The one-line answer: the predicted value, to one decimal place."""
    return f"{prediction.value:,.1f}"


def prediction_columns(predictions: Sequence[Prediction]) -> dict[str, list[Any]]:
    """The column `Predictor.predict_frame` adds: `prediction`."""
    return {"prediction": [p.value for p in predictions]}


def show(prediction: Prediction, target: str) -> None:
    """The predicted value as a headline."""
    st.metric(f"Predicted {target}", headline(prediction))
