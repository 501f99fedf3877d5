"""Reading params.yaml into one frozen, typed object; each task family declares the sections.

Nothing is read at import time: call `load_params()` where the parameters are needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ParamsError

DEFAULT_PARAMS = Path("params.yaml")

# Every params section is immutable and rejects unknown keys, so a typo fails loudly.
SECTION = ConfigDict(frozen=True, extra="forbid")


class SplitParams(BaseModel):
    """The held-out test split, made once in `prepare`."""

    model_config = SECTION
    test_size: float = Field(0.2, gt=0, lt=1)
    seed: int = 42


class BaseParams(BaseModel):
    """The root of a family's params: one section per stage, flattened for tracking."""

    model_config = SECTION

    def flat(self) -> dict[str, Any]:
        """The parameters as `section.key` pairs, e.g. for experiment tracking."""
        return _flatten(self.model_dump(mode="json"))


Params = TypeVar("Params", bound=BaseParams)


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def parse_params(raw: Any, schema: type[Params], source: str = "params") -> Params:
    """Validate an already-parsed params mapping, naming the offending key on failure."""
    if not isinstance(raw, dict):
        raise ParamsError(f"{source}: expected a mapping of sections, got {type(raw).__name__}")
    try:
        return schema.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}"
            + (f" (got {issue['input']!r})" if issue["type"] != "missing" else "")
            for issue in error.errors()
        )
        raise ParamsError(f"{source}: {problems}") from None


def load_params(path: Path, schema: type[Params]) -> Params:
    """Read and validate params.yaml against the family's `schema`."""
    if not path.is_file():
        raise ParamsError(f"{path}: file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ParamsError(f"{path}: not valid YAML: {error}") from None
    return parse_params(raw, schema, str(path))
