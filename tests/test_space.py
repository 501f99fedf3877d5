"""The Hugging Face Space bundle: complete enough to install and serve on its own.

`make space` builds it; the bundle's requirements go into a fresh virtual environment, the app
starts from the bundle directory with the Dockerfile's command, and a browser gets a
prediction from it. Nothing is uploaded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from helpers import BIN, TEMPLATE, TrainedModel, free_port, run, serving
from ui_helpers import chromium, predict_in_browser

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = TEMPLATE / "test-artifacts"


def dockerfile_command(bundle: Path, venv: Path, port: int) -> list[str]:
    """The Dockerfile's CMD, run from `venv`, listening on 127.0.0.1:`port` instead."""
    lines = (bundle / "Dockerfile").read_text(encoding="utf-8").splitlines()
    command: list[str] = json.loads(next(line for line in lines if line.startswith("CMD "))[4:])
    replaced = {"--server.address=0.0.0.0": "--server.address=127.0.0.1"}
    command = [replaced.get(part, part) for part in command]
    assert "--server.port=8501" in command
    command[command.index("--server.port=8501")] = f"--server.port={port}"
    return [str(venv / "bin" / command[0]), *command[1:]]


def test_the_bundle_installs_and_serves_predictions(
    trained_default: TrainedModel, tmp_path: Path
) -> None:
    project = trained_default.project
    run(
        "make",
        "space",
        f"VENV={BIN.parent}",
        cwd=project,
        env={
            "MODEL_DIR": str(trained_default.model_dir),
            "REPORTS_DIR": str(trained_default.reports_dir),
        },
    )
    bundle = project / "build" / "space"
    requirements = (bundle / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert all("==" in line for line in requirements), requirements

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    run(
        venv / "bin" / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "-r",
        "requirements.txt",
        cwd=bundle,
        timeout=1200,
    )

    port = free_port()
    # Only the fresh environment: nothing of this one on PATH, no MODEL_DIR from outside.
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "MODEL_DIR": "models", "REPORTS_DIR": "reports"}
    screenshot = ARTIFACTS / "space-predict.png"
    screenshot.unlink(missing_ok=True)
    with (
        serving(
            dockerfile_command(bundle, venv, port),
            cwd=bundle,
            ready="/_stcore/health",
            log=tmp_path / "space.log",
            env=env,
            port=port,
        ) as app,
        chromium(tmp_path / "profile") as driver,
    ):
        shown = predict_in_browser(driver, app.url, screenshot)

    # The bundle's own package, in the fresh environment, says what the form should show.
    expected = run(
        venv / "bin" / "python",
        "-c",
        "from pathlib import Path; from penguin_species_classifier.task import load_serving; "
        "p = load_serving().load(Path('models')); "
        "print(p.predict([p.spec.typical_record()])[0].label)",
        cwd=bundle,
        env=env,
    ).stdout.strip()
    assert shown == expected
    size = sum(path.stat().st_size for path in bundle.rglob("*") if path.is_file())
    print(f"bundle {size / 1e6:.2f} MB; app ready in {app.startup_s:.1f} s from a fresh venv")
