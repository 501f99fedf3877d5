"""A project made with cruft follows the template: `cruft create`, then `cruft update` brings a
template change in without conflicts, and `cruft check` says the project is up to date."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import BIN, TEMPLATE, run

pytestmark = pytest.mark.slow

# The template README's first step after `cruft create`: the hook leaves the repository to
# the user, so that .cruft.json (written by cruft after the hook) is in the first commit.
FIRST_COMMIT = (
    ("git", "init", "-q", "-b", "main"),
    ("git", "add", "--all"),
    ("git", "commit", "-q", "-m", "Create the project from mlfolio"),
)


def template_repository(destination: Path) -> Path:
    """A fresh Git repository holding the template's working tree (what Git would track)."""
    listed = run(
        "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=TEMPLATE
    ).stdout
    for rel in filter(None, listed.split("\0")):
        source = TEMPLATE / rel
        if source.is_file():
            target = destination / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for step in (("git", "init", "-q", "-b", "main"), ("git", "add", "--all"),
                 ("git", "commit", "-q", "-m", "The template")):  # fmt: skip
        run(*step, cwd=destination)
    return destination


def git_status(project: Path) -> str:
    return run("git", "status", "--porcelain", cwd=project).stdout


def test_cruft_create_then_update_brings_a_template_change(tmp_path: Path) -> None:
    template = template_repository(tmp_path / "template")
    run(BIN / "cruft", "create", "--no-input", "--output-dir", tmp_path / "out", template,
        cwd=tmp_path)  # fmt: skip
    project = tmp_path / "out" / "penguin-species-classifier"
    state = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert state["template"] == str(template)
    # The hook made no repository of its own: it would miss .cruft.json and spoil updates.
    assert not (project / ".git").exists()
    for step in FIRST_COMMIT:
        run(*step, cwd=project)
    assert ".cruft.json" in run("git", "ls-files", cwd=project).stdout.split()
    assert git_status(project) == ""
    run(BIN / "cruft", "check", cwd=project)

    # The template moves on; the project has a change of its own elsewhere.
    ignore = template / "{{cookiecutter.project_slug}}" / ".gitignore"
    added = "# Notebook checkpoints\n.ipynb_checkpoints/\n"
    ignore.write_text(ignore.read_text(encoding="utf-8") + added, encoding="utf-8")
    run("git", "commit", "-q", "-am", "Ignore notebook checkpoints", cwd=template)
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nOur notes.\n", encoding="utf-8")
    run("git", "commit", "-q", "-am", "Notes", cwd=project)
    stale = subprocess.run(
        [BIN / "cruft", "check"], cwd=project, capture_output=True, text=True, check=False
    )
    assert stale.returncode != 0, "cruft check missed the template's new commit"

    run(BIN / "cruft", "update", "-y", cwd=project)
    assert (project / ".gitignore").read_text(encoding="utf-8").endswith(added)
    assert readme.read_text(encoding="utf-8").endswith("\nOur notes.\n")
    assert not list(project.rglob("*.rej")), "the update left rejected hunks"
    changed = {line[3:] for line in git_status(project).splitlines()}
    assert changed == {".gitignore", ".cruft.json"}
    run("git", "commit", "-q", "-am", "Update from the template", cwd=project)
    run(BIN / "cruft", "check", cwd=project)
    assert git_status(project) == ""
