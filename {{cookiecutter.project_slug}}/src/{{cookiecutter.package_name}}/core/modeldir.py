"""The model directory: the family's model files, and `metadata.json` that vouches for them.

A model directory is written whole or not at all. `save` fills a staging directory beside the
target (the family writes its files, then metadata.json records each file's sha256) and swaps it
into place with two renames; a training killed at any point leaves the previous model loadable
and no half-written file behind. `load` checks every file against the recorded hashes, so a
directory edited or copied by halves is refused with the file named.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ModelNotFoundError, ProjectError
from .files import read_json, write_json

log = logging.getLogger(__name__)

METADATA_FILE = "metadata.json"
RETRAIN = "run the pipeline (dvc repro) or the train command"
_STAGING, _PREVIOUS = "staging", "previous"


@dataclass(frozen=True)
class ModelDir:
    """A checked model directory: where it is, and what its metadata says."""

    path: Path
    metadata: dict[str, Any]

    def file(self, name: str) -> Path:
        """The path of one of the model's files."""
        return self.path / name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _siblings(model_dir: Path, kind: str) -> list[Path]:
    return sorted(model_dir.parent.glob(f".{model_dir.name}.{kind}-*"))


def recover(model_dir: Path) -> None:
    """Finish or undo what a killed `save` left: restore the previous model, drop temporaries."""
    previous = _siblings(model_dir, _PREVIOUS)
    if previous and not model_dir.exists():
        # Killed between the two renames: the old model is complete, put it back.
        previous[-1].rename(model_dir)
        log.warning("restored the previous model in '%s' after an interrupted save", model_dir)
    for stale in [*_siblings(model_dir, _STAGING), *_siblings(model_dir, _PREVIOUS)]:
        shutil.rmtree(stale, ignore_errors=True)


def _fsync_tree(directory: Path) -> None:
    for path in directory.iterdir():
        if path.is_file():
            with path.open("rb") as written:
                os.fsync(written.fileno())


def save(
    model_dir: Path, write_files: Callable[[Path], None], metadata: dict[str, Any]
) -> ModelDir:
    """Write a complete new model directory, then swap it in place of the old one.

    `write_files(directory)` writes the family's files into a staging directory; their hashes
    go into metadata.json, written last.
    """
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(model_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}.{_STAGING}-", dir=model_dir.parent))
    try:
        write_files(staging)
        files = {path.name: _sha256(path) for path in sorted(staging.iterdir()) if path.is_file()}
        metadata = {**metadata, "files": files}
        write_json(metadata, staging / METADATA_FILE)
        _fsync_tree(staging)
        if model_dir.exists():
            previous = Path(
                tempfile.mkdtemp(prefix=f".{model_dir.name}.{_PREVIOUS}-", dir=model_dir.parent)
            )
            previous.rmdir()
            model_dir.rename(previous)
            staging.rename(model_dir)
            shutil.rmtree(previous, ignore_errors=True)
        else:
            staging.rename(model_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ModelDir(model_dir, metadata)


def read_metadata(model_dir: Path) -> dict[str, Any]:
    """metadata.json of `model_dir`, without checking the files (see `load` for that).

    Raises:
        ModelNotFoundError: metadata.json is missing or not a JSON object.
    """
    path = model_dir / METADATA_FILE
    if not model_dir.exists():
        recover(model_dir)  # a save killed between its two renames left the old model aside
    if not path.is_file():
        raise ModelNotFoundError(f"no trained model in '{model_dir}': {RETRAIN} first")
    try:
        metadata = read_json(path, "model metadata", f"{RETRAIN} again")
    except ProjectError as error:
        raise ModelNotFoundError(str(error)) from None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("files"), dict):
        raise ModelNotFoundError(
            f"model metadata '{path}' is not a model's metadata (no 'files'): {RETRAIN} again"
        )
    return metadata


def load(model_dir: Path) -> ModelDir:
    """Check a model directory written by `save`: every file present and as recorded.

    Raises:
        ModelNotFoundError: a file is missing, or differs from what metadata.json recorded.
    """
    metadata = read_metadata(model_dir)
    for name, expected in metadata["files"].items():
        path = model_dir / name
        if not path.is_file():
            raise ModelNotFoundError(f"'{path}' is missing from the model: {RETRAIN} again")
        if _sha256(path) != expected:
            raise ModelNotFoundError(
                f"'{path}' does not match its hash in '{model_dir / METADATA_FILE}' (changed "
                f"after training?): {RETRAIN} again, or `dvc checkout {model_dir}`"
            )
    return ModelDir(model_dir, metadata)
