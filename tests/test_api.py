"""The generated prediction API served for real: fuzzed from its own OpenAPI document, and run
from a fresh virtual environment that holds only the `serve` extra at the versions of the
project's uv.lock (what the Docker image gets)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from helpers import BIN, ENV, UV, TrainedModel, lock, render, run, serving

pytestmark = pytest.mark.slow

SLUG = "penguin-species-classifier"


# Where `serve` listens: loopback, on the free port that `serving` fills in.
LISTEN = ("--host", "127.0.0.1", "--port", "{port}")


@pytest.fixture(scope="module")
def trained(trained_default: TrainedModel) -> Path:
    """The model the project's own CLI trained on shrunk params: its model dir."""
    return trained_default.model_dir


def project_env(project: Path, **extra: str) -> dict[str, str]:
    """This project's package first on the path, whichever copy is installed in the venv."""
    return {"PYTHONPATH": str(project / "src"), **extra}


@pytest.fixture(scope="module")
def api(
    default_project: Path, trained: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The default project's API, started by its `serve` command."""
    command = [BIN / SLUG, "serve", "--model-dir", trained, "--no-access-log", *LISTEN]
    log = tmp_path_factory.mktemp("api-log") / "api.log"
    env = project_env(default_project)
    with serving(command, cwd=default_project, ready="/ready", log=log, env=env) as server:
        yield server.url


def readme_request(project: Path) -> dict:
    """The request body of the curl example in the generated README's API section."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    match = re.search(r"-d '(\{\"records\".*?\})'\n", readme, flags=re.DOTALL)
    assert match, "the README's API section has no curl example"
    return json.loads(match.group(1))


def assert_schemathesis_finds_no_server_errors(api: str, max_examples: int, cwd: Path) -> None:
    """Fuzz every operation of the API's OpenAPI schema with all of schemathesis's checks."""
    result = subprocess.run(
        [
            BIN / "schemathesis", "run", f"{api}/openapi.json",
            "--checks", "all",
            "--max-examples", str(max_examples),
            "--workers", "1",
            "--request-timeout", "30",
            "--seed", "20240601",
        ],
        cwd=cwd,
        env={**ENV, "SCHEMATHESIS_TELEMETRY": "false"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "Server error" not in result.stdout
    assert re.search(r"\d+ generated", result.stdout), result.stdout[-2000:]


def test_schemathesis_finds_no_server_errors(api: str, tmp_path: Path) -> None:
    assert_schemathesis_finds_no_server_errors(api, 60, tmp_path)


def test_the_readme_example_is_answered(api: str, default_project: Path) -> None:
    response = httpx.post(f"{api}/predict", json=readme_request(default_project), timeout=30)
    assert response.status_code == 200, response.text
    [prediction] = response.json()["predictions"]
    assert prediction["label"] == "Gentoo"


def test_the_serve_extra_alone_serves_predictions(
    default_project: Path, trained: Path, tmp_path: Path
) -> None:
    """The Docker image's dependency list, proven without Docker: a fresh venv, synced from
    the lock as the Dockerfile does, `serve` extra only."""
    lock(default_project)
    venv = tmp_path / "venv"
    sync = [UV, "sync", "--locked", "--no-dev", "--extra", "serve", "--python", sys.executable]
    env = {"UV_PROJECT_ENVIRONMENT": str(venv)}
    run(*sync, "--no-install-project", cwd=default_project, env=env, timeout=1200)
    run(*sync, "--no-editable", cwd=default_project, env=env, timeout=1200)
    python = venv / "bin" / "python"
    absent = run(
        python, "-c",
        "import importlib.util as u; "
        "print(*[m for m in ('mlflow', 'dvc', 'streamlit', 'matplotlib') if u.find_spec(m)])",
        cwd=tmp_path,
    )  # fmt: skip
    assert absent.stdout.strip() == "", "the serve extra pulls in training or UI packages"

    command = [venv / "bin" / SLUG, "serve", "--model-dir", trained, *LISTEN]
    with serving(command, cwd=tmp_path, ready="/ready", log=tmp_path / "api.log") as server:
        url = server.url
        metadata = httpx.get(f"{url}/metadata", timeout=10).json()
        response = httpx.post(f"{url}/predict", json=readme_request(default_project), timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == metadata["version"]
    [prediction] = body["predictions"]
    assert prediction["label"] in metadata["outputs"]["classes"]
    assert sum(prediction["probabilities"].values()) == pytest.approx(1.0)


@pytest.fixture(scope="module")
def text_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A text project's API (TF-IDF on 200 reviews), started by its `serve` command."""
    root = tmp_path_factory.mktemp("text-api")
    project = render(root, task="text-classification")
    package = project.name.replace("-", "_")
    cli = [sys.executable, "-c", f"from {package}.cli import app; app()"]
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    params["data"]["per_class_limit"] = 100
    params["evaluate"]["learning_curve_points"] = 2
    params_file = root / "params.yaml"
    params_file.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    env = project_env(project, MLFLOW_TRACKING_URI=f"sqlite:///{root / 'mlflow.db'}")
    run(*cli, "prepare", "--params", params_file, "--out-dir", root / "data", cwd=project, env=env)
    run(*cli, "train", "--params", params_file, "--data-dir", root / "data",
        "--model-dir", root / "models", cwd=project, env=env)  # fmt: skip
    command = [*cli, "serve", "--model-dir", root / "models", "--no-access-log", *LISTEN]
    with serving(command, cwd=project, ready="/ready", log=root / "api.log", env=env) as server:
        yield server.url


def test_schemathesis_finds_no_server_errors_in_the_text_api(text_api: str, tmp_path: Path) -> None:
    """/predict and /explain of texts: blank, huge and odd Unicode texts are 4xx, never 5xx."""
    assert_schemathesis_finds_no_server_errors(text_api, 40, tmp_path)
