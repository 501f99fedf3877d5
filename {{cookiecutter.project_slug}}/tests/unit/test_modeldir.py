"""The model directory is replaced whole: a training killed at any point keeps the old model."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.core import modeldir
from {{ cookiecutter.package_name }}.core.errors import ModelNotFoundError


def write(name: str, content: str):
    def writer(directory: Path) -> None:
        (directory / name).write_text(content, encoding="utf-8")

    return writer


def siblings(model_dir: Path) -> list[str]:
    return sorted(p.name for p in model_dir.parent.iterdir() if p.name != model_dir.name)


def test_save_and_load_check_every_file(tmp_path: Path) -> None:
    model_dir = tmp_path / "models"
    saved = modeldir.save(model_dir, write("weights.bin", "v1"), {"version": "1"})
    loaded = modeldir.load(model_dir)
    assert loaded.metadata == saved.metadata
    assert set(loaded.metadata["files"]) == {"weights.bin"}
    assert siblings(model_dir) == []

    (model_dir / "weights.bin").write_text("tampered", encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match=r"weights\.bin' does not match its hash"):
        modeldir.load(model_dir)
    (model_dir / "weights.bin").unlink()
    with pytest.raises(ModelNotFoundError, match=r"weights\.bin' is missing from the model"):
        modeldir.load(model_dir)


def test_unreadable_metadata_is_one_line_naming_the_file(tmp_path: Path) -> None:
    model_dir = tmp_path / "models"
    with pytest.raises(
        ModelNotFoundError, match=r"no trained model in .*models': run the pipeline"
    ):
        modeldir.load(model_dir)
    model_dir.mkdir()
    (model_dir / modeldir.METADATA_FILE).write_text("{half", encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match=r"metadata '.*metadata\.json' could not be read"):
        modeldir.load(model_dir)
    (model_dir / modeldir.METADATA_FILE).write_text("[]", encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match=r"is not a model's metadata"):
        modeldir.load(model_dir)


def test_a_failed_save_keeps_the_previous_model(tmp_path: Path) -> None:
    model_dir = tmp_path / "models"
    modeldir.save(model_dir, write("weights.bin", "v1"), {"version": "1"})

    def crash(directory: Path) -> None:
        (directory / "weights.bin").write_text("half-writ", encoding="utf-8")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError, match="killed mid-write"):
        modeldir.save(model_dir, crash, {"version": "2"})
    assert modeldir.load(model_dir).metadata["version"] == "1"
    assert siblings(model_dir) == []


# A training process that saves a model, killed by SIGKILL at a chosen point of `save`.
KILLED_SAVE = """
import sys
from pathlib import Path
from {{ cookiecutter.package_name }}.core import modeldir

point, model_dir = sys.argv[1], Path(sys.argv[2])

def kill(*_):
    import os, signal
    os.kill(os.getpid(), signal.SIGKILL)

def writer(directory):
    (directory / "weights.bin").write_text("v2", encoding="utf-8")
    if point == "writing":
        kill()

if point == "swapping":
    real_rename = Path.rename
    def rename(self, target):
        result = real_rename(self, target)
        if self == model_dir:  # the old model moved aside, the new one not yet in place
            kill()
        return result
    Path.rename = rename
modeldir.save(model_dir, writer, {"version": "2"})
"""


@pytest.mark.parametrize("point", ["writing", "swapping"])
def test_a_killed_training_leaves_the_old_model_loadable(tmp_path: Path, point: str) -> None:
    model_dir = tmp_path / "models"
    modeldir.save(model_dir, write("weights.bin", "v1"), {"version": "1"})
    process = subprocess.run(
        [sys.executable, "-c", KILLED_SAVE, point, str(model_dir)],
        capture_output=True,
        text=True,
        env={**os.environ},
        check=False,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr
    assert siblings(model_dir), "the kill left nothing to clean up: the test hit no save"

    # The next reader or writer restores or cleans up; the old model is intact.
    modeldir.recover(model_dir)
    assert modeldir.load(model_dir).metadata["version"] == "1"
    assert siblings(model_dir) == []
    modeldir.save(model_dir, write("weights.bin", "v3"), {"version": "3"})
    assert modeldir.load(model_dir).metadata["version"] == "3"
