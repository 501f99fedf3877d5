"""The model directory: the fitted pipeline (skops), its input schema and its metadata.

Loading never unpickles: skops rebuilds only the types on the explicit `TRUSTED_TYPES` list
(plus scikit-learn's and numpy's own, which skops trusts by default).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import skops.io

from .errors import ProjectError
from .files import write_json, write_with
from .models import TRUSTED_TYPES
from .schema import InputSchema

MODEL_FILE = "model.skops"
SCHEMA_FILE = "schema.json"
METADATA_FILE = "metadata.json"


class ModelNotFoundError(ProjectError, FileNotFoundError):
    """The model directory is missing, incomplete or inconsistent; the message says why."""


class UntrustedModelError(ProjectError, ValueError):
    """A model holds types outside the trusted list, so it is neither saved nor loaded."""


@dataclass(frozen=True)
class SavedModel:
    """A fitted pipeline with what describes it."""

    model: Any
    schema: InputSchema
    metadata: dict[str, Any]


def _check_trusted(untrusted: list[str]) -> None:
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unexpected:
        raise UntrustedModelError(
            f"the model contains types that are not trusted for loading: {', '.join(unexpected)}; "
            "review them and add them to TRUSTED_TYPES in models.py"
        )


def save(saved: SavedModel, model_dir: Path) -> Path:
    """Write model, schema, then metadata (last: it records the model's hash).

    A reader that finds a model whose hash disagrees with metadata.json knows the directory
    was caught mid-update, and refuses it instead of serving a mismatched pair.
    """
    payload = skops.io.dumps(saved.model)
    _check_trusted(skops.io.get_untrusted_types(data=payload))
    metadata = {**saved.metadata, "model_sha256": hashlib.sha256(payload).hexdigest()}
    write_with(model_dir / MODEL_FILE, lambda path: path.write_bytes(payload))
    write_json(saved.schema.model_dump(mode="json"), model_dir / SCHEMA_FILE)
    write_json(metadata, model_dir / METADATA_FILE)
    return model_dir


def load(model_dir: Path) -> SavedModel:
    """Read a model directory written by `save`.

    Raises:
        ModelNotFoundError: a file is missing or the model does not match its metadata.
        UntrustedModelError: the model file holds types outside the trusted list.
    """
    missing = [
        name
        for name in (MODEL_FILE, SCHEMA_FILE, METADATA_FILE)
        if not (model_dir / name).is_file()
    ]
    if missing:
        raise ModelNotFoundError(
            f"no trained model in '{model_dir}': missing {', '.join(missing)}; "
            "run the pipeline (dvc repro) or the train command first"
        )
    payload = (model_dir / MODEL_FILE).read_bytes()
    metadata = json.loads((model_dir / METADATA_FILE).read_text(encoding="utf-8"))
    if hashlib.sha256(payload).hexdigest() != metadata.get("model_sha256"):
        raise ModelNotFoundError(
            f"'{model_dir / MODEL_FILE}' does not match '{METADATA_FILE}' (an interrupted "
            "training run?); train again"
        )
    _check_trusted(skops.io.get_untrusted_types(data=payload))
    model = skops.io.loads(payload, trusted=TRUSTED_TYPES)
    schema = InputSchema.model_validate_json((model_dir / SCHEMA_FILE).read_text(encoding="utf-8"))
    return SavedModel(model=model, schema=schema, metadata=metadata)
