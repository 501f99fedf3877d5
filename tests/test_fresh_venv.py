"""The README's commands on a generated project, in a fresh virtual environment.

`make setup` installs the project from its own pyproject.toml (all extras) into the project's
.venv, so its tests passing there proves the dependency list is complete.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from helpers import BIN, ENV, render, run

pytestmark = pytest.mark.slow


def test_readme_commands_work_in_a_fresh_venv(tmp_path: Path) -> None:
    project = render(tmp_path)
    # Only the project's own .venv: this environment's tools must not leak onto PATH.
    path = [p for p in os.environ["PATH"].split(os.pathsep) if Path(p) != BIN]
    env = {**ENV, "PATH": os.pathsep.join(path), "VIRTUAL_ENV": ""}
    run("make", "setup", cwd=project, env=env, timeout=1500)
    venv = project / ".venv"
    assert (venv / "bin" / "penguin-species-classifier").exists()

    run("make", "pipeline", cwd=project, env=env)
    report = json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert report["model"]["accuracy"] > report["baseline"]["accuracy"]
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert f"**{report['model']['accuracy']:.3f}**" in readme
    assert 'src="reports/figures/confusion_matrix.png"' in readme

    result = run("make", "test", cwd=project, env=env)
    assert re.search(r"\d+ passed", result.stdout)
    assert " failed" not in result.stdout
    for name in ("mlflow", "dvc", "streamlit", "fastapi", "pytest"):
        assert list((venv / "lib").glob(f"python3.*/site-packages/{name}")), name
