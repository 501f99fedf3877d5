"""The image predictor: records, tables and top-k answers; serving loads no training code."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.core import modeldir
from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.image.model.data import TEST_FILE, read_split
from {{ cookiecutter.package_name }}.image.model.images import ImageError
from {{ cookiecutter.package_name }}.image.serving.family import SERVING
from {{ cookiecutter.package_name }}.image.serving.predictor import ImagePredictor

from helpers import training_imports


@pytest.fixture(scope="module")
def predictor(pipeline_run: Any) -> ImagePredictor:
    return ImagePredictor(modeldir.load(pipeline_run.model_dir))


def test_each_record_gets_its_label_and_top_classes(predictor: ImagePredictor) -> None:
    examples = predictor.spec.examples
    records = [{"name": e.name, "data": e.data} for e in examples]
    answers = predictor.predict(records)
    assert [answer.name for answer in answers] == [e.name for e in examples]
    for answer in answers:
        assert answer.label in predictor.classes
        assert len(answer.top_k) == 3
        assert answer.top_k[0].label == answer.label
        probabilities = [c.probability for c in answer.top_k]
        assert probabilities == sorted(probabilities, reverse=True)


def test_predictions_match_the_evaluated_probabilities(
    predictor: ImagePredictor, pipeline_run: Any
) -> None:
    images, _ = read_split(pipeline_run.data_dir, TEST_FILE)
    records = [{"name": str(i), "pixels": image} for i, image in enumerate(images[:20])]
    labels = [answer.label for answer in predictor.predict_checked(records)]
    expected = predictor.probabilities(images[:20]).argmax(axis=1)
    assert labels == [predictor.classes[i] for i in expected]


def test_bad_records_are_named(predictor: ImagePredictor) -> None:
    with pytest.raises(DataValidationError, match=r"records\[0\].data: not valid base64"):
        predictor.predict([{"name": "x", "data": "***"}])
    with pytest.raises(DataValidationError, match=r"records\[1\].data: an image is required"):
        predictor.predict([{"data": predictor.spec.examples[0].data}, {"name": "y"}])
    with pytest.raises(ImageError, match=r"'z' is not an image"):
        predictor.predict([{"name": "z", "data": base64.b64encode(b"hello").decode()}])


def test_a_table_of_paths_or_base64_gets_prediction_columns(
    predictor: ImagePredictor, tmp_path: Path
) -> None:
    example = predictor.spec.examples[0]
    path = tmp_path / "one.png"
    path.write_bytes(base64.b64decode(example.data))
    by_path = predictor.predict_frame(pd.DataFrame({"path": [str(path)]}))
    by_data = predictor.predict_frame(pd.DataFrame({"data": [example.data]}))
    assert by_path["predicted_label"].tolist() == by_data["predicted_label"].tolist()
    assert {"predicted_label", "probability", "top_k"} <= set(by_path.columns)
    with pytest.raises(DataValidationError, match=r"expected a column 'path' .* or 'data'"):
        predictor.predict_frame(pd.DataFrame({"image": ["x"]}))
    with pytest.raises(DataValidationError, match=r"row 0: image '.*missing.png' cannot be read"):
        predictor.predict_frame(pd.DataFrame({"path": [str(tmp_path / "missing.png")]}))


def test_the_example_csv_predicts_in_the_batch_cli(
    predictor: ImagePredictor, pipeline_run: Any, tmp_path: Path
) -> None:
    from {{ cookiecutter.package_name }}.serving.batch import predict_file

    source = tmp_path / "examples.csv"
    source.write_text(SERVING.example_csv(predictor.spec), encoding="utf-8")
    rows, _ = predict_file(source, tmp_path / "out.csv", pipeline_run.model_dir)
    assert rows == len(predictor.spec.examples)
    result = pd.read_csv(tmp_path / "out.csv", dtype=str)
    assert result["name"].tolist() == [example.name for example in predictor.spec.examples]
    assert set(result["predicted_label"]) <= set(predictor.classes)


def test_predicting_imports_no_training_code(pipeline_run: Any) -> None:
    code = (
        "from {{ cookiecutter.package_name }}.task import load_serving\n"
        "predictor = load_serving().load(model_dir)\n"
        "example = predictor.spec.examples[0]\n"
        "predictor.predict([{'name': example.name, 'data': example.data}])"
    )
    assert training_imports(code, pipeline_run.model_dir) == []
