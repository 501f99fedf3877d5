"""The generated Streamlit app, served by `streamlit run` and used in a real headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

import pytest
from helpers import BIN, TEMPLATE, TrainedModel, install_editable, render, run, serving
from ui_helpers import browser_tools, chromium, predict_in_browser

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


def test_make_screenshot_puts_the_app_at_the_top_of_the_readme(
    trained_default: TrainedModel, tmp_path: Path
) -> None:
    browser_tools()
    # A project of its own name (the screenshot runs its installed command), holding the small
    # default model and its reports where `make screenshot` looks (a model folder names no
    # package: the same penguins, the same files).
    project = render(tmp_path, project_name="Screenshot Classifier")
    install_editable(project)
    shutil.copytree(trained_default.model_dir, project / "models")
    shutil.copytree(trained_default.reports_dir, project / "reports")

    result = run("make", "screenshot", cwd=project, timeout=300)

    picture = (project / "reports" / "app.png").read_bytes()
    assert picture.startswith(b"\x89PNG")
    width, height = struct.unpack(">II", picture[16:24])  # from the PNG header
    assert width == 1280
    assert height > 800
    metadata = json.loads((project / "models" / "metadata.json").read_text())
    classes = metadata["outputs"]["classes"]
    shown = re.search(r"the app predicted (.+)\)", result.stdout)
    assert shown is not None, result.stdout
    assert shown.group(1) in classes
    readme = (project / "README.md").read_text(encoding="utf-8")
    top = readme[: readme.index("## The problem")]
    assert '<img src="reports/app.png" alt="The demo app showing a prediction"' in top
    # The figures of the results section are the evaluation's only.
    assert readme.count('src="reports/app.png"') == 1
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "app.png").write_bytes(picture)
