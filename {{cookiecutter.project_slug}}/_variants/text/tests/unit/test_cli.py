"""The command line: fast help, a named error, predictions of a CSV of texts."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import CLI, PROJECT_ROOT


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *map(str, args)], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip


def test_help_answers_without_loading_torch() -> None:
    result = cli("--help")
    assert result.returncode == 0
    assert "predict" in result.stdout
    probe = subprocess.run(
        [CLI[0], "-c", "import sys; from {{ cookiecutter.package_name }}.cli import app; "
         "print('torch' in sys.modules or 'transformers' in sys.modules)"],
        capture_output=True, text=True, check=True, cwd=PROJECT_ROOT,
    )  # fmt: skip
    assert probe.stdout.strip() == "False"


def test_a_bad_params_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "params.yaml"
    bad.write_text("train:\n  model: bert_large\n", encoding="utf-8")
    result = cli("params", "--params", bad)
    assert result.returncode == 1
    assert "train.model" in result.stderr


def test_predict_writes_labels_and_top_words(pipeline_run: Any, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2], "text": ["A triumph.", "Dull and far too long."]}).to_csv(
        source, index=False
    )
    result = cli("predict", source, tmp_path / "out.csv", "--model-dir", pipeline_run.model_dir,
                 "--explain")  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out["id"]) == [1, 2]
    assert set(out["predicted_label"]) <= {"fresh", "rotten"}
    assert out["top_words"].str.len().gt(0).all()


def test_predict_names_a_blank_row(pipeline_run: Any, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('text\nFine.\n"   "\n', encoding="utf-8")
    result = cli("predict", source, tmp_path / "out.csv", "--model-dir", pipeline_run.model_dir)
    assert result.returncode == 1
    assert "row 1: the text is empty or only whitespace" in result.stderr
