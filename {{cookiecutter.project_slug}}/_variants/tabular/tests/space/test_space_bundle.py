"""The Hugging Face Space bundle (`make space`) and the upload's refusal without a token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from helpers import PROJECT_ROOT
from lockfiles import write_lock


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
