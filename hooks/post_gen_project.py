"""Shape the generated project to the answers, then put it under Git.

1. Overlay the files of the chosen task (``_variants/<group>/``) onto the project.
2. Remove the files of options that were not chosen.
3. ``git init -b main`` and a first commit (warn, never fail, when git is missing), except
   under cruft: there the user commits once cruft has written .cruft.json.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

PROJECT = Path.cwd()
# The answers, rendered once as one escaped JSON string: no answer can break this file.
ANSWERS: dict[str, Any] = json.loads("{{ cookiecutter | in_quotes }}")
PACKAGE = PROJECT / "src" / ANSWERS["package_name"]

TASK = ANSWERS["task"]
INCLUDE_API = ANSWERS["include_api"] == "yes"
INCLUDE_UI = ANSWERS["include_ui"] == "yes"
DEPLOY_SPACE = ANSWERS["deploy_hf_space"] == "yes"
CI = ANSWERS["ci"]
LICENSE = ANSWERS["license"]
PROJECT_NAME = ANSWERS["project_name"]
AUTHOR_NAME = ANSWERS["author_name"]
AUTHOR_EMAIL = ANSWERS["author_email"]
# cruft (which records `_commit`) writes .cruft.json after this hook and, on `cruft update`,
# renders the template twice into temporary folders to diff them: a repository made here would
# leave .cruft.json out of the first commit, and its .git/ would spoil the diff.
MADE_BY_CRUFT = "_commit" in ANSWERS

FAMILY = ANSWERS["_tasks"][TASK]["family"]
# Overlay order: the task family first, then the task itself (later wins).
VARIANT_GROUPS = (FAMILY, TASK)
# Each family's code is one folder of the package; only the chosen family's is kept.
OTHER_FAMILIES = sorted({task["family"] for task in ANSWERS["_tasks"].values()} - {FAMILY})
# The PyTorch trainer (torchtrain/) is shared by the families whose tasks say "torch": true.
USES_TORCH = bool(ANSWERS["_tasks"][TASK].get("torch", False))


def overlay_variants() -> None:
    """Copy the chosen task's files into place and drop every other variant."""
    variants = PROJECT / "_variants"
    for group in VARIANT_GROUPS:
        source = variants / group
        for path in sorted(source.rglob("*")):
            if path.is_file():
                target = PROJECT / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(path), target)
    shutil.rmtree(variants)


def remove(*relative: str) -> None:
    """Delete files or directories of the project, ignoring those already absent."""
    for rel in relative:
        path = PROJECT / rel
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def prune_options() -> None:
    """Remove what the unchosen options would have needed."""
    package = PACKAGE.relative_to(PROJECT).as_posix()
    remove(*(f"{package}/{family}" for family in OTHER_FAMILIES))
    if not USES_TORCH:
        remove(f"{package}/torchtrain", "tests/torchtrain")
    if not INCLUDE_API:
        remove(f"{package}/serving/api", "tests/api", "Dockerfile", ".dockerignore")
        # The app's API mode: its HTTP client and the test that runs it against the API.
        remove(f"{package}/serving/ui/remote.py", "tests/ui/test_ui_api_mode.py")
    if not INCLUDE_UI:
        # scripts/ holds only the app's screenshot tool.
        remove(f"{package}/serving/ui", "tests/ui", "scripts")
    if not DEPLOY_SPACE:
        remove("space", "tests/space", "tests/lockfiles.py", ".github/workflows/deploy-space.yml")
    if CI == "none":
        remove(".github")
    licenses = PROJECT / "_licenses"
    if LICENSE != "none":
        shutil.move(str(licenses / LICENSE), PROJECT / "LICENSE")
    shutil.rmtree(licenses)


def git(*args: str) -> subprocess.CompletedProcess[str]:
    """Run git in the project, capturing its output."""
    return subprocess.run(["git", *args], cwd=PROJECT, capture_output=True, text=True, check=False)


def init_git() -> None:
    """Create the repository and its first commit; warn and carry on if git is unusable."""
    if MADE_BY_CRUFT:
        return
    if shutil.which("git") is None:
        print("WARNING: git was not found; the project was generated without a repository.")
        return
    if (PROJECT / ".git").exists():
        return
    identity: list[str] = []
    if not git("config", "user.name").stdout.strip():
        identity += ["-c", f"user.name={AUTHOR_NAME}"]
    if not git("config", "user.email").stdout.strip():
        identity += ["-c", f"user.email={AUTHOR_EMAIL}"]
    steps = (
        ("init", "-q", "-b", "main"),
        ("add", "--all"),
        (*identity, "commit", "-q", "--no-verify", "-m", f"Create {PROJECT_NAME} from mlfolio"),
    )
    for step in steps:
        result = git(*step)
        if result.returncode != 0:
            print(f"WARNING: 'git {' '.join(step)}' failed: {result.stderr.strip()}")
            return


def main() -> None:
    """Shape the project, then commit it."""
    overlay_variants()
    prune_options()
    init_git()


if __name__ == "__main__":
    try:
        main()
    except OSError as error:
        print(f"ERROR: could not finish the project: {error}", file=sys.stderr)
        sys.exit(1)
