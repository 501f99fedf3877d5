"""The Hugging Face Space bundle (`make space`) and the upload's refusal without a token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from helpers import PROJECT_ROOT


def python(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    # An empty HF_TOKEN (over any .env) and an offline hub: these tests never upload.
    env = {**os.environ, "HF_TOKEN": "", "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def write_lock(path: Path, version: str = "1000.0") -> Path:
    """A uv.lock in miniature for this project: every requirement of pyproject.toml locked at
    `version`, and streamlit with a dependency of its own, as `make setup` would lock them."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = project["project"]

    def entry(spec: str) -> str:
        requirement = Requirement(spec)
        fields: dict[str, str] = {"name": canonicalize_name(requirement.name)}
        if requirement.marker is not None:
            fields["marker"] = str(requirement.marker)
        pairs = ", ".join(f"{key} = {json.dumps(value)}" for key, value in fields.items())
        return "{ " + pairs + " }"

    extras: dict[str, list[str]] = project["optional-dependencies"]
    specs = [*project["dependencies"], *(spec for deps in extras.values() for spec in deps)]
    lines = [
        "version = 1",
        "[[package]]",
        f'name = "{canonicalize_name(project["name"])}"',
        'version = "0.1.0"',
        'source = { editable = "." }',
        f"dependencies = [{', '.join(map(entry, project['dependencies']))}]",
        "[package.optional-dependencies]",
        *(f"{extra} = [{', '.join(map(entry, deps))}]" for extra, deps in extras.items()),
    ]
    for name in sorted({canonicalize_name(Requirement(spec).name) for spec in specs}):
        lines += ["[[package]]", f'name = "{name}"', f'version = "{version}"']
        if name == "streamlit":
            lines.append('dependencies = [{ name = "tornado" }]')
    lines += ["[[package]]", 'name = "tornado"', 'version = "6.5.0"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_bundle(pipeline_run: Any, out: Path, lock: Path) -> subprocess.CompletedProcess[str]:
    return python(
        PROJECT_ROOT / "space" / "build.py",
        "--out",
        out,
        "--model-dir",
        pipeline_run.model_dir,
        "--reports-dir",
        pipeline_run.reports_dir,
        "--lock",
        lock,
        cwd=out.parent,
    )


def test_the_bundle_holds_app_model_reports_and_pinned_requirements(
    pipeline_run: Any, tmp_path: Path
) -> None:
    out = tmp_path / "space"
    result = build_bundle(pipeline_run, out, write_lock(tmp_path / "uv.lock"))
    assert result.returncode == 0, result.stderr

    for name in ("app.py", "Dockerfile", ".streamlit/config.toml", "models/model.skops"):
        assert (out / name).is_file(), name
    assert (out / "reports" / "metrics.json").is_file()
    requirements = (out / "requirements.txt").read_text(encoding="utf-8").splitlines()
    # The app's packages and theirs, at the locked versions; not training's, not Windows' or
    # macOS's (xgboost there, xgboost-cpu on the Space's Linux).
    assert "streamlit==1000.0" in requirements
    assert "tornado==6.5.0" in requirements
    assert "xgboost-cpu==1000.0" in requirements
    assert not any(line.startswith(("mlflow==", "dvc==", "xgboost==")) for line in requirements)
    assert all("==" in line for line in requirements), requirements
    _, front, body = (out / "README.md").read_text(encoding="utf-8").split("---\n", 2)
    config = yaml.safe_load(front)
    assert (config["sdk"], config["app_port"]) == ("docker", 8501)
    assert "| metric (test split) |" in body


def test_a_lock_behind_pyproject_is_refused(pipeline_run: Any, tmp_path: Path) -> None:
    result = build_bundle(pipeline_run, tmp_path / "space", write_lock(tmp_path / "uv.lock", "0.1"))

    assert result.returncode == 1
    assert "uv.lock pins " in result.stderr
    assert "run `make setup` to update it" in result.stderr
    assert not (tmp_path / "space").exists()


def test_a_missing_lock_is_refused(pipeline_run: Any, tmp_path: Path) -> None:
    result = build_bundle(pipeline_run, tmp_path / "space", tmp_path / "uv.lock")

    assert result.returncode == 1
    assert "uv.lock is missing: run `make setup`" in result.stderr


def test_a_missing_model_is_refused(tmp_path: Path) -> None:
    result = python(
        PROJECT_ROOT / "space" / "build.py", "--model-dir", tmp_path / "none", cwd=tmp_path
    )

    assert result.returncode == 1
    assert "no trained model" in result.stderr
    assert not (tmp_path / "build").exists()


def test_deploying_without_a_token_uploads_nothing(tmp_path: Path) -> None:
    result = python(PROJECT_ROOT / "space" / "deploy.py", tmp_path / "space", cwd=tmp_path)

    assert result.returncode == 1
    assert "HF_TOKEN is not set" in result.stderr
    assert "nothing was uploaded" in result.stderr
