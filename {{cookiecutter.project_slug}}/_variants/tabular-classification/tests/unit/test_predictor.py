import pytest

from {{ cookiecutter.package_name }}.tabular.model.objective import classes
from {{ cookiecutter.package_name }}.tabular.serving.outputs import Prediction
from {{ cookiecutter.package_name }}.tabular.serving.predictor import TabularPredictor


@pytest.fixture(scope="module")
def predictor(pipeline_run) -> TabularPredictor:
    return TabularPredictor.load(pipeline_run.model_dir)


def test_predicts_a_label_with_probabilities(predictor: TabularPredictor) -> None:
    labels = classes(predictor.metadata["outputs"])
    [prediction] = predictor.predict([predictor.schema.example])
    assert isinstance(prediction, Prediction)
    assert prediction.label in labels
    assert list(prediction.probabilities) == labels
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0)
    assert prediction.probabilities[prediction.label] == max(prediction.probabilities.values())
