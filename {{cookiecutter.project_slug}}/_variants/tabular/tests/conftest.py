"""Shared fixtures: shrunk parameters and one small trained model, all under tmp paths."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Offline and quiet: no telemetry, no hub look-ups, single-threaded native libraries.
os.environ.update(
    MLFLOW_DISABLE_TELEMETRY="true",
    DVC_NO_ANALYTICS="1",
    HF_HUB_OFFLINE="1",
    OMP_WAIT_POLICY="PASSIVE",
)

from {{ cookiecutter.package_name }}.core.params import parse_params
from {{ cookiecutter.package_name }}.core.settings import Settings
from {{ cookiecutter.package_name }}.pipeline.evaluate import evaluate
from {{ cookiecutter.package_name }}.pipeline.prepare import prepare
from {{ cookiecutter.package_name }}.pipeline.train import train
from {{ cookiecutter.package_name }}.tabular.model.family import FAMILY
from {{ cookiecutter.package_name }}.tabular.model.params import Params

from helpers import settings_for, shipped_params


@pytest.fixture
def raw_params() -> dict[str, Any]:
    """The shipped params.yaml as a plain (mutable) mapping, shrunk."""
    return shipped_params()


@pytest.fixture
def params(raw_params: dict[str, Any]) -> Params:
    """Shrunk, validated params."""
    return parse_params(raw_params, Params)


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
    params = parse_params(shipped_params(), Params)
    settings = settings_for(root)
    data_dir, model_dir, reports_dir = root / "data", root / "models", root / "reports"
    prepare(FAMILY, params, data_dir)
    train(FAMILY, params, data_dir, model_dir, settings)
    report = evaluate(FAMILY, params, data_dir, model_dir, reports_dir, settings)
    return PipelineRun(root, params, settings, data_dir, model_dir, reports_dir, report)
