"""A trained tabular model, loaded: the fitted pipeline (skops, never pickle) and its schema.

`evaluate` scores tables with it; `serving.predictor` adds the fast path for records.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd
import skops.io

from ...core import modeldir
from ...core.errors import ModelNotFoundError, UntrustedModelError
from . import objective
from .schema import InputSchema, conform, read_schema, write_schema

MODEL_FILE = "model.skops"
# The only types a saved model may contain besides scikit-learn's and numpy's own (which skops
# trusts by default); loading refuses anything else.
TRUSTED_TYPES = [
    "numpy.dtype",
    "sklearn.compose._column_transformer._RemainderColsList",
    "sklearn.tree._tree.Tree",
    "xgboost.core.Booster",
    *objective.ESTIMATOR_TYPES,
]


def _check_trusted(untrusted: list[str]) -> None:
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unexpected:
        raise UntrustedModelError(
            f"the model contains types that are not trusted for loading: {', '.join(unexpected)}; "
            "review them and add them to TRUSTED_TYPES in predictor.py"
        )


def write_model(model: Any, schema: InputSchema, directory: Path) -> None:
    """Write the fitted pipeline (skops) and its input schema into `directory`."""
    payload = skops.io.dumps(model)
    _check_trusted(skops.io.get_untrusted_types(data=payload))
    (directory / MODEL_FILE).write_bytes(payload)
    write_schema(schema, directory)


def read_pipeline(path: Path) -> Any:
    """The fitted pipeline in a skops file, rebuilt from trusted types only.

    Raises:
        ModelNotFoundError: the file is not a readable skops archive.
        UntrustedModelError: it holds types outside `TRUSTED_TYPES`.
    """
    payload = path.read_bytes()
    try:
        _check_trusted(skops.io.get_untrusted_types(data=payload))
        return skops.io.loads(payload, trusted=TRUSTED_TYPES)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
        if isinstance(error, UntrustedModelError):
            raise
        raise ModelNotFoundError(
            f"'{path}' is not a readable skops model ({type(error).__name__}): "
            f"{modeldir.RETRAIN} again"
        ) from None


class FittedModel:
    """A fitted pipeline with its input schema and metadata, checked on load."""

    def __init__(self, model_dir: modeldir.ModelDir) -> None:
        self.metadata: dict[str, Any] = model_dir.metadata
        self.schema: InputSchema = read_schema(model_dir.path, f"{modeldir.RETRAIN} again")
        self.model = read_pipeline(model_dir.file(MODEL_FILE))

    @classmethod
    def load(cls, model_dir: Path = Path("models")) -> Self:
        """Load the model directory written by training (errors name the file and the fix)."""
        return cls(modeldir.load(model_dir))

    @property
    def version(self) -> str:
        """The model version recorded at training time."""
        return str(self.metadata["version"])

    @property
    def spec(self) -> InputSchema:
        """The model's input schema."""
        return self.schema

    def outputs(self, frame: pd.DataFrame) -> np.ndarray:
        """What the task scores (see `objective.outputs`), one row per row of `frame`."""
        return objective.outputs(self.model, conform(frame, self.schema))
