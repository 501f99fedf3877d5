import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.tabular.model.data import TEST_FILE, load_split
from {{ cookiecutter.package_name }}.tabular.model.schema import conform
from {{ cookiecutter.package_name }}.tabular.serving.encoder import RecordEncoder, RecordFeatures
from {{ cookiecutter.package_name }}.tabular.serving.predictor import TabularPredictor as Predictor


@pytest.fixture(scope="module")
def predictor(pipeline_run) -> Predictor:
    return Predictor.load(pipeline_run.model_dir)


def pipeline_input(predictor: Predictor, records: list[dict]) -> np.ndarray:
    frame = conform(pd.DataFrame.from_records(records), predictor.schema)
    return np.asarray(predictor.model[:-1].transform(frame))


def test_fast_path_reproduces_the_pipeline_on_the_test_split(predictor, pipeline_run) -> None:
    assert predictor.features.encoder is not None
    features, _ = load_split(pipeline_run.data_dir, TEST_FILE, predictor.schema)
    records = features.astype(object).where(features.notna(), None).to_dict("records")
    np.testing.assert_allclose(predictor.features(records), pipeline_input(predictor, records))


def test_missing_unseen_and_numeric_text_match_the_pipeline(predictor) -> None:
    example = predictor.schema.example
    records = [
        dict.fromkeys(example),
        {
            name: "never-seen" if isinstance(value, str) else value
            for name, value in example.items()
        },
        {
            name: str(value) if isinstance(value, float) else value
            for name, value in example.items()
        },
    ]
    np.testing.assert_allclose(predictor.features(records), pipeline_input(predictor, records))


def test_errors_are_the_pipeline_errors(predictor) -> None:
    example = predictor.schema.example
    number = next(f.name for f in predictor.schema.features if f.kind == "number")
    with pytest.raises(DataValidationError, match="missing column"):
        predictor.features([{"unrelated": 1}])
    for bad in ("heavy", "nan"):
        with pytest.raises(DataValidationError, match=f"'{number}' must be numeric.*row 1"):
            predictor.features([example, {**example, number: bad}])


def test_an_encoder_that_disagrees_with_the_pipeline_is_not_used(
    predictor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RecordEncoder, "transform", lambda self, records: np.zeros((1, 1)))
    checked = RecordFeatures(predictor.model, predictor.schema)
    assert checked.encoder is None
    records = [predictor.schema.example]
    np.testing.assert_allclose(checked(records), pipeline_input(predictor, records))
