"""Shared fixtures: shrunk parameters and one small trained model, all under tmp paths."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

# Offline and quiet: no telemetry, no hub look-ups, single-threaded native libraries.
os.environ.update(
    MLFLOW_DISABLE_TELEMETRY="true",
    DVC_NO_ANALYTICS="1",
    HF_HUB_OFFLINE="1",
    OMP_WAIT_POLICY="PASSIVE",
)

from {{ cookiecutter.package_name }}.config import Params, parse_params
from {{ cookiecutter.package_name }}.data import prepare
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.train import train

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def shrink(raw: dict[str, Any]) -> dict[str, Any]:
    """The shipped params with every expensive knob turned down, for fast tests."""
    raw["train"].update(cv_folds=2)
    raw["models"]["random_forest"].update(n_estimators=10)
    raw["models"]["xgboost"].update(n_estimators=20)
    raw["evaluate"].update(permutation_repeats=1, learning_curve_points=2)
    return raw


@pytest.fixture
def raw_params() -> dict[str, Any]:
    """The shipped params.yaml as a plain (mutable) mapping, shrunk."""
    return shrink(yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text(encoding="utf-8")))


@pytest.fixture
def params(raw_params: dict[str, Any]) -> Params:
    """Shrunk, validated params."""
    return parse_params(raw_params)


def settings_for(directory: Path) -> Settings:
    """Settings whose MLflow store lives in `directory`."""
    return Settings(
        mlflow_tracking_uri=f"sqlite:///{directory / 'mlflow.db'}",
        model_dir=directory / "models",
    )


@dataclass(frozen=True)
class PipelineRun:
    """Where a test pipeline run wrote its outputs."""

    root: Path
    params: Params
    settings: Settings
    data_dir: Path
    model_dir: Path
    reports_dir: Path
    report: dict[str, Any]


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    """prepare → train → evaluate once on shrunk default params, everything in a tmp dir."""
    root = tmp_path_factory.mktemp("pipeline")
    raw = shrink(yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text(encoding="utf-8")))
    params = parse_params(raw)
    settings = settings_for(root)
    data_dir, model_dir, reports_dir = root / "data", root / "models", root / "reports"
    prepare(params, data_dir)
    train(params, data_dir, model_dir, settings)
    report = evaluate(params, data_dir, model_dir, reports_dir, settings)
    return PipelineRun(root, params, settings, data_dir, model_dir, reports_dir, report)
