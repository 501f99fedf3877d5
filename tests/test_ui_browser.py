"""The generated Streamlit app, served by `streamlit run` and used in a real headless Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import BIN, TEMPLATE, TrainedModel, run, serving
from ui_helpers import chromium, predict_in_browser

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = TEMPLATE / "test-artifacts"


def expected_label(trained: TrainedModel) -> str:
    """What the model predicts for the form as first shown: the schema's typical values.

    Asked of a new process: this one started before the project was installed.
    """
    probe = (
        "import sys; from penguin_species_classifier.task import load_serving; "
        "p = load_serving().load(__import__('pathlib').Path(sys.argv[1])); "
        "print(p.predict([p.spec.typical_record()])[0].label)"
    )
    result = run(
        BIN / "python", "-c", probe, trained.model_dir,
        cwd=trained.project, env={"PYTHONPATH": str(trained.project / "src")},
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


def test_the_form_predicts_in_a_browser(trained_default: TrainedModel, tmp_path: Path) -> None:
    project = trained_default.project
    command = [
        str(BIN / project.name),
        "ui",
        "--port",
        "{port}",
        "--model-dir",
        str(trained_default.model_dir),
        "--reports-dir",
        str(trained_default.reports_dir),
    ]
    screenshot = ARTIFACTS / "ui-predict.png"
    screenshot.unlink(missing_ok=True)
    with (
        serving(
            command, cwd=project, ready="/_stcore/health", log=tmp_path / "streamlit.log"
        ) as app,
        chromium(tmp_path / "profile") as driver,
    ):
        shown = predict_in_browser(driver, app.url, screenshot)

    metadata = json.loads((trained_default.model_dir / "metadata.json").read_text())
    classes = metadata["outputs"]["classes"]
    assert shown in classes
    assert shown == expected_label(trained_default)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    print(f"app ready in {app.startup_s:.1f} s; screenshot: {screenshot}")
