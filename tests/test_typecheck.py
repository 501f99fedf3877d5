"""Generated Python passes ruff (lint and format) and mypy under the generated pyproject's config.

Every combination of the options that add or remove Python files is rendered once. The Python
version changes ruff's target (pyupgrade rules), so ruff also checks each version on the fullest
project of each task; mypy checks the file combinations, sharing one cache so the third-party
stubs are analysed once.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from helpers import BIN, TASKS, TEMPLATE, render, run

OPTIONS = {"api": "include_api", "ui": "include_ui", "space": "deploy_hf_space"}
# One mypy cache for every project and run (git-ignored, removed by `make clean`): the
# third-party packages are analysed once, not once per project.
MYPY_CACHE = TEMPLATE / "build" / "mypy-cache"
# (include_api, include_ui, deploy_hf_space): a Space needs the UI.
PARTS = [
    (api, ui, space)
    for api, ui, space in itertools.product(("yes", "no"), repeat=3)
    if not (space == "yes" and ui == "no")
]
COMBINATIONS = [
    {
        "task": task,
        "include_api": api,
        "include_ui": ui,
        "deploy_hf_space": space,
        "python_version": "3.11",
    }
    for task, (api, ui, space) in itertools.product(TASKS, PARTS)
] + [
    {"task": task, "python_version": version}
    for task, version in itertools.product(TASKS, ("3.12", "3.13"))
]


def combination_id(answers: dict[str, str]) -> str:
    """A short test id, e.g. `tabular-regression-api-ui-py3.11`."""
    parts = [answers["task"]]
    parts += [name for name, key in OPTIONS.items() if answers.get(key, "yes") == "yes"]
    return "-".join([*parts, f"py{answers['python_version']}"])


IDS = [combination_id(answers) for answers in COMBINATIONS]
FILE_COMBINATION_IDS = [
    name
    for name, answers in zip(IDS, COMBINATIONS, strict=True)
    if answers["python_version"] == "3.11"
]


@pytest.fixture(scope="session")
def python_projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every combination above, rendered once, by test id."""
    root = tmp_path_factory.mktemp("typecheck")
    return {
        name: render(root / name, **answers)
        for name, answers in zip(IDS, COMBINATIONS, strict=True)
    }


def test_combinations_cover_every_python_file_option() -> None:
    # Per task: 6 file combinations on 3.11, the fullest project on 3.12 and 3.13.
    assert len(set(IDS)) == len(IDS) == 8 * len(TASKS)
    assert len(FILE_COMBINATION_IDS) == 6 * len(TASKS)
    for task in TASKS:
        assert sum(1 for answers in COMBINATIONS if answers["task"] == task) == 8


@pytest.mark.parametrize("name", IDS)
def test_ruff_lint_and_format(python_projects: dict[str, Path], name: str) -> None:
    project = python_projects[name]
    run(BIN / "ruff", "check", "--no-cache", ".", cwd=project)
    run(BIN / "ruff", "format", "--check", "--no-cache", ".", cwd=project)


@pytest.mark.slow
@pytest.mark.parametrize("name", FILE_COMBINATION_IDS)
def test_mypy(python_projects: dict[str, Path], name: str) -> None:
    project = python_projects[name]
    result = run(BIN / "mypy", "--cache-dir", MYPY_CACHE, cwd=project, timeout=600)
    assert result.stdout.startswith("Success: no issues found"), result.stdout
