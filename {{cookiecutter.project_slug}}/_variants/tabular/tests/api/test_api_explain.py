"""POST /explain and the warnings of POST /predict, run in-process with the lifespan."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from {{ cookiecutter.package_name }}.serving.api.app import create_app
from {{ cookiecutter.package_name }}.serving.api.settings import ServeSettings
from {{ cookiecutter.package_name }}.tabular.model.schema import Feature
from {{ cookiecutter.package_name }}.tabular.serving.predictor import TabularPredictor as Predictor


@pytest.fixture(scope="module")
def predictor(pipeline_run) -> Predictor:
    return Predictor.load(pipeline_run.model_dir)


@pytest.fixture(scope="module")
def client(pipeline_run) -> Iterator[TestClient]:
    settings = ServeSettings(
        model_dir=pipeline_run.model_dir,
        metrics_path=pipeline_run.reports_dir / "metrics.json",
        batch_max_wait_ms=200,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def same(answer: Any, expected: Any) -> None:
    """The API's JSON equals a predictor's answer, numbers up to float rounding."""
    if isinstance(expected, dict):
        assert answer.keys() == expected.keys()
        for key, value in expected.items():
            same(answer[key], value)
    elif isinstance(expected, float):
        assert answer == pytest.approx(expected)
    else:
        assert answer == expected


def same_answers(answers: list[dict[str, Any]], predictions: Sequence[BaseModel]) -> None:
    assert len(answers) == len(predictions)
    for answer, prediction in zip(answers, predictions, strict=True):
        same(answer, prediction.model_dump())


def number(predictor: Predictor) -> Feature:
    return next(feature for feature in predictor.schema.features if feature.kind == "number")


def test_explain_answers_the_predictions_with_their_explanations(
    client: TestClient, predictor: Predictor
) -> None:
    records = [predictor.schema.example, {**predictor.schema.example}]
    response = client.post("/explain", json={"records": records})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == predictor.version
    same_answers(body["predictions"], predictor.explain(records))
    for answer in body["predictions"]:
        explanation = answer["explanation"]
        assert list(explanation["contributions"]) == predictor.schema.names
        assert explanation["output"] in {"margin", "probability", "value"}


def test_predict_answers_carry_warnings_and_no_explanation(
    client: TestClient, predictor: Predictor
) -> None:
    feature = number(predictor)
    assert feature.maximum is not None
    far = {**predictor.schema.example, feature.name: feature.maximum * 10 + 1}
    response = client.post("/predict", json={"records": [predictor.schema.example, far]})
    assert response.status_code == 200, response.text
    inside, outside = response.json()["predictions"]
    assert inside["warnings"] == []
    assert inside["explanation"] is None
    [warning] = outside["warnings"]
    assert warning.startswith(f"{feature.name} = {feature.maximum * 10 + 1:g} is outside")
    assert f"training range {feature.minimum:g} to {feature.maximum:g}" in warning


def test_an_unknown_target_is_422_naming_it(client: TestClient, predictor: Predictor) -> None:
    response = client.post(
        "/explain",
        params={"target": "no such output"},
        json={"records": [predictor.schema.example]},
    )
    # The target is an enum of the model's outputs in the OpenAPI document: the 422 lists them.
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("invalid request: query.target: Input should be ")
    for label in predictor.metadata["outputs"].get("classes", []):
        assert f"'{label}'" in detail


def test_explain_is_documented_with_its_target_and_required_explanation(
    client: TestClient,
) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/explain"]["post"]
    [parameter] = operation["parameters"]
    assert parameter["name"] == "target"
    assert parameter["in"] == "query"
    assert not parameter.get("required", False)
    assert "PredictRequest" in str(operation["requestBody"])
    assert "ExplainResponse" in str(operation["responses"]["200"])
    schemas = spec["components"]["schemas"]
    explained = next(
        schema for name, schema in schemas.items() if name.startswith("ExplainedPrediction")
    )
    assert "explanation" in explained["required"]


def test_concurrent_predictions_and_explanations_get_their_own_kind(
    client: TestClient, predictor: Predictor
) -> None:
    record = predictor.schema.example
    paths = ["/predict", "/explain"] * 6
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        responses = list(
            pool.map(lambda path: client.post(path, json={"records": [record]}), paths)
        )
    [explained] = predictor.explain([record])
    [predicted] = predictor.predict([record])
    for path, response in zip(paths, responses, strict=True):
        assert response.status_code == 200
        [answer] = response.json()["predictions"]
        same(answer, (explained if path == "/explain" else predicted).model_dump())
