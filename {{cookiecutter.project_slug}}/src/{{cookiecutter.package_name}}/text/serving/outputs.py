"""One text's prediction and its word attributions, as the API answers and the app shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from ...task import WARNINGS_COLUMN, Answer


class ClassProbability(BaseModel):
    """A class and how likely the model finds it."""

    label: str
    probability: float = Field(ge=0, le=1)


class WordAttribution(BaseModel):
    """One word of the text and how much it moved the explained class's probability."""

    word: str
    start: int = Field(ge=0, description="The word's first character in the text.")
    end: int = Field(ge=0, description="One past the word's last character.")
    attribution: float = Field(
        description="The explained class's probability minus its probability without this "
        "word: positive words speak for the class, negative ones against it."
    )


class TokenAttributions(BaseModel):
    """Each word's attribution to one class, by occlusion (the word left out in turn)."""

    target: str = Field(description="The class explained.")
    probability: float = Field(ge=0, le=1, description="The model's probability of `target`.")
    words: list[WordAttribution]


class Prediction(Answer):
    """The predicted class of one text, with every class's probability."""

    label: str = Field(description="The most likely class.")
    probability: float = Field(ge=0, le=1, description="The model's probability of `label`.")
    probabilities: list[ClassProbability] = Field(
        description="Every class with its probability, most likely first."
    )
    explanation: TokenAttributions | None = Field(
        default=None,
        description="Word attributions (POST /explain); null from POST /predict.",
    )


def predictions(probabilities: np.ndarray, classes: Sequence[str]) -> list[Prediction]:
    """A prediction per row of class probabilities."""
    answers = []
    for row in probabilities:
        order = np.argsort(-row, kind="stable")
        ranked = [ClassProbability(label=classes[i], probability=float(row[i])) for i in order]
        answers.append(Prediction(label=ranked[0].label, probability=ranked[0].probability,
                                  probabilities=ranked))  # fmt: skip
    return answers


def explained(
    answer: Prediction, text: str, target: str, probability: float,
    spans: Sequence[tuple[int, int, float]],
) -> Prediction:  # fmt: skip
    """`answer` with its word attributions filled in."""
    words = [WordAttribution(word=text[s:e], start=s, end=e, attribution=round(v, 6))
             for s, e, v in spans]  # fmt: skip
    explanation = TokenAttributions(target=target, probability=probability, words=words)
    return answer.model_copy(update={"explanation": explanation})


def prediction_columns(answers: Sequence[Prediction]) -> dict[str, list[Any]]:
    """The columns a table of texts gets: the label, its probability, the explanation's words."""
    columns: dict[str, list[Any]] = {
        "predicted_label": [answer.label for answer in answers],
        "probability": [round(answer.probability, 6) for answer in answers],
    }
    if answers and all(answer.explanation is not None for answer in answers):
        columns["explained_class"] = [a.explanation.target for a in answers]  # type: ignore[union-attr]
        columns["top_words"] = [
            "; ".join(
                f"{w.word} {w.attribution:+.3f}"
                for w in sorted(a.explanation.words, key=lambda w: -abs(w.attribution))[:5]  # type: ignore[union-attr]
            )
            for a in answers
        ]
    columns[WARNINGS_COLUMN] = ["; ".join(answer.warnings) for answer in answers]
    return columns
