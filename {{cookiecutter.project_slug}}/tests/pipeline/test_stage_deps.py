"""dvc.yaml's code dependencies are right: each stage depends on exactly the code it runs.

Each stage runs for real in its own process, which then lists the project modules it imported.
Every one must lie under a dependency of that stage in dvc.yaml (else `dvc repro` would call a
changed stage "up to date"), every code dependency must hold a module the stage imported, and
none may be serving code (editing the API or the app must re-run nothing).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import PACKAGE_DIR, PROJECT_ROOT

PACKAGE = PACKAGE_DIR.name
# The stage's command runs the CLI (cli.py and the optional parts' command.py), which only
# parses the paths written out in dvc.yaml.
RUNNER = ("cli.py", "command.py")
STAGES = ["prepare", "tune", "train", "evaluate"]
STAGE_RUN = """
import json, sys
from typer.main import get_command
from {package}.cli import app
try:
    get_command(app).main(args=sys.argv[1:], standalone_mode=False)
finally:
    modules = sorted(
        getattr(module, "__file__", None) or ""
        for name, module in list(sys.modules.items())
        if name == "{package}" or name.startswith("{package}.")
    )
    print("MODULES=" + json.dumps(modules))
"""


def is_docstring_only(path: Path) -> bool:
    """A package `__init__.py` with nothing but a docstring: importing it runs no code."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in body)


def start_stage(stage: str, args: list[str], root: Path, store: str) -> subprocess.Popen[str]:
    """Start one stage in its own process, tracking to the MLflow store `root / store`."""
    return subprocess.Popen(
        [sys.executable, "-c", STAGE_RUN.format(package=PACKAGE), stage, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "MLFLOW_TRACKING_URI": f"sqlite:///{root / store}",
            "OPTUNA_STORAGE": f"sqlite:///{root / 'optuna.db'}",
        },
    )


def imported_files(process: subprocess.Popen[str]) -> set[str]:
    """Project files (relative to the project root) the stage's process imported."""
    try:
        stdout, stderr = process.communicate(timeout=600)
    finally:
        process.kill()
    assert process.returncode == 0, stderr[-3000:]
    line = next(line for line in stdout.splitlines() if line.startswith("MODULES="))
    files = {Path(name).resolve() for name in json.loads(line.removeprefix("MODULES="))}
    return {
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in files
        if path.is_relative_to(PROJECT_ROOT) and not is_docstring_only(path)
    }


def code_deps(stage: str) -> list[str]:
    stages = yaml.safe_load((PROJECT_ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    return [dep for dep in stages[stage]["deps"] if dep.startswith("src/")]


def covered(path: str, deps: list[str]) -> bool:
    return any(path == dep or path.startswith(f"{dep.rstrip('/')}/") for dep in deps)


@pytest.fixture(scope="module")
def stage_imports(pipeline_run, tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The files each stage imported, running on the shrunk params of `pipeline_run`.

    prepare, tune and train run at once (tune and train on the data `pipeline_run` prepared),
    then evaluate on the model train wrote, in train's MLflow store.
    """
    root = tmp_path_factory.mktemp("stages")
    params = root / "params.yaml"
    params.write_text(yaml.safe_dump(pipeline_run.params.model_dump(mode="json")), "utf-8")
    data = ["--params", str(params), "--data-dir", str(pipeline_run.data_dir)]
    model = [*data, "--model-dir", str(root / "models")]
    prepare = ["--params", str(params), "--out-dir", str(root / "data")]
    # The frozen, optional stage: one trial is enough to import what it runs.
    tune = [*data, "--reports-dir", str(root / "tuning"), "--trials", "1"]
    processes = {
        "prepare": start_stage("prepare", prepare, root, "mlflow-prepare.db"),
        "tune": start_stage("tune", tune, root, "mlflow-tune.db"),
        "train": start_stage("train", model, root, "mlflow.db"),
    }
    try:
        imports = {"train": imported_files(processes.pop("train"))}
        evaluate = [*model, "--reports-dir", str(root / "reports")]
        processes["evaluate"] = start_stage("evaluate", evaluate, root, "mlflow.db")
        return imports | {stage: imported_files(process) for stage, process in processes.items()}
    finally:
        for process in processes.values():
            process.kill()


@pytest.mark.parametrize("stage", STAGES)
def test_every_module_a_stage_imports_is_one_of_its_deps(stage_imports, stage: str) -> None:
    deps = code_deps(stage)
    missing = sorted(
        path
        for path in stage_imports[stage]
        if Path(path).name not in RUNNER and not covered(path, deps)
    )
    assert not missing, f"dvc.yaml stage '{stage}' lacks deps for {missing}"


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_depends_on_no_code_it_does_not_run(stage_imports, stage: str) -> None:
    for dep in code_deps(stage):
        assert "serving" not in Path(dep).parts, f"'{stage}' depends on serving code: {dep}"
        assert any(covered(path, [dep]) for path in stage_imports[stage]), (
            f"dvc.yaml stage '{stage}' depends on {dep}, which it never imports"
        )
