"""Pipeline parameters: params.yaml, validated into one frozen, typed object.

Nothing is read at import time: call `load_params()` where the parameters are needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from .errors import ProjectError
from .model_params import SECTION, ModelName, ModelParams

DEFAULT_PARAMS = Path("params.yaml")


class ParamsError(ProjectError, ValueError):
    """params.yaml is missing, unreadable or invalid; the message names the key."""


class DataParams(BaseModel):
    """Where the data comes from and which column is predicted."""

    model_config = SECTION
    # null means the bundled Palmer penguins data; otherwise a CSV or parquet file.
    path: Path | None = None
    target: str = Field(min_length=1)
    drop_columns: tuple[str, ...] = ()


class SplitParams(BaseModel):
    """The held-out test split, made once in `prepare`."""

    model_config = SECTION
    test_size: float = Field(0.2, gt=0, lt=1)
    seed: int = 42


class TrainParams(BaseModel):
    """Which model to train and how to cross-validate it."""

    model_config = SECTION
    model: ModelName = "xgboost"
    cv_folds: int = Field(5, ge=2, le=20)
    seed: int = 42
    n_jobs: int = Field(1, ge=-1)


class EvaluateParams(BaseModel):
    """How much work the evaluation figures may take."""

    model_config = SECTION
    permutation_repeats: int = Field(5, ge=1)
    learning_curve_points: int = Field(5, ge=2)


class Params(BaseModel):
    """Everything a pipeline run depends on; one section per stage."""

    model_config = SECTION
    data: DataParams
    split: SplitParams = SplitParams()
    train: TrainParams = TrainParams()
    models: ModelParams = ModelParams()
    evaluate: EvaluateParams = EvaluateParams()

    def flat(self) -> dict[str, Any]:
        """The parameters as `section.key` pairs, e.g. for experiment tracking."""
        return _flatten(self.model_dump(mode="json"))


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def parse_params(raw: Any, source: str = "params") -> Params:
    """Validate an already-parsed params mapping, naming the offending key on failure."""
    if not isinstance(raw, dict):
        raise ParamsError(f"{source}: expected a mapping of sections, got {type(raw).__name__}")
    try:
        return Params.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}"
            + (f" (got {issue['input']!r})" if issue["type"] != "missing" else "")
            for issue in error.errors()
        )
        raise ParamsError(f"{source}: {problems}") from None


def load_params(path: Path = DEFAULT_PARAMS) -> Params:
    """Read and validate params.yaml."""
    if not path.is_file():
        raise ParamsError(f"{path}: file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ParamsError(f"{path}: not valid YAML: {error}") from None
    return parse_params(raw, str(path))
