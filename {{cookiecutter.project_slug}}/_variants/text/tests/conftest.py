"""Shared fixtures: tiny parameters and one small trained model, all under tmp paths."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

# Offline and quiet: no telemetry, no hub look-ups, single-threaded native libraries.
os.environ.update(
    MLFLOW_DISABLE_TELEMETRY="true",
    DVC_NO_ANALYTICS="1",
    HF_HUB_OFFLINE="1",
    TRANSFORMERS_OFFLINE="1",
    OMP_WAIT_POLICY="PASSIVE",
)

from {{ cookiecutter.package_name }}.core.params import parse_params
from {{ cookiecutter.package_name }}.text.model.params import Params

from helpers import PipelineRun, run_pipeline, shipped_params


@pytest.fixture
def raw_params(tmp_path: Path) -> dict[str, Any]:
    """The shipped params.yaml as a plain (mutable) mapping, shrunk, checkpoints in tmp_path."""
    raw = shipped_params()
    raw["train"]["checkpoint_dir"] = str(tmp_path / "checkpoints")
    return raw


@pytest.fixture
def params(raw_params: dict[str, Any]) -> Params:
    """Shrunk, validated params."""
    return parse_params(raw_params, Params)


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    """The fine-tuned transformer (a tiny BERT), on tiny params: 120 reviews, one epoch."""
    return run_pipeline(tmp_path_factory.mktemp("pipeline"), shipped_params())
