"""Explained predictions: the same answers, each with contributions per input column."""

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.core.errors import ExplanationError
from {{ cookiecutter.package_name }}.tabular.serving.predictor import TabularPredictor


@pytest.fixture(scope="module")
def predictor(pipeline_run) -> TabularPredictor:
    return TabularPredictor.load(pipeline_run.model_dir)


def test_explain_adds_an_explanation_to_the_same_predictions(predictor: TabularPredictor) -> None:
    records = [predictor.schema.example, predictor.schema.example]
    explained = predictor.explain(records)
    predicted = predictor.predict(records)
    for with_explanation, plain in zip(explained, predicted, strict=True):
        assert plain.explanation is None
        assert with_explanation.model_copy(update={"explanation": None}) == plain
        explanation = with_explanation.explanation
        assert explanation is not None
        assert list(explanation.contributions) == predictor.schema.names
    assert explained[0] == explained[1]


def test_an_explained_table_has_one_contribution_column_per_input_column(
    predictor: TabularPredictor,
) -> None:
    frame = pd.DataFrame([predictor.schema.example] * 2)
    plain = predictor.predict_frame(frame)
    explained = predictor.predict_frame(frame, explain=True)
    added = [column for column in explained.columns if column not in plain.columns]
    contributions = [f"contribution_{name}" for name in predictor.schema.names]
    assert added[-len(contributions) :] == contributions
    assert {"explained_output", "base_value"} <= set(added)
    assert plain["warnings"].tolist() == ["", ""]
    total = explained["base_value"] + explained[contributions].sum(axis=1)
    [answer] = predictor.explain([predictor.schema.example])
    assert answer.explanation is not None
    expected = answer.explanation.base_value + sum(answer.explanation.contributions.values())
    assert total.tolist() == pytest.approx([expected, expected])


def test_an_unknown_target_is_refused_by_name(predictor: TabularPredictor) -> None:
    with pytest.raises(ExplanationError, match="target 'no such output'"):
        predictor.explain([predictor.schema.example], target="no such output")
