"""The command line: fast help, a named error, the digits exported as a folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

from helpers import CLI, PROJECT_ROOT


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *map(str, args)], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip


def test_help_answers_without_loading_torch() -> None:
    result = cli("--help")
    assert result.returncode == 0
    assert "export-digits" in result.stdout
    probe = subprocess.run(
        [CLI[0], "-c", "import sys; from {{ cookiecutter.package_name }}.cli import app; "
         "print('torch' in sys.modules)"],
        capture_output=True, text=True, check=True, cwd=PROJECT_ROOT,
    )  # fmt: skip
    assert probe.stdout.strip() == "False"


def test_a_bad_params_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "params.yaml"
    bad.write_text("train:\n  model: resnet\n", encoding="utf-8")
    result = cli("params", "--params", bad)
    assert result.returncode == 1
    assert "train.model" in result.stderr


def test_export_digits_writes_class_folders(tmp_path: Path) -> None:
    result = cli("export-digits", tmp_path / "raw", "--per-class", "2")
    assert result.returncode == 0, result.stderr
    assert "wrote 20 images" in result.stdout
    files = sorted(
        path.relative_to(tmp_path / "raw").parts[0] for path in (tmp_path / "raw").rglob("*.png")
    )
    assert files == sorted([str(digit) for digit in range(10)] * 2)
