"""The generated API image's recipe. No Docker engine runs in the tests: `test_api.py` syncs
the same `serve` extra from the project's uv.lock into a fresh venv and serves from it; this
checks that the Dockerfile installs exactly that, runs unprivileged, probes /health, and gets
the lock and the model into the image."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import TEMPLATE, render


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("docker"), python_version="3.12")


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", dockerfile.read_text(encoding="utf-8"))
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


# The `serve` extra at uv.lock's versions (failing if the lock is stale): the dependencies in
# a layer of their own, then the project itself, not editable.
SYNC = "uv sync --locked --no-dev --extra serve"


def test_the_image_installs_the_serve_extra_from_the_lock(project: Path) -> None:
    steps = instructions(project / "Dockerfile")
    runs = [args for keyword, args in steps if keyword == "RUN"]
    installs = [args for args in runs if "install" in args or "sync" in args]
    assert installs == [f"{SYNC} --no-install-project", f"{SYNC} --no-editable"]
    assert ("ARG", "PYTHON_VERSION=3.12") in steps
    assert ("FROM", "python:${PYTHON_VERSION}-slim") in steps
    # uv comes from its own image, pinned to the version the template's tests run.
    pins = (TEMPLATE / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
    uv_version = next(line for line in pins if line.startswith("uv==")).removeprefix("uv==")
    assert ("FROM", f"ghcr.io/astral-sh/uv:{uv_version} AS uv") in steps
    assert ("COPY", "--from=uv /uv /usr/local/bin/uv") in steps


def test_the_image_runs_the_api_unprivileged_with_a_health_check(project: Path) -> None:
    steps = instructions(project / "Dockerfile")
    keywords = [keyword for keyword, _ in steps]
    user = steps[keywords.index("USER")][1]
    assert user not in {"root", "0"}
    assert keywords.index("USER") < keywords.index("CMD")
    healthcheck = steps[keywords.index("HEALTHCHECK")][1]
    assert "http://127.0.0.1:8000/health" in healthcheck
    command = json.loads(steps[keywords.index("CMD")][1])
    assert command == ["penguin-species-classifier", "serve", "--host", "0.0.0.0", "--port", "8000"]


def test_the_build_context_holds_the_model_but_no_data(project: Path) -> None:
    rules = [
        line.strip()
        for line in (project / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*"
    assert {"!pyproject.toml", "!uv.lock", "!README.md", "!src/", "!models/"} <= set(rules)
    assert not any(rule.startswith(("!data", "!mlflow", "!.env", "!.venv")) for rule in rules)
    copied = [
        source
        for keyword, args in instructions(project / "Dockerfile")
        if keyword == "COPY" and not args.startswith("--from=")
        for source in args.split()[:-1]
    ]
    assert "uv.lock" in copied
    assert all(
        any(rule == f"!{source}" or rule == f"!{source}/" for rule in rules) for source in copied
    ), copied
