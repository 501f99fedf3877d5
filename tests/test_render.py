"""Every option combination renders: the exact file tree, no template syntax left, valid configs."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import render

TASKS = ("tabular-classification", "tabular-regression")
# (include_ui, deploy_hf_space): a Space needs the UI.
UI_SPACE = (("yes", "yes"), ("yes", "no"), ("no", "no"))
REMOTES = ("local", "s3", "gcs", "azure")
PYTHONS = ("3.11", "3.12", "3.13")
LICENSES = ("MIT", "Apache-2.0", "BSD-3-Clause", "none")

# Structural options in full; the others cycle through their values across the combinations.
COMBINATIONS = [
    {
        "task": task,
        "include_api": api,
        "include_ui": ui,
        "deploy_hf_space": space,
        "ci": ci,
        "dvc_remote": REMOTES[i % len(REMOTES)],
        "python_version": PYTHONS[i % len(PYTHONS)],
        "license": LICENSES[i % len(LICENSES)],
    }
    for i, (task, api, (ui, space), ci) in enumerate(
        itertools.product(TASKS, ("yes", "no"), UI_SPACE, ("github-actions", "none"))
    )
]

PKG = "src/penguin_species_classifier"
# The default project with every option on: the exact tree, for either task.
FULL_TREE = {
    ".dockerignore",
    ".dvc/.gitignore",
    ".dvc/config",
    ".dvcignore",
    ".env.example",
    ".github/dependabot.yml",
    ".github/workflows/ci.yml",
    ".github/workflows/deploy-space.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "Dockerfile",
    "LICENSE",
    "Makefile",
    "README.md",
    "data/raw/.gitkeep",
    "dvc.yaml",
    "params.yaml",
    "pyproject.toml",
    "space/.streamlit/config.toml",
    "space/Dockerfile",
    "space/README.md",
    "space/app.py",
    "space/build.py",
    "space/deploy.py",
    f"{PKG}/__init__.py",
    f"{PKG}/api/__init__.py",
    f"{PKG}/api/app.py",
    f"{PKG}/api/batching.py",
    f"{PKG}/api/limits.py",
    f"{PKG}/api/records.py",
    f"{PKG}/api/schemas.py",
    f"{PKG}/api/settings.py",
    f"{PKG}/artifacts.py",
    f"{PKG}/batch.py",
    f"{PKG}/cli.py",
    f"{PKG}/config.py",
    f"{PKG}/data.py",
    f"{PKG}/errors.py",
    f"{PKG}/evaluate.py",
    f"{PKG}/features.py",
    f"{PKG}/figures.py",
    f"{PKG}/files.py",
    f"{PKG}/metrics.py",
    f"{PKG}/model_params.py",
    f"{PKG}/models.py",
    f"{PKG}/plots.py",
    f"{PKG}/predictor.py",
    f"{PKG}/report.py",
    f"{PKG}/schema.py",
    f"{PKG}/settings.py",
    f"{PKG}/tracking.py",
    f"{PKG}/train.py",
    f"{PKG}/ui/__init__.py",
    f"{PKG}/ui/app.py",
    f"{PKG}/ui/backend.py",
    f"{PKG}/ui/launch.py",
    f"{PKG}/ui/outputs.py",
    f"{PKG}/ui/remote.py",
    f"{PKG}/ui/settings.py",
    f"{PKG}/ui/upload.py",
    "tests/api/test_api_contract.py",
    "tests/api/test_batching.py",
    "tests/conftest.py",
    "tests/pipeline/test_pipeline.py",
    "tests/space/test_space_bundle.py",
    "tests/ui/test_ui_api_mode.py",
    "tests/ui/test_ui_app.py",
    "tests/unit/test_cli.py",
    "tests/unit/test_config.py",
    "tests/unit/test_data.py",
    "tests/unit/test_features.py",
    "tests/unit/test_files.py",
    "tests/unit/test_metrics.py",
    "tests/unit/test_models.py",
    "tests/unit/test_predictor.py",
    "tests/unit/test_schema.py",
    "tools/uv_settings.py",
}
LICENSED = {"LICENSE"}


def tracked(project: Path) -> set[str]:
    return {
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[dict[str, str], Path]]:
    root = tmp_path_factory.mktemp("combinations")
    return [(answers, render(root / str(i), **answers)) for i, answers in enumerate(COMBINATIONS)]


OPTION_PREFIXES = {
    "api": (
        f"{PKG}/api/",
        "tests/api/",
        "Dockerfile",
        ".dockerignore",
        # The app's API mode.
        f"{PKG}/ui/remote.py",
        "tests/ui/test_ui_api_mode.py",
    ),
    "ui": (f"{PKG}/ui/", "tests/ui/"),
    "space": ("space/", "tests/space/", ".github/workflows/deploy-space.yml"),
    "ci": (".github/",),
}


def test_every_combination_has_exactly_its_files(rendered) -> None:
    for answers, project in rendered:
        full = FULL_TREE
        expected = set(full) - LICENSED
        if answers["license"] != "none":
            expected |= LICENSED
        off = {
            "api": answers["include_api"] == "no",
            "ui": answers["include_ui"] == "no",
            "space": answers["deploy_hf_space"] == "no",
            "ci": answers["ci"] == "none",
        }
        for option, removed in off.items():
            if removed:
                expected -= {p for p in full if p.startswith(OPTION_PREFIXES[option])}
        assert tracked(project) == expected, answers
        assert not any(p.startswith(("_variants", "_licenses")) for p in tracked(project))


def test_each_option_owns_files() -> None:
    for option, prefixes in OPTION_PREFIXES.items():
        assert any(path.startswith(prefixes) for path in FULL_TREE), option


def test_no_template_syntax_is_left(rendered) -> None:
    # GitHub Actions expressions (${{ ... }}) are meant to stay.
    leftover = re.compile(r"(?<!\$)\{\{|\{%|cookiecutter\.")
    for answers, project in rendered:
        for rel in tracked(project):
            path = project / rel
            if path.suffix == ".png":
                continue
            text = path.read_text(encoding="utf-8")
            assert not leftover.search(text), f"{rel} in {answers}"


def test_configs_parse_and_follow_the_answers(rendered) -> None:
    for answers, project in rendered:
        pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
        assert pyproject["project"]["requires-python"] == f">={answers['python_version']}"
        assert pyproject["project"]["scripts"] == {
            "penguin-species-classifier": "penguin_species_classifier.cli:app"
        }
        params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
        target = {"tabular-classification": "species", "tabular-regression": "body_mass_g"}
        assert params["data"]["target"] == target[answers["task"]]
        stages = yaml.safe_load((project / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
        assert list(stages) == ["prepare", "train", "evaluate"]
        for rel in tracked(project):
            if rel.endswith((".yml", ".yaml")):
                yaml.safe_load((project / rel).read_text(encoding="utf-8"))
            elif rel.endswith(".json"):
                json.loads((project / rel).read_text(encoding="utf-8"))
        remote = (project / ".dvc" / "config").read_text(encoding="utf-8")
        scheme = {"local": "url = ../../", "s3": "s3://", "gcs": "gs://", "azure": "azure://"}
        assert scheme[answers["dvc_remote"]] in remote


def test_licence_follows_the_answer(rendered) -> None:
    first_lines = {"MIT": "MIT License", "Apache-2.0": "Apache License", "BSD-3-Clause": "BSD 3"}
    for answers, project in rendered:
        licence = project / "LICENSE"
        if answers["license"] == "none":
            assert not licence.exists()
        else:
            assert first_lines[answers["license"]] in licence.read_text(encoding="utf-8")[:200]


def test_regression_project_mentions_no_classification_code(rendered) -> None:
    for answers, project in rendered:
        if answers["task"] != "tabular-regression":
            continue
        source = "\n".join(
            (project / rel).read_text(encoding="utf-8")
            for rel in tracked(project)
            if rel.endswith(".py")
        )
        for word in ("predict_proba", "LogisticRegression", "roc_auc", "XGBClassifier"):
            assert word not in source, word
        assert "torch" not in (project / "pyproject.toml").read_text(encoding="utf-8")


def test_generated_repository_is_clean(rendered) -> None:
    for answers, project in rendered[:2]:
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
        )
        assert status.stdout == "", answers
