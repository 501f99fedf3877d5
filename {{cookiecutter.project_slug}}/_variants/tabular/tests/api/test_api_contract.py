"""Contract tests of the prediction API, run in-process with the lifespan (the model loads)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from {{ cookiecutter.package_name }} import TASK
from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.serving.api.app import create_app
from {{ cookiecutter.package_name }}.serving.api.settings import ServeSettings
from {{ cookiecutter.package_name }}.tabular.model.schema import Feature
from {{ cookiecutter.package_name }}.tabular.serving.predictor import TabularPredictor as Predictor

from helpers import training_imports


def settings_for(model_dir: Path, **overrides: Any) -> ServeSettings:
    return ServeSettings(model_dir=model_dir, metrics_path=model_dir / "absent.json", **overrides)


@pytest.fixture(scope="module")
def predictor(pipeline_run) -> Predictor:
    return Predictor.load(pipeline_run.model_dir)


@pytest.fixture(scope="module")
def client(pipeline_run) -> Iterator[TestClient]:
    settings = ServeSettings(
        model_dir=pipeline_run.model_dir,
        metrics_path=pipeline_run.reports_dir / "metrics.json",
        max_records_per_request=50,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def example(predictor: Predictor) -> dict[str, Any]:
    return dict(predictor.schema.example)


def varied_records(predictor: Predictor, count: int) -> list[dict[str, Any]]:
    """`count` distinct records: the example with its numbers spread over the training range."""
    numbers = [f for f in predictor.schema.features if f.kind == "number"]
    records = []
    for i in range(count):
        record = example(predictor)
        for feature in numbers:
            assert feature.minimum is not None
            assert feature.maximum is not None
            span = feature.maximum - feature.minimum
            record[feature.name] = round(feature.minimum + span * ((i * 7 % count) / count), 1)
        records.append(record)
    return records


def assert_same(answers: list[dict[str, Any]], predictions: Sequence[BaseModel]) -> None:
    """The API's answers are the predictor's own predictions (up to float rounding)."""
    assert len(answers) == len(predictions)
    for answer, prediction in zip(answers, predictions, strict=True):
        expected = prediction.model_dump()
        assert answer.keys() == expected.keys()
        for key, value in expected.items():
            if isinstance(value, str):
                assert answer[key] == value
            else:
                assert answer[key] == pytest.approx(value)


def first(predictor: Predictor, kind: str, nullable: bool | None = None) -> Feature:
    for feature in predictor.schema.features:
        if feature.kind == kind and (nullable is None or feature.nullable == nullable):
            return feature
    pytest.skip(f"the schema has no {kind} feature (nullable={nullable})")


def test_health_and_ready(client: TestClient, predictor: Predictor) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "model_version": predictor.version}


def test_metadata_describes_the_served_model(
    client: TestClient, predictor: Predictor, pipeline_run
) -> None:
    body = client.get("/metadata").json()
    assert body["version"] == predictor.version
    assert body["model"] == pipeline_run.params.train.model
    assert body["data_hash"] == predictor.schema.data_hash
    assert body["target"] == predictor.schema.target
    assert body["task"] == TASK
    assert body["outputs"] == predictor.metadata["outputs"]
    assert body["metrics"]["cv"] == pytest.approx(predictor.metadata["cv"])
    assert body["metrics"]["test"] == pytest.approx(pipeline_run.report["model"])


def test_predict_returns_the_predictors_answers_in_order(
    client: TestClient, predictor: Predictor
) -> None:
    records = varied_records(predictor, 12)
    response = client.post("/predict", json={"records": records})
    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == predictor.version
    assert_same(body["predictions"], predictor.predict(records))
    fields = set(predictor.predict(records[:1])[0].model_dump())
    assert all(set(prediction) == fields for prediction in body["predictions"])


def test_openapi_shows_a_training_example_that_the_api_accepts(client: TestClient) -> None:
    request_schema = client.get("/openapi.json").json()["components"]["schemas"]["PredictRequest"]
    [example_body] = request_schema["examples"]
    assert client.post("/predict", json=example_body).status_code == 200


def test_nullable_features_accept_null_and_absence(
    client: TestClient, predictor: Predictor
) -> None:
    feature = first(predictor, "number", nullable=True)
    with_null = {**example(predictor), feature.name: None}
    absent = {k: v for k, v in example(predictor).items() if k != feature.name}
    response = client.post("/predict", json={"records": [with_null, absent]})
    assert response.status_code == 200
    first_answer, second_answer = response.json()["predictions"]
    assert first_answer == second_answer


def post_one_bad(client: TestClient, predictor: Predictor, bad: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/predict", json={"records": [example(predictor), bad]})
    assert response.status_code == 422
    return response.json()


def test_wrong_type_is_422_naming_the_field(client: TestClient, predictor: Predictor) -> None:
    feature = first(predictor, "number")
    body = post_one_bad(client, predictor, {**example(predictor), feature.name: "heavy"})
    message = f"records[1].{feature.name}: Input should be a valid number"
    assert body["detail"] == f"invalid request: {message}"
    assert body["errors"] == [
        {"field": f"records[1].{feature.name}", "message": "Input should be a valid number"}
    ]


def test_unknown_category_is_422_naming_the_allowed_values(
    client: TestClient, predictor: Predictor
) -> None:
    feature = first(predictor, "category")
    body = post_one_bad(client, predictor, {**example(predictor), feature.name: "Atlantis"})
    *others, last = [f"'{category}'" for category in feature.categories]
    allowed = f"{', '.join(others)} or {last}" if others else last
    assert (
        body["detail"] == f"invalid request: records[1].{feature.name}: Input should be {allowed}"
    )


def test_missing_required_field_is_422(client: TestClient, predictor: Predictor) -> None:
    feature = first(predictor, "category", nullable=False)
    bad = {k: v for k, v in example(predictor).items() if k != feature.name}
    body = post_one_bad(client, predictor, bad)
    assert body["detail"] == f"invalid request: records[1].{feature.name}: Field required"


def test_null_where_training_had_none_is_422(client: TestClient, predictor: Predictor) -> None:
    feature = first(predictor, "category", nullable=False)
    body = post_one_bad(client, predictor, {**example(predictor), feature.name: None})
    assert body["errors"][0]["field"] == f"records[1].{feature.name}"


def test_misspelt_column_is_422(client: TestClient, predictor: Predictor) -> None:
    body = post_one_bad(client, predictor, {**example(predictor), "flipper_lenght": 200})
    assert body["errors"] == [
        {"field": "records[1].flipper_lenght", "message": "Extra inputs are not permitted"}
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"records": [', "invalid request: body: JSON decode error: Expecting value"),
        (b'{"rows": []}', "invalid request: records: Field required"),
        (b'{"records": []}', "invalid request: records: List should have at least 1 item"),
    ],
)
def test_malformed_bodies_are_422(client: TestClient, content: bytes, message: str) -> None:
    response = client.post(
        "/predict", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith(message)


def test_too_many_records_is_413_naming_the_limit(client: TestClient, predictor: Predictor) -> None:
    response = client.post("/predict", json={"records": [example(predictor)] * 51})
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "too many records: 51 in one request; the limit is 50 (MAX_RECORDS_PER_REQUEST)"
    )


def test_oversized_body_is_413_naming_the_limit(pipeline_run, predictor: Predictor) -> None:
    settings = settings_for(pipeline_run.model_dir, max_body_bytes=4096)
    with TestClient(create_app(settings)) as client:
        response = client.post("/predict", json={"records": [example(predictor)] * 100})
        assert response.status_code == 413
        assert response.json()["detail"] == (
            "request body too large: the limit is 4096 bytes (MAX_BODY_BYTES)"
        )
        assert client.post("/predict", json={"records": [example(predictor)]}).status_code == 200


def test_without_a_model_the_process_is_alive_but_not_ready(
    tmp_path: Path, predictor: Predictor
) -> None:
    with TestClient(create_app(settings_for(tmp_path / "models"))) as client:
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["detail"].startswith(
            f"the model is not loaded: no trained model in '{tmp_path / 'models'}'"
        )
        for response in (
            client.get("/metadata"),
            client.post("/predict", json={"records": [example(predictor)]}),
        ):
            assert response.status_code == 503
            assert response.json() == ready.json()


def test_concurrent_requests_share_model_calls_and_get_their_own_answers(
    pipeline_run, predictor: Predictor
) -> None:
    # A generous wait makes the coalescing certain under a slow test machine.
    settings = settings_for(pipeline_run.model_dir, batch_max_wait_ms=200)
    requests = [varied_records(predictor, 12)[i : i + 1 + i % 3] for i in range(12)]
    with TestClient(create_app(settings)) as client:
        with ThreadPoolExecutor(max_workers=len(requests)) as pool:
            responses = list(
                pool.map(
                    lambda records: client.post("/predict", json={"records": records}), requests
                )
            )
        stats = client.app.state.service.batcher.stats  # type: ignore[attr-defined]
    for records, response in zip(requests, responses, strict=True):
        assert response.status_code == 200
        assert_same(response.json()["predictions"], predictor.predict(records))
    assert stats.requests == len(requests)
    assert stats.calls < len(requests)
    assert stats.most_requests_per_call > 1


def test_a_row_of_the_data_file_is_accepted_and_its_ignored_columns_dropped(
    client: TestClient, predictor: Predictor
) -> None:
    record = dict(predictor.schema.example)
    with_ignored = {**record, **dict.fromkeys(predictor.schema.ignored, "anything")}
    response = client.post("/predict", json={"records": [record, with_ignored]})
    assert response.status_code == 200
    first_answer, second_answer = response.json()["predictions"]
    assert first_answer == second_answer


def test_the_api_and_the_predictor_refuse_the_same_record_naming_the_same_field(
    client: TestClient, predictor: Predictor
) -> None:
    feature = first(predictor, "category")
    bad = {**example(predictor), feature.name: "west"}
    body = post_one_bad(client, predictor, bad)
    api_message = body["errors"][0]["message"]
    with pytest.raises(DataValidationError) as refused:
        predictor.predict([example(predictor), bad])
    assert str(refused.value) == f"row 1, column '{feature.name}': {api_message}"


def test_nan_for_a_category_says_how_to_write_a_missing_value(
    client: TestClient, predictor: Predictor
) -> None:
    feature = first(predictor, "category")
    content = json.dumps({"records": [{**example(predictor), feature.name: float("nan")}]})
    response = client.post(
        "/predict", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "(got NaN: write a missing value as null)" in response.json()["detail"]


def corrupt(model_dir: Path, name: str, content: bytes) -> None:
    """Replace one file of a model directory, updating its hash when the metadata survives."""
    (model_dir / name).write_bytes(content)
    if name != "metadata.json":
        metadata = json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))
        metadata["files"][name] = hashlib.sha256(content).hexdigest()
        (model_dir / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("model.skops", b"PK\x03\x04 not a zip", r"model\.skops' is not a readable skops model"),
        ("metadata.json", b"{half", r"metadata\.json' could not be read"),
        ("schema.json", b'{"target": 3}', r"schema\.json' is not valid"),
    ],
)
def test_a_corrupt_model_is_not_ready_and_the_reason_names_the_file(
    pipeline_run, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    model_dir = tmp_path / "models"
    shutil.copytree(pipeline_run.model_dir, model_dir)
    corrupt(model_dir, name, content)
    with TestClient(create_app(settings_for(model_dir))) as client:
        ready = client.get("/ready")
    assert ready.status_code == 503
    detail = ready.json()["detail"]
    assert re.search(reason, detail), detail
    assert "\n" not in detail
    assert "run the pipeline (dvc repro) or the train command" in detail


def test_serving_loads_no_training_code(pipeline_run) -> None:
    code = (
        "from fastapi.testclient import TestClient\n"
        "from {{ cookiecutter.package_name }}.serving.api.app import create_app\n"
        "from {{ cookiecutter.package_name }}.serving.api.settings import ServeSettings\n"
        "with TestClient(create_app(ServeSettings(model_dir=model_dir))) as client:\n"
        "    example = client.get('/openapi.json').json()['components']['schemas']"
        "['PredictRequest']['examples'][0]\n"
        "    assert client.post('/predict', json=example).status_code == 200\n"
        "    assert client.post('/explain', json=example).status_code == 200\n"
    )
    assert training_imports(code, pipeline_run.model_dir) == []
