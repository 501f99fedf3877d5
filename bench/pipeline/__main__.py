"""Time the default project's DVC pipeline, stage by stage, on this machine.

Usage (from the template root, after `make env`):

    .venv/bin/python bench/pipeline

It generates the default project into build/bench/, installs it into this environment without
its dependencies (they are already here), and runs:

1. `dvc repro` from scratch (what a user's first `make pipeline` does), timed as a whole;
2. each stage again on its own (`dvc repro --force --single-item <stage>`), timed;
3. the same pipeline with `train.model: baseline` (the dummy model), the named baseline: what
   the pipeline costs with a model that learns nothing (imports, I/O, MLflow, figures).

It prints seconds and ratios: whole pipeline against the 60 s budget, and xgboost against the
dummy baseline. Nothing here is a pass/fail test; numbers depend on the machine and its load.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

TEMPLATE = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BUDGET_S = 60.0
STAGES = ("prepare", "train", "evaluate")
ENV = {
    **os.environ,
    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DVC_NO_ANALYTICS": "1",
    "HF_HUB_OFFLINE": "1",
}


def timed(*command: str, cwd: Path) -> float:
    """Run a command, fail loudly if it fails, return its wall time in seconds."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def generate(root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    timed(str(BIN / "cookiecutter"), "--no-input", "-o", str(root), str(TEMPLATE), cwd=TEMPLATE)
    project = root / "penguin-species-classifier"
    timed(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "-e", ".", cwd=project)
    return project


def main() -> None:
    project = generate(TEMPLATE / "build" / "bench")
    print(f"project: {project} ({os.cpu_count()} cores)")

    whole = timed("dvc", "repro", cwd=project)
    stages = {
        stage: timed("dvc", "repro", "--force", "--single-item", stage, cwd=project)
        for stage in STAGES
    }

    params_file = project / "params.yaml"
    params = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    model = params["train"]["model"]
    params["train"]["model"] = "baseline"
    params_file.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    baseline = {stage: timed("dvc", "repro", "--force", "--single-item", stage, cwd=project)
                for stage in ("train", "evaluate")}  # fmt: skip

    print()
    print(f"{'stage':<10} {model + ' (s)':>14} {'baseline (s)':>13} {'ratio':>7}")
    for stage in STAGES:
        base = baseline.get(stage)
        ratio = f"{stages[stage] / base:7.2f}" if base else f"{'':>7}"
        base_text = f"{base:13.1f}" if base else f"{'(same)':>13}"
        print(f"{stage:<10} {stages[stage]:14.1f} {base_text} {ratio}")
    print()
    budget = f"{whole / BUDGET_S:.2f} x the {BUDGET_S:.0f} s budget"
    print(f"dvc repro from scratch: {whole:.1f} s = {budget}")
    model_cost = stages["train"] + stages["evaluate"]
    base_cost = baseline["train"] + baseline["evaluate"]
    print(f"train+evaluate, {model} / dummy baseline: {model_cost / base_cost:.2f}")


if __name__ == "__main__":
    main()
