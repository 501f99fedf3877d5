"""Bad answers are refused with one clear line and nothing is written; git is optional."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import BIN, ENV, TEMPLATE, render, render_hook


def generate(output_dir: Path, *answers: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(BIN / "cookiecutter"), "--no-input", "-o", str(output_dir), str(TEMPLATE), *answers],
        capture_output=True,
        text=True,
        env=env or ENV,
        check=False,
    )


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            ["project_slug=Bad Slug"],
            "project_slug 'Bad Slug' is not valid: use lowercase letters, digits and single dashes",
        ),
        (
            ["package_name=2fast"],
            "package_name '2fast' is not a valid Python package name",
        ),
        (["package_name=class"], "package_name 'class' is a Python keyword"),
        (["package_name=json"], "package_name 'json' is the name of a standard-library module"),
        (["package_name=mlflow"], "package_name 'mlflow' is the import name of a dependency"),
        (
            ["description=One line\nand another"],
            "description 'One line\\nand another' contains a line break or another control",
        ),
        (["author_email=not-an-email"], "author_email 'not-an-email' is not an email address"),
        (["hf_username=has space"], "hf_username 'has space' is not a valid user name"),
        (
            ["include_ui=no", "deploy_hf_space=yes"],
            "deploy_hf_space 'yes' needs include_ui 'yes'",
        ),
    ],
)
def test_bad_answer_is_refused_and_nothing_is_written(
    tmp_path: Path, answers: list[str], message: str
) -> None:
    result = generate(tmp_path, *answers)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1, result.stderr
    assert message in errors[0]
    assert list(tmp_path.iterdir()) == []


def test_project_is_committed_to_a_fresh_repository(tmp_path: Path) -> None:
    project = render(tmp_path)
    log = subprocess.run(
        ["git", "log", "--format=%s|%an", "-1"], cwd=project, capture_output=True, text=True
    )
    assert log.stdout.strip().startswith("Create Penguin Species Classifier from mlfolio|")
    branch = subprocess.run(
        ["git", "branch", "--show-current"], cwd=project, capture_output=True, text=True
    )
    assert branch.stdout.strip() == "main"
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
    )
    assert status.stdout == ""


def test_fallback_identity_is_the_author_answer(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in ENV.items() if not k.startswith("GIT_")}
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", XDG_CONFIG_HOME=str(home))
    result = generate(
        tmp_path / "out", "author_name=Ada Lovelace", "author_email=ada@example.org", env=env
    )
    assert result.returncode == 0, result.stderr
    project = tmp_path / "out" / "penguin-species-classifier"
    log = subprocess.run(
        ["git", "log", "--format=%an <%ae>", "-1"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )
    assert log.stdout.strip() == "Ada Lovelace <ada@example.org>"


def test_generation_succeeds_without_git(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # A PATH with python and cookiecutter but no git.
    for tool in ("python", "python3", "cookiecutter"):
        source = BIN / tool
        if source.exists():
            os.symlink(source, bin_dir / tool)
    env = {**ENV, "PATH": str(bin_dir)}
    assert shutil.which("git", path=str(bin_dir)) is None
    result = generate(tmp_path / "out", env=env)
    assert result.returncode == 0, result.stderr
    assert "WARNING: git was not found" in result.stdout + result.stderr
    project = tmp_path / "out" / "penguin-species-classifier"
    assert (project / "pyproject.toml").is_file()
    assert not (project / ".git").exists()


def test_hook_check_accepts_the_defaults_and_names_a_bad_choice(tmp_path: Path) -> None:
    pre_gen_project = render_hook("pre_gen_project", tmp_path)
    defaults = pre_gen_project.ANSWERS
    assert defaults["project_slug"] == "penguin-species-classifier"
    assert pre_gen_project.check(defaults) is None
    # cookiecutter refuses an unlisted choice itself; the hook also covers replayed answers.
    problem = pre_gen_project.check({**defaults, "python_version": "3.9"})
    assert problem == "python_version '3.9' is not one of the choices: 3.11, 3.12, 3.13."
