"""The Streamlit app, run by Streamlit's AppTest against the small model of `pipeline_run`."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from {{ cookiecutter.package_name }}.tabular.model.schema import InputSchema
from {{ cookiecutter.package_name }}.tabular.serving.outputs import headline
from {{ cookiecutter.package_name }}.tabular.serving.predictor import TabularPredictor as Predictor

from helpers import PACKAGE_DIR, free_port, training_imports

APP = PACKAGE_DIR / "serving" / "ui" / "app.py"


@pytest.fixture
def predictor(pipeline_run: Any) -> Predictor:
    return Predictor.load(pipeline_run.model_dir)


@pytest.fixture
def app(pipeline_run: Any, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app after its first run, predicting in-process with the test model."""
    monkeypatch.setenv("MODEL_DIR", str(pipeline_run.model_dir))
    monkeypatch.setenv("REPORTS_DIR", str(pipeline_run.reports_dir))
    monkeypatch.delenv("API_URL", raising=False)
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not app.exception
    return app


def in_range_record(pipeline_run: Any, schema: InputSchema) -> dict[str, Any]:
    """A complete test-split row whose numbers lie inside the training ranges of the form."""
    test = pd.read_parquet(pipeline_run.data_dir / "test.parquet")[schema.names].dropna()
    inside = pd.Series(True, index=test.index)
    for feature in schema.features:
        if feature.kind == "number":
            low, high = feature.minimum or 0.0, feature.maximum or 0.0
            inside &= test[feature.name].between(low, high)
    return dict(test[inside].iloc[0])


def fill_form(app: AppTest, schema: InputSchema, record: dict[str, Any]) -> None:
    for feature in schema.features:
        key = f"feature:{feature.name}"
        value = record[feature.name]
        if feature.kind == "category":
            app.selectbox(key=key).set_value(str(value))
        else:
            app.number_input(key=key).set_value(int(value) if feature.integer else float(value))


def upload(app: AppTest, name: str, content: bytes) -> AppTest:
    app.file_uploader(key="batch").set_value((name, content, "text/csv"))
    return app.run()


def test_the_form_is_built_from_the_schema(app: AppTest, predictor: Predictor) -> None:
    for feature in predictor.schema.features:
        key = f"feature:{feature.name}"
        if feature.kind == "category":
            assert list(app.selectbox(key=key).options) == list(feature.categories)
        else:
            widget = app.number_input(key=key)
            assert widget.help == (
                f"Seen in training: {feature.minimum:g} to {feature.maximum:g} (the form starts "
                "at the median); other values get a warning."
            )
    nullable = [feature.label for feature in predictor.schema.features if feature.nullable]
    assert list(app.multiselect(key="missing").options) == nullable


def test_filling_the_form_predicts_what_the_predictor_does(
    app: AppTest, predictor: Predictor, pipeline_run: Any
) -> None:
    record = in_range_record(pipeline_run, predictor.schema)
    fill_form(app, predictor.schema, record)
    app.button(key="predict").click().run()

    assert not app.exception
    assert not app.error
    (expected,) = predictor.explain([record])
    assert app.metric[0].label == f"Predicted {predictor.schema.target_label}"
    assert app.metric[0].value == headline(expected)
    assert not app.warning
    # The explanation beside the answer: its chart and how its numbers add up.
    assert expected.explanation is not None
    total = expected.explanation.base_value + sum(expected.explanation.contributions.values())
    result = [element.type for element in app.columns[1].children.values()]
    assert result[-3:] == ["markdown", "vega_lite_chart", "caption"]
    assert str(app.columns[1].markdown[-1].value).startswith("**Why:**")
    assert f"contributions = {total:.4g}." in str(app.columns[1].caption[-1].value)


def test_a_number_outside_the_training_range_is_predicted_with_a_caution(
    app: AppTest, predictor: Predictor
) -> None:
    feature = next(f for f in predictor.schema.features if f.kind == "number")
    assert feature.maximum is not None
    far = feature.maximum * 10 + 1
    widget = app.number_input(key=f"feature:{feature.name}")
    widget.set_value(int(far) if feature.integer else far)
    app.button(key="predict").click().run()

    assert not app.exception
    assert not app.error
    [caution] = app.warning
    assert caution.value == (
        f"{feature.name} = {far:g} is outside the training range "
        f"{feature.minimum:g} to {feature.maximum:g}"
    )
    assert app.metric  # still predicted: the caller decides


def form_values(app: AppTest, schema: InputSchema) -> dict[str, Any]:
    return {
        feature.name: (
            app.selectbox(key=f"feature:{feature.name}").value
            if feature.kind == "category"
            else app.number_input(key=f"feature:{feature.name}").value
        )
        for feature in schema.features
    }


def test_unknown_values_are_sent_as_missing(app: AppTest, predictor: Predictor) -> None:
    schema = predictor.schema
    nullable = [feature.name for feature in schema.features if feature.nullable]
    app.multiselect(key="missing").set_value(nullable)
    app.button(key="predict").click().run()

    assert not app.exception
    assert not app.error
    record = {**form_values(app, schema), **dict.fromkeys(nullable)}
    (expected,) = predictor.predict([record])
    assert app.metric[0].value == headline(expected)


