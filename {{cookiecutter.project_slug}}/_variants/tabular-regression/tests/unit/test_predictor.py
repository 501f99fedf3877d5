import math

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.core.errors import ExplanationError
from {{ cookiecutter.package_name }}.tabular.serving.outputs import Prediction
from {{ cookiecutter.package_name }}.tabular.serving.predictor import TabularPredictor


@pytest.fixture(scope="module")
def predictor(pipeline_run) -> TabularPredictor:
    return TabularPredictor.load(pipeline_run.model_dir)


def test_predicts_a_value_within_a_plausible_range(
    predictor: TabularPredictor, pipeline_run
) -> None:
    [prediction] = predictor.predict([predictor.schema.example])
    assert isinstance(prediction, Prediction)
    assert math.isfinite(prediction.value)
    train = pd.read_parquet(pipeline_run.data_dir / "train.parquet")[predictor.schema.target]
    assert train.min() <= prediction.value <= train.max()


def test_the_explanation_adds_up_to_the_predicted_value(predictor: TabularPredictor) -> None:
    [answer] = predictor.explain([predictor.schema.example])
    explanation = answer.explanation
    assert explanation is not None
    assert explanation.output == "value"
    total = explanation.base_value + sum(explanation.contributions.values())
    assert total == pytest.approx(answer.value, rel=1e-6)


def test_a_regressor_has_no_target_to_choose(predictor: TabularPredictor) -> None:
    with pytest.raises(ExplanationError, match="a regressor has a single output to explain"):
        predictor.explain([predictor.schema.example], target="heavier")
