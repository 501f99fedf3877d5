"""Helpers the tests share: tiny params, settings in a temporary directory, a free port."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from PIL import Image

from {{ cookiecutter.package_name }}.core.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = PROJECT_ROOT / "src" / "{{ cookiecutter.package_name }}"


def shrink(raw: dict[str, Any]) -> dict[str, Any]:
    """Params for a quick run: 30 digits per class at 8x8 pixels, a tiny CNN, one epoch."""
    raw["data"].update(per_class_limit=30)
    raw["image"].update(size=8)
    raw["train"].update(epochs=1, batch_size=32, validation_size=0.2)
    raw["models"]["cnn"].update(channels=[8])
    raw["models"]["pixels_logreg"].update(max_iter=50)
    raw["models"]["efficientnet_lite0"].update(input_size=32, head_epochs=1)
    raw["evaluate"].update(misclassified_images=4, saliency_images=2, saliency_steps=4)
    raw["tune"]["space"]["cnn"]["channels"] = {"choices": [[4], [8]]}
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


@dataclass(frozen=True)
class PipelineRun:
    """Where a test pipeline run wrote its outputs."""

    root: Path
    params: Any
    settings: Settings
    data_dir: Path
    model_dir: Path
    reports_dir: Path
    report: dict[str, Any]


def run_pipeline(root: Path, raw: dict[str, Any], data_dir: Path | None = None) -> PipelineRun:
    """prepare → train → evaluate on `raw` params, everything (checkpoints too) under `root`.

    With `data_dir`, the data prepared there (with the same data params) is used as it is.
    """
    from {{ cookiecutter.package_name }}.core.params import parse_params
    from {{ cookiecutter.package_name }}.image.model.family import FAMILY
    from {{ cookiecutter.package_name }}.image.model.params import Params
    from {{ cookiecutter.package_name }}.pipeline.evaluate import evaluate
    from {{ cookiecutter.package_name }}.pipeline.prepare import prepare
    from {{ cookiecutter.package_name }}.pipeline.train import train

    raw["train"]["checkpoint_dir"] = str(root / "checkpoints")
    params = parse_params(raw, Params)
    settings = settings_for(root)
    model_dir, reports_dir = root / "models", root / "reports"
    if data_dir is None:
        data_dir = root / "data"
        prepare(FAMILY, params, data_dir)
    train(FAMILY, params, data_dir, model_dir, settings)
    report = evaluate(FAMILY, params, data_dir, model_dir, reports_dir, settings)
    return PipelineRun(root, params, settings, data_dir, model_dir, reports_dir, report)


# The project's command line as a program (what the `{{ cookiecutter.project_slug }}` script runs).
CLI = (sys.executable, "-c", "from {{ cookiecutter.package_name }}.cli import app; app()")


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def image_bytes(
    size: tuple[int, int] = (12, 12), mode: str = "L", fmt: str = "PNG", seed: int = 0
) -> bytes:
    """A small random image file."""
    rng = np.random.default_rng(seed)
    shape = (size[1], size[0]) if mode in {"L", "1"} else (size[1], size[0], len(mode))
    image = Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8))
    buffer = io.BytesIO()
    image.convert(mode).save(buffer, format=fmt)
    return buffer.getvalue()


# Imported by the pipeline, never by the API, the app or `predict` (see `training_imports`).
TRAINING_MODULES = (
    "mlflow",
    "dvc",
    "matplotlib",
    "kornia",
    "mlxtend",
    "{{ cookiecutter.package_name }}.pipeline",
    "{{ cookiecutter.package_name }}.core.params",
    "{{ cookiecutter.package_name }}.core.tracking",
    "{{ cookiecutter.package_name }}.core.figures",
    "{{ cookiecutter.package_name }}.torchtrain.trainer",
    "{{ cookiecutter.package_name }}.torchtrain.record",
    "{{ cookiecutter.package_name }}.image.model.data",
    "{{ cookiecutter.package_name }}.image.model.family",
    "{{ cookiecutter.package_name }}.image.model.training",
    "{{ cookiecutter.package_name }}.image.model.figures",
    "{{ cookiecutter.package_name }}.image.model.augment",
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
