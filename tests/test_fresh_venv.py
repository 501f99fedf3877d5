"""The README's commands on a generated project, in a fresh virtual environment.

`make setup` locks the project's dependencies (all extras) into uv.lock and installs them into
the project's .venv, so its tests passing there proves the dependency list is complete. Where
uv cannot be installed, `make setup` falls back to pip.
"""

from __future__ import annotations

import json
import os
import re
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from helpers import BIN, ENV, render, run

pytestmark = pytest.mark.slow


def without_this_environment() -> dict[str, str]:
    """Only the project's own .venv: this environment's tools (uv among them) off PATH."""
    path = [p for p in os.environ["PATH"].split(os.pathsep) if Path(p) != BIN]
    return {**ENV, "PATH": os.pathsep.join(path), "VIRTUAL_ENV": ""}


def test_readme_commands_work_in_a_fresh_venv(tmp_path: Path) -> None:
    project = render(tmp_path)
    env = without_this_environment()
    setup = run("make", "setup", cwd=project, env=env, timeout=1500)
    venv = project / ".venv"
    assert (venv / "bin" / "penguin-species-classifier").exists()
    # uv wrote the lock, and said to commit it; the README's commit command takes it.
    assert "Writing uv.lock: commit it" in setup.stdout
    assert "installing with pip" not in setup.stdout
    locked = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    names = {package["name"] for package in locked["package"]}
    assert {"penguin-species-classifier", "mlflow", "fastapi", "streamlit"} <= names
    readme = (project / "README.md").read_text(encoding="utf-8")
    commit = re.search(r"\(`(git add uv\.lock && git commit [^`]+)`\)", readme.replace("\n", " "))
    assert commit, "the README does not say how to commit uv.lock"
    # As written, but without the pre-commit hooks `make setup` installed (they fetch their
    # tools from GitHub on first use, and the tests stay offline).
    no_hooks = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.hooksPath"}
    no_hooks["GIT_CONFIG_VALUE_0"] = "/dev/null"
    run("bash", "-c", commit[1], cwd=project, env={**env, **no_hooks})
    assert run("git", "ls-files", "uv.lock", cwd=project).stdout.strip() == "uv.lock"

    run("make", "pipeline", cwd=project, env=env)
    report = json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert report["model"]["accuracy"] > report["baseline"]["accuracy"]
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert f"**{report['model']['accuracy']:.3f}**" in readme
    assert 'src="reports/figures/confusion_matrix.png"' in readme

    result = run("make", "test", cwd=project, env=env)
    assert re.search(r"\d+ passed", result.stdout)
    assert " failed" not in result.stdout
    # The README's comparison and tuning commands, as written (one trial: params.yaml's own
    # values), then its way to discard a tuning result.
    run("make", "compare", cwd=project, env=env)
    leaderboard = (project / "reports" / "leaderboard.md").read_text(encoding="utf-8")
    assert "baseline" in leaderboard
    assert "xgboost" in leaderboard
    shipped = (project / "tuned.yaml").read_text(encoding="utf-8")
    run("make", "tune", "TRIALS=1", cwd=project, env=env)
    assert "xgboost" in (project / "tuned.yaml").read_text(encoding="utf-8")
    run("git", "checkout", "tuned.yaml", cwd=project)
    assert (project / "tuned.yaml").read_text(encoding="utf-8") == shipped
    for name in ("mlflow", "dvc", "streamlit", "fastapi", "pytest"):
        assert list((venv / "lib").glob(f"python3.*/site-packages/{name}")), name
    # The installed versions are the locked ones.
    versions = {package["name"]: package["version"] for package in locked["package"]}
    frozen = run(
        venv / "bin" / "python", "-c",
        "from importlib.metadata import version; print(version('mlflow'), version('streamlit'))",
        cwd=project,
    ).stdout.split()  # fmt: skip
    assert frozen == [versions["mlflow"], versions["streamlit"]]


def test_setup_falls_back_to_pip_when_uv_cannot_be_installed(tmp_path: Path) -> None:
    # Its own name: the project is installed next to the others of this environment's packages.
    project = render(tmp_path / "project", project_name="Fallback Species Classifier")
    # A fresh venv that sees this environment's packages (a .pth file), so that pip has only
    # the project itself to install; uv is off PATH and its bootstrap cannot be written.
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    site = next((venv / "lib").glob("python3.*/site-packages"))
    (site / "this-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    result = run(
        "make", "setup", f"VENV={venv}", "UV_BOOTSTRAP=/dev/null/uv",
        cwd=project, env=without_this_environment(), timeout=900,
    )  # fmt: skip

    notices = [line for line in result.stdout.splitlines() if line.startswith("uv could not")]
    assert notices == [
        "uv could not be installed (see /dev/null/uv.log): installing with pip, without uv.lock"
    ]
    assert not (project / "uv.lock").exists()
    command = run(venv / "bin" / "fallback-species-classifier", "--help", cwd=project)
    assert "prepare" in command.stdout
