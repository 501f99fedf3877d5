"""One image's prediction, as the API answers it and the app shows it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from ...core.errors import DataValidationError
from ...task import WARNINGS_COLUMN, Answer

# Classes listed with their probability in each prediction, most likely first.
TOP_K = 3


class ClassProbability(BaseModel):
    """A class and how likely the model finds it."""

    label: str
    probability: float = Field(ge=0, le=1)


# Image predictions carry no per-prediction explanation yet; say where to look instead.
NOT_EXPLAINED = (
    "image predictions carry no per-image explanation here: the evaluation's saliency maps "
    "(reports/figures/saliency.png) show what the network looks at"
)


class NoExplanation(BaseModel):
    """Image predictions are not explained one by one (see the evaluation's saliency maps)."""


def not_explained() -> DataValidationError:
    """The error an explanation request gets."""
    return DataValidationError(NOT_EXPLAINED)


class Prediction(Answer):
    """The predicted class of one image, with the most likely classes."""

    name: str = Field(description="The image's name: its file name, or the name it was sent with.")
    label: str = Field(description="The most likely class.")
    probability: float = Field(ge=0, le=1, description="The model's probability of `label`.")
    top_k: list[ClassProbability] = Field(
        description=f"The {TOP_K} most likely classes (or all, if fewer), most likely first."
    )


def predictions(
    names: Sequence[str], probabilities: np.ndarray, classes: Sequence[str]
) -> list[Prediction]:
    """A prediction per row of class probabilities."""
    answers = []
    k = min(TOP_K, len(classes))
    for name, row in zip(names, probabilities, strict=True):
        order = np.argsort(-row, kind="stable")[:k]
        top = [ClassProbability(label=classes[i], probability=float(row[i])) for i in order]
        answers.append(
            Prediction(name=name, label=top[0].label, probability=top[0].probability, top_k=top)
        )
    return answers


def prediction_columns(answers: Sequence[Prediction]) -> dict[str, list[Any]]:
    """The columns a table of images gets: the label, its probability, the top classes."""
    return {
        "predicted_label": [answer.label for answer in answers],
        "probability": [round(answer.probability, 6) for answer in answers],
        "top_k": [
            "; ".join(f"{c.label} {c.probability:.3f}" for c in answer.top_k) for answer in answers
        ],
        WARNINGS_COLUMN: ["; ".join(answer.warnings) for answer in answers],
    }
