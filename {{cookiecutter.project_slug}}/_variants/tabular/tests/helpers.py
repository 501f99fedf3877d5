"""Helpers the tests share: shrunk params, settings in a temporary directory, a free port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from {{ cookiecutter.package_name }}.core.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = PROJECT_ROOT / "src" / "{{ cookiecutter.package_name }}"


def shrink(raw: dict[str, Any]) -> dict[str, Any]:
    """Params with every expensive knob turned down, for fast tests."""
    raw["train"].update(cv_folds=2)
    raw["models"]["random_forest"].update(n_estimators=10)
    raw["models"]["xgboost"].update(n_estimators=20)
    raw["evaluate"].update(permutation_repeats=1, learning_curve_points=2)
    space = raw["tune"]["space"]
    for trees in ("random_forest", "xgboost"):
        space[trees]["n_estimators"] = {"low": 5, "high": 20}
    return raw


def shipped_params() -> dict[str, Any]:
    """The shipped params.yaml as a plain (mutable) mapping, shrunk."""
    return shrink(yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text(encoding="utf-8")))


def settings_for(directory: Path) -> Settings:
    """Settings whose MLflow store and model live in `directory`."""
    return Settings(
        mlflow_tracking_uri=f"sqlite:///{directory / 'mlflow.db'}",
        model_dir=directory / "models",
    )


def prepared_splits(data_dir: Path) -> tuple[Any, Any, Any, Any]:
    """What `prepare` wrote to `data_dir`: the schema, the training inputs, their target codes
    and the test inputs (inputs typed as the model sees them)."""
    from {{ cookiecutter.package_name }}.tabular.model import objective
    from {{ cookiecutter.package_name }}.tabular.model.data import (
        PREPARE_FIRST,
        TEST_FILE,
        TRAIN_FILE,
        load_split,
    )
    from {{ cookiecutter.package_name }}.tabular.model.schema import conform, read_schema

    schema = read_schema(data_dir, PREPARE_FIRST)
    raw, labels = load_split(data_dir, TRAIN_FILE, schema)
    test, _ = load_split(data_dir, TEST_FILE, schema)
    target = objective.encode(labels, objective.describe_target(labels))
    return schema, conform(raw, schema), target, conform(test, schema)


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Imported by the pipeline, never by the API, the app or `predict` (see `serving_imports`).
TRAINING_MODULES = (
    "mlflow",
    "dvc",
    "matplotlib",
    "yaml",
    "{{ cookiecutter.package_name }}.pipeline",
    "{{ cookiecutter.package_name }}.core.params",
    "{{ cookiecutter.package_name }}.core.tracking",
    "{{ cookiecutter.package_name }}.core.figures",
    "{{ cookiecutter.package_name }}.tabular.model.data",
    "{{ cookiecutter.package_name }}.tabular.model.family",
    "{{ cookiecutter.package_name }}.tabular.model.models",
    "{{ cookiecutter.package_name }}.tabular.model.training",
)
_IMPORTS_PROBE = """
import json, sys
from pathlib import Path
model_dir = Path(sys.argv[1])
{code}
print("MODULES=" + json.dumps(sorted(sys.modules)))
"""


def training_imports(code: str, model_dir: Path) -> list[str]:
    """The training modules a fresh interpreter imported while it ran `code` (`model_dir` set)."""
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTS_PROBE.format(code=code), str(model_dir)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("MODULES="))
    modules = json.loads(line.removeprefix("MODULES="))
    assert any(".serving." in module for module in modules), "the code served nothing"
    return [
        module
        for module in modules
        if module.split(".")[0] in TRAINING_MODULES or module.startswith(TRAINING_MODULES)
    ]
