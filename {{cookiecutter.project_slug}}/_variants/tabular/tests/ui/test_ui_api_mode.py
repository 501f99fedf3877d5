"""The app with API_URL set: predictions come from the real API, served by uvicorn on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
import uvicorn
from streamlit.testing.v1 import AppTest

from {{ cookiecutter.package_name }}.serving.api.app import create_app
from {{ cookiecutter.package_name }}.serving.api.settings import ServeSettings
from {{ cookiecutter.package_name }}.serving.ui.remote import UNREACHABLE, ApiError, RemoteBackend
from {{ cookiecutter.package_name }}.tabular.serving.outputs import headline
from {{ cookiecutter.package_name }}.tabular.serving.predictor import TabularPredictor as Predictor

from helpers import PACKAGE_DIR, free_port

APP = PACKAGE_DIR / "serving" / "ui" / "app.py"


@pytest.fixture(scope="module")
def api_url(pipeline_run: Any) -> Iterator[str]:
    """The prediction API for the test model, served on a free loopback port until the end."""
    settings = ServeSettings(
        model_dir=pipeline_run.model_dir, metrics_path=pipeline_run.reports_dir / "metrics.json"
    )
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not _ready(url):
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"the API did not become ready on {url}")
        time.sleep(0.1)
    yield url
    server.should_exit = True
    thread.join(timeout=15)
    listener.close()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/ready", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def run_app(monkeypatch: pytest.MonkeyPatch, model_dir: Path, api_url: str) -> AppTest:
    monkeypatch.setenv("MODEL_DIR", str(model_dir))
    monkeypatch.setenv("API_URL", api_url)
    monkeypatch.setenv("API_TIMEOUT_S", "5")
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not app.exception
    return app


def test_the_form_predicts_through_the_api(
    api_url: str, pipeline_run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = run_app(monkeypatch, pipeline_run.model_dir, api_url)
    app.button(key="predict").click().run()

    assert not app.exception
    assert not app.error
    predictor = Predictor.load(pipeline_run.model_dir)
    (expected,) = predictor.explain([predictor.schema.typical_record()])
    assert app.metric[0].value == headline(expected)
    assert api_url in "\n".join(str(element.value) for element in app.sidebar.markdown)
    # The explanation came through POST /explain.
    assert expected.explanation is not None
    total = expected.explanation.base_value + sum(expected.explanation.contributions.values())
    assert any(f"contributions = {total:.4g}" in str(c.value) for c in app.caption)


def test_a_csv_through_the_api_matches_the_local_predictions(
    api_url: str, pipeline_run: Any
) -> None:
    predictor = Predictor.load(pipeline_run.model_dir)
    remote = RemoteBackend.for_model_dir(api_url, pipeline_run.model_dir, batch_size=16)
    test = pd.read_parquet(pipeline_run.data_dir / "test.parquet")

    shown = remote.predict_frame(test)
    explained = remote.predict_frame(test, explain=True)

    pd.testing.assert_frame_equal(shown, predictor.predict_frame(test), check_exact=False)
    pd.testing.assert_frame_equal(
        explained, predictor.predict_frame(test, explain=True), check_exact=False
    )
    assert remote.model_version == predictor.version


def test_an_api_that_refuses_a_record_shows_its_reason(api_url: str, pipeline_run: Any) -> None:
    remote = RemoteBackend.for_model_dir(api_url, pipeline_run.model_dir)
    category = next(f for f in remote.spec.features if f.kind == "category")
    record = {**remote.spec.example, category.name: "not-a-category"}

    with pytest.raises(ApiError, match=rf"answered 422 Unprocessable Entity: .*{category.name}"):
        remote.predict([record])


def test_an_unreachable_api_is_a_clear_error(
    pipeline_run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    app = run_app(monkeypatch, pipeline_run.model_dir, closed)
    app.button(key="predict").click().run()

    assert not app.exception
    assert not app.metric
    prefix = UNREACHABLE.format(url=closed, reason="")
    assert app.error[0].value.startswith(prefix)
