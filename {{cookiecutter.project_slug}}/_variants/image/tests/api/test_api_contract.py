"""Contract tests of the image API, run in-process with the lifespan (the model loads)."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from {{ cookiecutter.package_name }}.image.model.predictor import example_data
from {{ cookiecutter.package_name }}.serving.api.app import create_app
from {{ cookiecutter.package_name }}.serving.api.settings import ServeSettings

from helpers import image_bytes, training_imports


@pytest.fixture(scope="module")
def client(pipeline_run: Any) -> Iterator[TestClient]:
    settings = ServeSettings(
        model_dir=pipeline_run.model_dir, metrics_path=pipeline_run.reports_dir / "metrics.json"
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def examples(client: TestClient, pipeline_run: Any) -> list[Any]:
    from {{ cookiecutter.package_name }}.image.model.predictor import read_spec

    return read_spec(pipeline_run.model_dir, "retrain").examples


def upload(name: str, data: bytes, kind: str = "image/png") -> tuple[str, tuple[str, bytes, str]]:
    return ("files", (name, data, kind))


def test_probes_and_metadata(client: TestClient) -> None:
    assert client.get("/ready").json()["status"] == "ready"
    metadata = client.get("/metadata").json()
    assert metadata["outputs"]["classes"] == [str(digit) for digit in range(10)]
    assert metadata["metrics"]["test"]["accuracy"] > 0


def test_several_uploads_get_one_answer_each_in_order(
    client: TestClient, examples: list[Any]
) -> None:
    files = [upload(e.name, example_data(e)) for e in examples[:4]]
    response = client.post("/predict", files=files)
    assert response.status_code == 200, response.text
    predictions = response.json()["predictions"]
    assert [p["name"] for p in predictions] == [e.name for e in examples[:4]]
    assert all(p["top_k"][0]["label"] == p["label"] for p in predictions)


def test_base64_json_answers_like_an_upload(client: TestClient, examples: list[Any]) -> None:
    first = examples[0]
    by_json = client.post("/predict", json={"records": [{"name": first.name, "data": first.data}]})
    by_upload = client.post("/predict", files=[upload(first.name, example_data(first))])
    assert by_json.status_code == by_upload.status_code == 200
    assert by_json.json()["predictions"] == by_upload.json()["predictions"]


FORMATS = "PNG, JPEG, WebP or BMP"


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (4, 4)).save(buffer, format="GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("files", "status", "detail"),
    [
        ([upload("a.txt", b"hello", "text/plain")], 415,
         f"'a.txt' is not an image: send {FORMATS}"),
        ([upload("a.gif", gif(), "image/gif")], 415,
         f"'a.gif' is a GIF image, which is not supported: send {FORMATS}"),
        ([upload("ok.png", image_bytes()), upload("cut.png", image_bytes()[:60])], 422,
         "'cut.png' is a corrupt image: "),
        ([upload(f"{i}.png", image_bytes()) for i in range(65)], 413,
         "too many images: 65 in one request; the limit is 64 (MAX_IMAGES_PER_REQUEST)"),
    ],
    ids=["not-an-image", "gif", "corrupt", "too-many"],
)  # fmt: skip
def test_uploads_are_refused_with_exact_answers(
    client: TestClient, files: list[Any], status: int, detail: str
) -> None:
    response = client.post("/predict", files=files)
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


def test_a_decompression_bomb_is_refused(
    pipeline_run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_IMAGE_PIXELS", "10000")
    settings = ServeSettings(model_dir=pipeline_run.model_dir, metrics_path=Path("absent.json"))
    big = io.BytesIO()
    Image.new("L", (200, 200)).save(big, format="PNG")
    with TestClient(create_app(settings)) as client:
        response = client.post("/predict", files=[upload("big.png", big.getvalue())])
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "'big.png' is too large once decoded: the limit is 10000 pixels (200x200)"
    )


def test_bad_json_names_the_field(client: TestClient) -> None:
    response = client.post("/predict", json={"records": [{"name": "x", "data": "***"}]})
    assert (response.status_code, response.json()["detail"]) == (
        422, "records[0].data: not valid base64"
    )  # fmt: skip
    response = client.post("/predict", json={"records": [{"data": "AAAA", "size": 3}]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "records[0].size"


def test_an_unknown_content_type_is_415(client: TestClient) -> None:
    response = client.post("/predict", content=b"abc", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["detail"]


def test_a_body_over_the_limit_is_413(pipeline_run: Any) -> None:
    settings = ServeSettings(model_dir=pipeline_run.model_dir, metrics_path=Path("absent.json"),
                             max_body_bytes=2048)  # fmt: skip
    with TestClient(create_app(settings)) as client:
        response = client.post("/predict", files=[upload("a.png", image_bytes((80, 80), "RGB"))])
    assert response.status_code == 413
    assert "MAX_BODY_BYTES" in response.json()["detail"]


def test_openapi_documents_both_request_forms(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/predict"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert (
        content["multipart/form-data"]["schema"]["properties"]["files"]["items"]["format"]
        == "binary"
    )
    example = content["application/json"]["example"]["records"][0]
    assert base64.b64decode(example["data"]).startswith(b"\x89PNG")
    assert {"413", "415", "422"} <= set(operation["responses"])


def test_concurrent_requests_share_forward_passes(client: TestClient, examples: list[Any]) -> None:
    service = client.app.state.service  # type: ignore[attr-defined]
    before = service.batcher.stats.calls
    body = {"records": [{"name": examples[0].name, "data": examples[0].data}]}
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: client.post("/predict", json=body), range(32)))
    assert all(response.status_code == 200 for response in responses)
    assert service.batcher.stats.calls - before < 32


def test_serving_imports_no_training_code(pipeline_run: Any) -> None:
    code = (
        "from fastapi.testclient import TestClient\n"
        "from {{ cookiecutter.package_name }}.serving.api.app import create_app\n"
        "from {{ cookiecutter.package_name }}.serving.api.settings import ServeSettings\n"
        "with TestClient(create_app(ServeSettings(model_dir=model_dir))) as client:\n"
        "    assert client.get('/ready').status_code == 200"
    )
    assert training_imports(code, pipeline_run.model_dir) == []
