"""The Streamlit app, run by Streamlit's AppTest against the small model of `pipeline_run`."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from {{ cookiecutter.package_name }}.image.model.predictor import example_data, read_spec
from {{ cookiecutter.package_name }}.image.serving.family import SERVING

from helpers import PACKAGE_DIR

APP = PACKAGE_DIR / "serving" / "ui" / "app.py"


@pytest.fixture
def app(pipeline_run: Any, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app after its first run, predicting in-process with the test model."""
    monkeypatch.setenv("MODEL_DIR", str(pipeline_run.model_dir))
    monkeypatch.setenv("REPORTS_DIR", str(pipeline_run.reports_dir))
    monkeypatch.delenv("API_URL", raising=False)
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not app.exception
    return app


def texts(app: AppTest) -> str:
    return "\n".join(element.value for element in app.markdown)


def test_an_example_is_predicted_in_one_click(app: AppTest, pipeline_run: Any) -> None:
    spec = read_spec(pipeline_run.model_dir, "retrain")
    assert "Draw a digit" in app.radio(key="source").options
    app.radio(key="source").set_value("Test examples").run()
    app.radio(key="example_image").set_value(2).run()
    assert not app.exception
    example = spec.examples[2]
    (expected,) = SERVING.load(pipeline_run.model_dir).predict(
        [{"name": example.name, "data": example.data}]
    )
    assert f"**{example.name}**: **{getattr(expected, 'label')}**" in texts(app)  # noqa: B009


def test_several_uploads_are_predicted_each(app: AppTest, pipeline_run: Any) -> None:
    spec = read_spec(pipeline_run.model_dir, "retrain")
    files = [(e.name, example_data(e), "image/png") for e in spec.examples[:2]]
    app.file_uploader(key="images").set_value(files).run()
    assert not app.exception
    shown = texts(app)
    assert all(f"**{e.name}**" in shown for e in spec.examples[:2])


def test_an_upload_that_is_no_image_is_named(app: AppTest) -> None:
    app.file_uploader(key="images").set_value([("fake.png", b"not an image", "image/png")]).run()
    assert any("'fake.png' is not an image" in error.value for error in app.error)


def test_the_model_tab_shows_metrics_and_figures(app: AppTest) -> None:
    assert "| metric (test split) |" in texts(app)
