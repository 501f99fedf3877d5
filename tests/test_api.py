"""The generated prediction API served for real: fuzzed from its own OpenAPI document, and run
from a fresh virtual environment that holds only the `serve` extra at the versions of the
project's uv.lock (what the Docker image gets)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import BIN, ENV, UV, lock, run

pytestmark = pytest.mark.slow

SLUG = "penguin-species-classifier"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(command: list[str | Path], cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """Run `command ... --port P` until the API is ready; yield its URL; stop it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(part) for part in [*command, "--host", "127.0.0.1", "--port", str(port)]],
        cwd=cwd,
        env={**ENV, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                output = server.communicate(timeout=10)[0]
                pytest.fail(f"the API did not become ready on {url}:\n{output[-4000:]}")
            time.sleep(0.25)
        yield url
    finally:
        server.terminate()
        try:
            server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


@pytest.fixture(scope="module")
def trained(default_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained by the project's own CLI on shrunk params; returns its model dir."""
    work = tmp_path_factory.mktemp("api-model")
    params = yaml.safe_load((default_project / "params.yaml").read_text(encoding="utf-8"))
    params["train"]["cv_folds"] = 2
    params["models"]["xgboost"]["n_estimators"] = 30
    (work / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    env = project_env(default_project, MLFLOW_TRACKING_URI=f"sqlite:///{work / 'mlflow.db'}")
    cli = BIN / SLUG
    run(cli, "prepare", "--params", work / "params.yaml", "--out-dir", work / "data",
        cwd=default_project, env=env)  # fmt: skip
    run(cli, "train", "--params", work / "params.yaml", "--data-dir", work / "data",
        "--model-dir", work / "models", cwd=default_project, env=env)  # fmt: skip
    return work / "models"


def project_env(project: Path, **extra: str) -> dict[str, str]:
    """This project's package first on the path, whichever copy is installed in the venv."""
    return {"PYTHONPATH": str(project / "src"), **extra}


@pytest.fixture(scope="module")
def api(default_project: Path, trained: Path) -> Iterator[str]:
    """The default project's API, started by its `serve` command."""
    command = [BIN / SLUG, "serve", "--model-dir", trained, "--no-access-log"]
    with serving(command, default_project, project_env(default_project)) as url:
        yield url


def readme_request(project: Path) -> dict:
    """The request body of the curl example in the generated README's API section."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    match = re.search(r"-d '(\{\"records\".*?\})'\n", readme, flags=re.DOTALL)
    assert match, "the README's API section has no curl example"
    return json.loads(match.group(1))


def test_schemathesis_finds_no_server_errors(api: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            BIN / "schemathesis", "run", f"{api}/openapi.json",
            "--checks", "all",
            "--max-examples", "60",
            "--workers", "1",
            "--request-timeout", "30",
            "--seed", "20240601",
        ],
        cwd=tmp_path,
        env={**ENV, "SCHEMATHESIS_TELEMETRY": "false"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "Server error" not in result.stdout
    assert re.search(r"\d+ generated", result.stdout), result.stdout[-2000:]


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

    command = [venv / "bin" / SLUG, "serve", "--model-dir", trained]
    with serving(command, tmp_path, {}) as url:
        metadata = httpx.get(f"{url}/metadata", timeout=10).json()
        response = httpx.post(f"{url}/predict", json=readme_request(default_project), timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == metadata["version"]
    [prediction] = body["predictions"]
    assert prediction["label"] in metadata["classes"]
    assert sum(prediction["probabilities"].values()) == pytest.approx(1.0)
