"""Answers reach the project safely: the task comes first and sets the defaults, any project
name derives a valid slug, and quotes, backslashes, accents or emoji in an answer render code
that parses and lints. (The project of these answers runs its CI jobs, its tests among them,
in test_workflows.py.)"""

from __future__ import annotations

import ast
import json
import tomllib
from pathlib import Path

import pytest
import yaml
from helpers import (
    BIN,
    ODD,
    ODD_SLUG,
    TASKS,
    TEMPLATE,
    render,
    render_hook,
    run,
    task_defaults,
    template_options,
)


def test_the_task_is_asked_first_and_listed_once() -> None:
    options = template_options()
    assert next(iter(options)) == "task"
    assert TASKS[0] == "tabular-classification"
    assert set(options["_tasks"]) == set(TASKS)
    labels = dict(options["__prompts__"]["task"])
    labels.pop("__prompt__")
    assert set(labels) == set(TASKS)
    variants = TEMPLATE / "{{cookiecutter.project_slug}}" / "_variants"
    for task in TASKS:
        assert (variants / task_defaults(task)["family"]).is_dir(), task
        assert (variants / task).is_dir(), task


@pytest.mark.parametrize(
    ("task", "name", "slug"),
    [
        ("tabular-classification", "Penguin Species Classifier", "penguin-species-classifier"),
        ("tabular-regression", "Penguin Body Mass Regressor", "penguin-body-mass-regressor"),
    ],
)
def test_defaults_follow_the_task(tmp_path: Path, task: str, name: str, slug: str) -> None:
    answers = render_hook("pre_gen_project", tmp_path, task=task).ANSWERS
    assert answers["project_name"] == name
    assert answers["project_slug"] == slug
    assert answers["package_name"] == slug.replace("-", "_")
    assert answers["description"] == task_defaults(task)["description"]


def test_a_typed_name_and_description_win_over_the_task_defaults(tmp_path: Path) -> None:
    answers = render_hook(
        "pre_gen_project",
        tmp_path,
        task="tabular-regression",
        project_name="Fish Weight",
        description="Weigh a fish.",
    ).ANSWERS
    assert (answers["project_slug"], answers["description"]) == ("fish-weight", "Weigh a fish.")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Café Prédictions (v2)", "cafe-predictions-v2"),
        ("Pingüino — Clasificador", "pinguino-clasificador"),
        ("Ada's   Naïve  Model!!", "adas-naive-model"),
        ("R&D Forecast (Q3/2024)", "r-d-forecast-q3-2024"),
        ('The "Best" Classifier', "the-best-classifier"),
        ("Über_Modell 3000", "uber-modell-3000"),
        ("企鹅分类器", "qi-e-fen-lei-qi"),
        # Digits first, or a package that would be a stdlib module, a dependency or a
        # keyword: the `ml-` prefix makes it usable.
        ("2024 Sales Forecast", "ml-2024-sales-forecast"),
        ("42", "ml-42"),
        ("JSON", "ml-json"),
        ("Pandas", "ml-pandas"),
        ("Class", "ml-class"),
        # Nothing to keep.
        ("🐧 🐧", "ml-project"),
    ],
)
def test_any_project_name_derives_a_valid_slug(tmp_path: Path, name: str, slug: str) -> None:
    hook = render_hook("pre_gen_project", tmp_path, project_name=name)
    assert hook.ANSWERS["project_slug"] == slug
    assert hook.ANSWERS["package_name"] == slug.replace("-", "_")
    assert hook.check(hook.ANSWERS) is None


def test_an_unknown_task_is_named_with_the_choices(tmp_path: Path) -> None:
    hook = render_hook("pre_gen_project", tmp_path)
    problem = hook.check({**hook.ANSWERS, "task": "text-generation"})
    assert problem == (f"task 'text-generation' is not one of the choices: {', '.join(TASKS)}.")


@pytest.fixture(scope="module")
def odd_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project of the answers above, every option on."""
    return render(tmp_path_factory.mktemp("odd"), **ODD)


def test_odd_answers_render_code_that_parses(odd_project: Path) -> None:
    assert odd_project.name == ODD_SLUG
    files = run("git", "ls-files", cwd=odd_project).stdout.split()
    for rel in files:
        path = odd_project / rel
        if rel.endswith(".py"):
            ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        elif rel.endswith((".yml", ".yaml")):
            yaml.safe_load(path.read_text(encoding="utf-8"))
        elif rel.endswith(".json"):
            json.loads(path.read_text(encoding="utf-8"))
    project = tomllib.loads((odd_project / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["description"] == ODD["description"]
    assert project["authors"] == [{"name": ODD["author_name"], "email": "you@example.com"}]


def test_odd_answers_are_the_package_constants(odd_project: Path) -> None:
    package = odd_project / "src" / ODD_SLUG.replace("-", "_")
    source = (package / "__init__.py").read_text(encoding="utf-8")
    constants: dict[str, object] = {}
    exec(compile(source, "__init__.py", "exec"), constants)
    assert constants["PROJECT"] == ODD_SLUG
    assert constants["TITLE"] == ODD["project_name"]
    assert constants["DESCRIPTION"] == ODD["description"]
    assert constants["TASK"] == "tabular-classification"
    # Written once: no other Python file of the package holds the answers.
    for path in package.rglob("*.py"):
        if path != package / "__init__.py":
            text = path.read_text(encoding="utf-8")
            # The answers' own marks (a word in quotes, an accent), not words code may use.
            assert '"Best"' not in text, path
            assert "Café" not in text, path
            assert "species" + '"' not in text, path


def test_odd_answers_pass_ruff(odd_project: Path) -> None:
    run(BIN / "ruff", "check", "--no-cache", ".", cwd=odd_project)
    run(BIN / "ruff", "format", "--check", "--no-cache", ".", cwd=odd_project)


def test_odd_answers_are_in_the_first_commit(odd_project: Path) -> None:
    subject = run("git", "log", "--format=%s", "-1", cwd=odd_project).stdout.strip()
    assert subject == f"Create {ODD['project_name']} from mlfolio"
