"""The Hugging Face Space bundle: complete enough to install and serve on its own.

`make space` builds it from the project's uv.lock; the bundle's requirements are what
`uv export` takes from the same lock for the Space's platform, they go into a fresh virtual
environment as the Dockerfile installs them, the app starts from the bundle directory with the
Dockerfile's command, and a browser gets a prediction from it. Nothing is uploaded.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from helpers import BIN, TEMPLATE, UV, TrainedModel, free_port, lock, run, serving
from packaging.markers import default_environment
from packaging.requirements import Requirement
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


def exported(project: Path, python_version: str) -> set[str]:
    """`uv export` of the app's packages (the `ui` extra) for the Space: Linux, `python_version`."""
    lines = run(
        UV, "export", "--frozen", "--no-emit-project", "--no-dev", "--extra", "ui", "--no-hashes",
        "--no-header", "--no-annotate", cwd=project,
    ).stdout.splitlines()  # fmt: skip
    target = {
        **default_environment(),
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "os_name": "posix",
        "python_version": python_version,
        "python_full_version": f"{python_version}.0",
    }
    requirements = [Requirement(line) for line in lines if line.strip()]
    return {
        f"{req.name}{req.specifier}"
        for req in requirements
        if req.marker is None or req.marker.evaluate(target)
    }


def test_the_bundle_installs_and_serves_predictions(
    trained_default: TrainedModel, tmp_path: Path
) -> None:
    project = trained_default.project
    lock(project)
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
    dockerfile = (bundle / "Dockerfile").read_text(encoding="utf-8")
    version = re.search(r"^FROM python:(3\.\d+)-slim", dockerfile, flags=re.MULTILINE)
    assert version, dockerfile
    assert set(requirements) == exported(project, version[1])

    # The Dockerfile's install: a venv, then exactly the pinned packages, nothing resolved.
    venv = tmp_path / "venv"
    assert "uv pip install --no-deps -r requirements.txt" in dockerfile
    run(UV, "venv", "--quiet", "--python", sys.executable, venv, cwd=tmp_path)
    run(UV, "pip", "install", "--quiet", "--python", venv, "--no-deps", "-r", "requirements.txt",
        cwd=bundle, timeout=1200)  # fmt: skip
    # The pins are complete: every installed package finds the dependencies it declares.
    run(UV, "pip", "check", "--python", venv, cwd=bundle)

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
