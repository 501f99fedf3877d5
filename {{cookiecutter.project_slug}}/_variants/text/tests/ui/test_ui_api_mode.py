"""The app with API_URL set: predictions come from the real API, served by uvicorn on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from streamlit.testing.v1 import AppTest

from {{ cookiecutter.package_name }}.serving.api.app import create_app
from {{ cookiecutter.package_name }}.serving.api.settings import ServeSettings
from {{ cookiecutter.package_name }}.serving.ui.remote import RemoteBackend
from {{ cookiecutter.package_name }}.text.serving.family import SERVING

from helpers import PACKAGE_DIR

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


def test_the_remote_backend_answers_like_the_local_model(api_url: str, pipeline_run: Any) -> None:
    backend = RemoteBackend.for_model_dir(api_url, pipeline_run.model_dir)
    records = [{"text": e.text} for e in backend.spec.examples]
    remote = backend.predict(records)
    local = SERVING.load(pipeline_run.model_dir).predict(records)
    remote_rows = [p.model_dump() for p in remote]
    local_rows = [p.model_dump() for p in local]
    assert [row["label"] for row in remote_rows] == [row["label"] for row in local_rows]
    assert [row["probability"] for row in remote_rows] == pytest.approx(
        [row["probability"] for row in local_rows], abs=1e-6
    )
    (explained,) = backend.explain(records[:1])
    assert explained.explanation is not None


def test_an_example_is_predicted_through_the_api(
    api_url: str, pipeline_run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODEL_DIR", str(pipeline_run.model_dir))
    monkeypatch.setenv("API_URL", api_url)
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    app.button(key="example-0").click().run()
    assert not app.exception
    assert not app.error
    assert api_url in "\n".join(str(element.value) for element in app.sidebar.markdown)
    assert any("What '" in m.value for m in app.markdown)
