import numpy as np
import pytest

from {{ cookiecutter.package_name }}.core.errors import ExplanationError
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


def test_the_predicted_class_is_explained_unless_another_is_asked_for(
    predictor: TabularPredictor,
) -> None:
    labels = classes(predictor.metadata["outputs"])
    [answer] = predictor.explain([predictor.schema.example])
    assert answer.explanation is not None
    assert answer.explanation.label == answer.label
    other = next(label for label in labels if label != answer.label)
    [answer] = predictor.explain([predictor.schema.example], target=other)
    assert answer.explanation is not None
    assert answer.explanation.label == other


def test_the_explained_outputs_give_back_the_probabilities(predictor: TabularPredictor) -> None:
    labels = classes(predictor.metadata["outputs"])
    explanations = []
    for label in labels:
        [answer] = predictor.explain([predictor.schema.example], target=label)
        assert answer.explanation is not None
        explanations.append(answer.explanation)
    scores = np.array([e.base_value + sum(e.contributions.values()) for e in explanations])
    if explanations[0].output == "margin":  # softmax scores; with two classes, ± the log-odds
        scores = np.exp(scores / 2 if len(labels) == 2 else scores)
        scores /= scores.sum()
    assert scores == pytest.approx(list(answer.probabilities.values()), abs=1e-5)


def test_a_target_that_is_no_class_names_the_classes(predictor: TabularPredictor) -> None:
    labels = ", ".join(classes(predictor.metadata["outputs"]))
    with pytest.raises(ExplanationError, match=f"its classes are: {labels}"):
        predictor.explain([predictor.schema.example], target="Dodo")
