"""A regressor's answers: the predicted value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, TypeAdapter


class Prediction(BaseModel):
    """The predicted value for one record."""

    value: float


# One validator for a whole batch: pydantic-core builds the models far faster than one by one.
PREDICTIONS = TypeAdapter(list[Prediction])


def predictions(values: np.ndarray, description: Mapping[str, Any]) -> list[Prediction]:
    """One prediction per predicted value."""
    return PREDICTIONS.validate_python([{"value": value} for value in values.tolist()])


def prediction_columns(answers: Sequence[Prediction]) -> dict[str, list[Any]]:
    """The column for a table of records: `prediction`."""
    return {"prediction": [p.value for p in answers]}


def headline(prediction: Prediction) -> str:
    """The one-line answer: the predicted value, to one decimal place."""
    return f"{prediction.value:,.1f}"


def show(prediction: Prediction, target: str) -> None:
    """The predicted value as a headline."""
    import streamlit as st

    st.metric(f"Predicted {target}", headline(prediction))