def test_an_uploaded_csv_is_predicted_and_offered_for_download(
    app: AppTest, predictor: Predictor, pipeline_run: Any
) -> None:
    test = pd.read_parquet(pipeline_run.data_dir / "test.parquet")
    app = upload(app, "penguins.csv", test.to_csv(index=False).encode())

    assert not app.exception
    assert not app.error
    assert app.success[0].value == f"{len(test)} predictions"
    shown = app.dataframe[0].value
    expected = predictor.predict_frame(test)
    assert list(shown.columns) == list(expected.columns)
    pd.testing.assert_series_equal(
        shown["prediction"], expected["prediction"], check_names=False, check_dtype=False
    )
    assert app.download_button(key="download").label == "Download predictions (CSV)"
    limit = app.file_uploader(key="batch").label
    assert limit.startswith("CSV file (up to ")
    assert limit.endswith(" MB)")


def test_an_uploaded_csv_can_be_explained_and_its_warnings_are_flagged(
    app: AppTest, predictor: Predictor, pipeline_run: Any
) -> None:
    feature = next(f for f in predictor.schema.features if f.kind == "number")
    assert feature.maximum is not None
    frame = pd.DataFrame([predictor.schema.example] * 3)
    frame.loc[1, feature.name] = feature.maximum + 100
    app.checkbox(key="explain").check()
    app = upload(app, "penguins.csv", frame.to_csv(index=False).encode())

    assert not app.exception
    assert not app.error
    shown = app.dataframe[0].value
    expected = predictor.predict_frame(frame, explain=True)
    assert list(shown.columns) == list(expected.columns)
    assert [f"contribution_{name}" for name in predictor.schema.names] == list(
        shown.columns[-len(predictor.schema.names) :]
    )
    assert shown["warnings"].ne("").tolist() == [False, True, False]
    assert app.warning[0].value.startswith("1 of 3 rows have inputs outside the training data")


def test_a_csv_with_a_misnamed_column_names_it(app: AppTest, predictor: Predictor) -> None:
    schema = predictor.schema
    renamed = next(feature.name for feature in schema.features if not feature.nullable)
    frame = pd.DataFrame([schema.example]).rename(columns={renamed: "mystery"})
    app = upload(app, "bad.csv", frame.to_csv(index=False).encode())

    assert not app.exception
    assert not app.dataframe
    assert app.error[0].value.startswith(
        f"bad.csv: missing column(s): {renamed}; unknown column(s): mystery. "
        f"Expected columns: {', '.join(schema.names)}"
    )


def test_a_csv_with_text_in_a_numeric_column_names_the_column(
    app: AppTest, predictor: Predictor
) -> None:
    number = next(f.name for f in predictor.schema.features if f.kind == "number")
    frame = pd.DataFrame([predictor.schema.example] * 2)
    frame[number] = frame[number].astype(object)
    frame.loc[1, number] = "n/a?"
    app = upload(app, "typo.csv", frame.to_csv(index=False).encode())

    assert not app.exception
    assert not app.dataframe
    assert app.error[0].value == (
        f"typo.csv: row 1, column '{number}': Input should be a valid number"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty.csv is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "empty.csv could not be read as CSV"),
    ],
)
def test_a_file_that_is_not_a_csv_table_is_refused(
    app: AppTest, content: bytes, message: str
) -> None:
    app = upload(app, "empty.csv", content)

    assert not app.exception
    assert app.error[0].value.startswith(message)


def test_the_model_tab_shows_metrics_figures_and_card(app: AppTest, pipeline_run: Any) -> None:
    markdown = "\n".join(str(element.value) for element in app.markdown)
    assert "| metric (test split) | model | dummy baseline |" in markdown
    assert "# Model card" in markdown
    figures = sorted((pipeline_run.reports_dir / "figures").glob("*.png"))
    assert figures
    assert len(app.get("image")) == len(figures)


def test_a_missing_model_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("API_URL", raising=False)
    app = AppTest.from_file(str(APP), default_timeout=120).run()

    assert not app.exception
    assert app.error[0].value.startswith(f"no trained model in '{tmp_path / 'models'}'")
    assert not app.tabs


def test_the_app_loads_no_training_code(pipeline_run: Any) -> None:
    code = (
        "from {{ cookiecutter.package_name }}.serving.ui.backend import connect\n"
        "from {{ cookiecutter.package_name }}.serving.ui.settings import UISettings\n"
        "backend = connect(UISettings(model_dir=model_dir))\n"
        "assert backend.explain([backend.spec.example])[0].explanation is not None\n"
    )
    assert training_imports(code, pipeline_run.model_dir) == []


def test_the_ui_command_stops_on_sigterm(pipeline_run: Any, tmp_path: Path) -> None:
    port = free_port()
    command = [
        sys.executable, "-c", "from {{ cookiecutter.package_name }}.cli import app; app()",
        "ui", "--port", str(port), "--model-dir", str(pipeline_run.model_dir),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not answers(f"http://127.0.0.1:{port}/_stcore/health"):
            assert process.poll() is None, "the app did not start"
            assert time.monotonic() < deadline, "the app did not answer in time"
            time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) is not None
        # Nothing is left behind answering on the port.
        assert not answers(f"http://127.0.0.1:{port}/_stcore/health")
    finally:
        if process.poll() is None:
            process.kill()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False
