"""The Streamlit app, run by Streamlit's AppTest against the small model of `pipeline_run`."""

from __future__ import annotations

import html
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from {{ cookiecutter.package_name }}.text.model.predictor import read_spec
from {{ cookiecutter.package_name }}.text.serving.family import SERVING

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


def test_an_example_review_is_predicted_and_explained_in_one_click(
    app: AppTest, pipeline_run: Any
) -> None:
    example = read_spec(pipeline_run.model_dir, "retrain").examples[1]
    app.button(key="example-1").click().run()
    assert not app.exception
    (expected,) = SERVING.load(pipeline_run.model_dir).predict([{"text": example.text}])
    shown = texts(app)
    assert f"**{getattr(expected, 'label')}**" in shown  # noqa: B009
    first_word = example.text.split()[0]
    assert f">{html.escape(first_word)}</span>" in shown


def test_a_typed_text_is_predicted(app: AppTest) -> None:
    # A form sends its widgets' values with the submit: type and press Predict in one run.
    app.text_area(key="text_input").input("A gorgeous, moving film.")
    app.button(key="FormSubmitter:text-Predict").click().run()
    assert not app.exception
    assert "What '" in texts(app)


def test_predict_with_an_empty_box_names_the_problem(app: AppTest) -> None:
    app.button(key="FormSubmitter:text-Predict").click().run()
    assert [error.value for error in app.error] == [
        "records[0].text: the text is empty or only whitespace"
    ]


def test_the_model_tab_shows_metrics_and_figures(app: AppTest) -> None:
    assert "| metric (test split) |" in texts(app)
