"""The text predictor: word attributions by occlusion, checked records, the explanation slot."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.text.serving.family import SERVING
from {{ cookiecutter.package_name }}.text.serving.records import check_text


@pytest.fixture(scope="module")
def predictor(pipeline_run: Any) -> Any:
    return SERVING.load(pipeline_run.model_dir)


def test_each_attribution_is_the_drop_without_its_word(predictor: Any) -> None:
    text = "A  sharp, funny and   tender film."
    (words,) = predictor.attributions([text], [1])
    assert [text[start:end] for start, end, _ in words] == text.split()
    full = predictor.probabilities([text])[0, 1]
    for start, end, value in words:
        without = (text[:start] + text[end:]).strip()
        assert value == pytest.approx(full - predictor.probabilities([without])[0, 1], abs=1e-5)


def test_explain_targets_the_asked_class_or_the_predicted_one(predictor: Any) -> None:
    record = {"text": "Dull, slow and forgettable."}
    (own,) = predictor.explain([record])
    assert own.explanation.target == own.label
    (other,) = predictor.explain([record], target="fresh")
    assert other.explanation.target == "fresh"
    assert other.explanation.probability == pytest.approx(
        next(p.probability for p in other.probabilities if p.label == "fresh")
    )
    with pytest.raises(DataValidationError, match="target 'meh' is not a class"):
        predictor.explain([record], target="meh")


def test_predictions_do_not_depend_on_the_batch(predictor: Any) -> None:
    texts = ["Short.", "A much longer review that goes on about the plot and the acting.", "Ok"]
    together = predictor.probabilities(texts)
    alone = np.vstack([predictor.probabilities([text]) for text in texts])
    assert together == pytest.approx(alone, abs=1e-5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("  \n ", "records[0].text: the text is empty or only whitespace"),
        (3.5, "records[0].text: a text is required, got float"),
        ("x" * 2001, "records[0].text: the text has 2001 characters; the limit is 2000"),
    ],
)
def test_bad_texts_are_named(value: Any, message: str) -> None:
    with pytest.raises(DataValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_text(value, "records[0].text", 2000)


def test_predict_frame_keeps_the_columns_and_adds_top_words(predictor: Any) -> None:
    frame = pd.DataFrame({"id": [7, 8], "text": ["Great fun.", "Boring."]})
    result = predictor.predict_frame(frame, explain=True)
    assert list(result.columns[:2]) == ["id", "text"]
    assert {"predicted_label", "probability", "explained_class", "top_words"} <= set(result)
    with pytest.raises(DataValidationError, match="expected a column 'text'"):
        predictor.predict_frame(frame.rename(columns={"text": "body"}))
