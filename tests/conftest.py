"""Helpers for the template's tests: render projects, run commands in them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# uv, from requirements-dev.txt: `make test` hands it pip's find-links folders and indexes.
UV = BIN / "uv"

# Every child process runs offline and quietly, with this environment's tools first on PATH.
ENV = {
    **os.environ,
    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DVC_NO_ANALYTICS": "1",
    "HF_HUB_OFFLINE": "1",
    "OMP_WAIT_POLICY": "PASSIVE",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


# Time limits per test (pytest-timeout): the suite's `timeout` bounds the slow tests, which
# generate projects and run their pipelines, tests and servers; every other test must finish
# in FAST_TIMEOUT seconds, fixtures included, or be marked slow. `make test` runs both kinds.
FAST_TIMEOUT = 300


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every test that is not marked slow the short time limit, unless it sets its own."""
    for item in items:
        if item.get_closest_marker("slow") is None and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(FAST_TIMEOUT))


def render(output_dir: Path, **answers: Any) -> Path:
    """Generate a project with the given answers (defaults otherwise); return its directory."""
    return Path(
        cookiecutter(
            str(TEMPLATE), no_input=True, output_dir=str(output_dir), extra_context=answers
        )
    )


def run(
    *command: str | Path, cwd: Path, timeout: float = 900, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure, fail the test showing its output."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result


def install_editable(project: Path) -> None:
    """Install a generated project into this environment without touching its dependencies."""
    run(UV, "pip", "install", "--quiet", "--python", sys.executable, "--no-deps", "-e", ".",
        cwd=project)  # fmt: skip


def lock(project: Path) -> Path:
    """The project's uv.lock, as its `make setup` writes it (resolved from the index once)."""
    run(UV, "lock", "--quiet", cwd=project, timeout=600)
    return project / "uv.lock"


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, rendered and installed once, its pipeline not yet run."""
    project = render(tmp_path_factory.mktemp("default"))
    install_editable(project)
    return project


@pytest.fixture(scope="session")
def trained_default(default_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The default project's model and reports, trained on shrunk params outside the project."""
    from ui_helpers import train_small

    return train_small(default_project, tmp_path_factory.mktemp("trained"))
