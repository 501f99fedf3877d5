"""Contract tests of the text API, run in-process with the lifespan (the model loads)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.serving.api.app import create_app
from {{ cookiecutter.package_name }}.serving.api.settings import ServeSettings
from {{ cookiecutter.package_name }}.text.model.predictor import read_spec
from {{ cookiecutter.package_name }}.text.serving.family import SERVING

from helpers import training_imports


@pytest.fixture(scope="module")
def client(pipeline_run: Any) -> Iterator[TestClient]:
    settings = ServeSettings(
        model_dir=pipeline_run.model_dir, metrics_path=pipeline_run.reports_dir / "metrics.json"
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def examples(pipeline_run: Any) -> list[str]:
    return [example.text for example in read_spec(pipeline_run.model_dir, "retrain").examples]


def body(*texts: str) -> dict[str, Any]:
    return {"records": [{"text": text} for text in texts]}


def test_probes_and_metadata(client: TestClient) -> None:
    assert client.get("/ready").json()["status"] == "ready"
    metadata = client.get("/metadata").json()
    assert metadata["outputs"]["classes"] == ["fresh", "rotten"]
    assert set(metadata["metrics"]["test"]) == {"accuracy", "f1_macro", "roc_auc"}


def test_a_batch_of_texts_gets_one_answer_each_in_order(
    client: TestClient, examples: list[str], pipeline_run: Any
) -> None:
    response = client.post("/predict", json=body(*examples[:4]))
    assert response.status_code == 200, response.text
    predictions = response.json()["predictions"]
    predictor = SERVING.load(pipeline_run.model_dir)
    expected = [p.label for p in predictor.predict([{"text": t} for t in examples[:4]])]  # type: ignore[attr-defined]
    assert [p["label"] for p in predictions] == expected
    for prediction in predictions:
        probabilities = prediction["probabilities"]
        assert probabilities[0]["label"] == prediction["label"]
        assert sum(p["probability"] for p in probabilities) == pytest.approx(1, abs=1e-6)
        assert prediction["explanation"] is None


def test_explain_attributes_each_word(client: TestClient, examples: list[str]) -> None:
    text = examples[0]
    response = client.post("/explain", json=body(text), params={"target": "rotten"})
    assert response.status_code == 200, response.text
    explanation = response.json()["predictions"][0]["explanation"]
    assert explanation["target"] == "rotten"
    assert [w["word"] for w in explanation["words"]] == text.split()
    assert all(text[w["start"] : w["end"]] == w["word"] for w in explanation["words"])


@pytest.mark.parametrize(
    ("payload", "status", "detail"),
    [
        (body("fine", "   "), 422,
         "records[1].text: Value error, the text is empty or only whitespace"),
        (body(""), 422, "records[0].text: String should have at least 1 character"),
        ({"records": []}, 422, "records: List should have at least 1 item"),
        ({"records": [{"txt": "a"}]}, 422, "records[0].text: Field required"),
        (body("ok", "x" * 2001), 413,
         "records[1].text: the text has 2001 characters; the limit is 2000 "
         "(data.max_chars at training)"),
        (body(*["a review"] * 1001), 413,
         "too many records: 1001 in one request; the limit is 1000 (MAX_RECORDS_PER_REQUEST)"),
    ],
    ids=["blank", "empty", "no-records", "misnamed", "too-long", "too-many"],
)  # fmt: skip
def test_bad_requests_get_exact_answers(
    client: TestClient, payload: dict[str, Any], status: int, detail: str
) -> None:
    response = client.post("/predict", json=payload)
    assert response.status_code == status, response.text
    assert detail in response.json()["detail"]


def test_an_unknown_target_is_refused(client: TestClient) -> None:
    response = client.post("/explain", json=body("a fine film"), params={"target": "meh"})
    assert response.status_code == 422


def test_an_unknown_content_type_is_415(client: TestClient) -> None:
    response = client.post("/predict", content=b"abc", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_a_body_over_the_limit_is_413(pipeline_run: Any) -> None:
    settings = ServeSettings(model_dir=pipeline_run.model_dir, metrics_path=Path("absent.json"),
                             max_body_bytes=1024)  # fmt: skip
    with TestClient(create_app(settings)) as client:
        response = client.post("/predict", json=body("word " * 400))
    assert response.status_code == 413
    assert "MAX_BODY_BYTES" in response.json()["detail"]


def test_openapi_example_is_a_test_split_text(client: TestClient, examples: list[str]) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/predict"]["post"]
    content = operation["requestBody"]["content"]["application/json"]
    assert content["example"]["records"][0]["text"] == examples[0]
    text = content["schema"]["properties"]["records"]["items"]["properties"]["text"]
    assert "at most 2000 characters" in text["description"]
    assert "maxLength" not in text
    assert "415" in operation["responses"]


def test_concurrent_requests_share_forward_passes(client: TestClient, examples: list[str]) -> None:
    service = client.app.state.service  # type: ignore[attr-defined]
    before = service.batcher.stats.calls
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda i: client.post("/predict", json=body(examples[i % 3])),
                                  range(32)))  # fmt: skip
    assert all(response.status_code == 200 for response in responses)
    assert service.batcher.stats.calls - before < 32


def test_serving_imports_no_training_code(pipeline_run: Any) -> None:
    code = (
        "from fastapi.testclient import TestClient\n"
        "from {{ cookiecutter.package_name }}.serving.api.app import create_app\n"
        "from {{ cookiecutter.package_name }}.serving.api.settings import ServeSettings\n"
        "with TestClient(create_app(ServeSettings(model_dir=model_dir))) as client:\n"
        "    assert client.post('/explain', json={'records': [{'text': 'a fine film'}]})"
        ".status_code == 200"
    )
    assert training_imports(code, pipeline_run.model_dir) == []
