import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.predictor import Prediction, Predictor
from {{ cookiecutter.package_name }}.schema import DataValidationError


@pytest.fixture(scope="module")
def predictor(pipeline_run) -> Predictor:
    return Predictor.load(pipeline_run.model_dir)


def test_predicts_a_label_with_probabilities(predictor: Predictor) -> None:
    [prediction] = predictor.predict([predictor.schema.example])
    assert isinstance(prediction, Prediction)
    assert prediction.label in predictor.classes
    assert list(prediction.probabilities) == predictor.classes
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0)
    assert prediction.probabilities[prediction.label] == max(prediction.probabilities.values())


def test_records_and_frames_agree_whatever_the_column_order(predictor: Predictor) -> None:
    example = predictor.schema.example
    reversed_record = dict(reversed(list(example.items())))
    frame = predictor.predict_frame(pd.DataFrame([example, reversed_record]))
    predictions = predictor.predict([example, reversed_record])
    assert frame["prediction"].tolist() == [p.label for p in predictions]
    assert predictions[0] == predictions[1]
    for label in predictor.classes:
        assert frame[f"probability_{label}"].iloc[0] == pytest.approx(
            predictions[0].probabilities[label]
        )


def test_missing_values_and_unseen_categories_still_predict(predictor: Predictor) -> None:
    record = dict.fromkeys(predictor.schema.names)
    for feature in predictor.schema.features:
        if feature.kind == "category":
            record[feature.name] = "never-seen-before"
    [prediction] = predictor.predict([record])
    assert prediction.label in predictor.classes


def test_bad_records_are_named(predictor: Predictor) -> None:
    assert predictor.predict([]) == []
    with pytest.raises(DataValidationError, match="missing column"):
        predictor.predict([{"nothing": 1}])
