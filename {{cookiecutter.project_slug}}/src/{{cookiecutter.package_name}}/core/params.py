"""Reading params.yaml into one frozen, typed object; each task family declares the sections.

Nothing is read at import time: call `load_params()` where the parameters are needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from .errors import ParamsError

DEFAULT_PARAMS = Path("params.yaml")
# The tuned hyperparameters `tune` writes beside params.yaml, laid over it when loaded.
TUNED_FILE = "tuned.yaml"

# Every params section is immutable and rejects unknown keys, so a typo fails loudly.
SECTION = ConfigDict(frozen=True, extra="forbid")


class SplitParams(BaseModel):
    """The held-out test split, made once in `prepare`."""

    model_config = SECTION
    test_size: float = Field(0.2, gt=0, lt=1)
    seed: int = 42


class Range(BaseModel):
    """A numeric search dimension: `low` to `high` (both included), on a log scale or in steps.

    Whole numbers for a hyperparameter whose default is whole, floats otherwise.
    """

    model_config = SECTION
    low: float
    high: float
    log: bool = False
    step: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _not_empty(self) -> Range:
        if self.low >= self.high:
            raise ValueError(f"empty range: low ({self.low:g}) must be below high ({self.high:g})")
        if self.log and self.low <= 0:
            raise ValueError(f"a log-scale range needs low > 0 (got {self.low:g})")
        if self.log and self.step is not None:
            raise ValueError("a range is either on a log scale or in steps, not both")
        return self


class Choice(BaseModel):
    """A categorical search dimension: one of `choices`."""

    model_config = SECTION
    choices: tuple[Any, ...] = Field(min_length=1)


def _dimension_kind(value: Any) -> str:
    """Which dimension a search-space entry is: a list of choices, or else a range."""
    fields = value if isinstance(value, dict) else getattr(value, "__dict__", {})
    return "choice" if "choices" in fields else "range"


Dimension = Annotated[
    Annotated[Range, Tag("range")] | Annotated[Choice, Tag("choice")],
    Discriminator(_dimension_kind),
]


class TuneParams(BaseModel):
    """The hyperparameter search (`tune`): its budget, sampler, pruner and search spaces."""

    model_config = SECTION
    # Trials of the whole study; `tune --workers N` shares them out among N processes.
    trials: int = Field(30, ge=1)
    # Seconds after which a worker starts no new trial (null: none).
    timeout: float | None = Field(None, gt=0)
    seed: int = 42
    # median: stop a trial whose intermediate score (a fold, an epoch) is worse than the median
    # of earlier trials at the same step; none: every trial runs to the end.
    pruner: Literal["median", "none"] = "median"
    # Trials run in full before the pruner judges any.
    startup_trials: int = Field(5, ge=0)
    # An RDB URL; OPTUNA_STORAGE in the environment overrides it (e.g. a PostgreSQL server).
    storage: str = Field("sqlite:///optuna.db", min_length=1)
    # Per model: hyperparameter → {low, high[, log][, step]} or {choices: [...]}.
    space: dict[str, dict[str, Dimension]] = {}


class BaseParams(BaseModel):
    """The root of a family's params: one section per stage, flattened for tracking."""

    model_config = SECTION

    def flat(self) -> dict[str, Any]:
        """The parameters as `section.key` pairs, e.g. for experiment tracking.

        The `tune` section is left out: it decides how a search runs, never what a model is.
        """
        return _flatten(self.model_dump(mode="json", exclude={"tune"}))


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


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ParamsError(f"{path}: not valid YAML: {error}") from None


def load_params(path: Path, schema: type[Params]) -> Params:
    """Read and validate params.yaml against the family's `schema`.

    A `tuned.yaml` beside it (what `tune` wrote: the best hyperparameters found, in the same
    shape) is laid over it first, so `train` uses the tuned values; deleting that file, or
    emptying it, goes back to params.yaml's own.
    """
    if not path.is_file():
        raise ParamsError(f"{path}: file not found")
    raw = _read_yaml(path)
    tuned = path.with_name(TUNED_FILE)
    if not tuned.is_file():
        return parse_params(raw, schema, str(path))
    overlay = _read_yaml(tuned) or {}
    if not isinstance(overlay, dict):
        raise ParamsError(f"{tuned}: expected a mapping of sections, got {type(overlay).__name__}")
    if not overlay:
        return parse_params(raw, schema, str(path))
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping of sections, got {type(raw).__name__}")
    return parse_params(deep_merge(raw, overlay), schema, f"{path} with {tuned}")


def model_hyperparameters(
    params: BaseModel, model: str, trainer: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A model's hyperparameters as a search space may name them.

    The fields of `models.<model>` by name, and the `trainer` keys of the `train` section as
    `train.<key>`: the layout every family's params share.

    Raises:
        ParamsError: `model` has no section under `models`.
    """
    root: Any = params  # a family's params: `models` and `train` sections
    models = root.models
    section = getattr(models, model, None)
    if not isinstance(section, BaseModel):
        known = ", ".join(type(models).model_fields)
        raise ParamsError(f"params: no model '{model}' under `models` (known: {known})")
    values = section.model_dump(mode="json")
    train = root.train.model_dump(mode="json")
    values.update({f"train.{key}": train[key] for key in trainer})
    return values


def with_hyperparameters(
    params: Params, model: str, values: Mapping[str, Any], source: str = "params"
) -> Params:
    """`params` that train `model` with `values` set (names as `model_hyperparameters` gives).

    The result is validated like params.yaml: a value out of bounds raises `ParamsError`
    naming its key (`models.<model>.<key>` or `train.<key>`).
    """
    raw = params.model_dump(mode="json")
    raw["train"]["model"] = model
    for name, value in values.items():
        section, _, key = name.rpartition(".")
        if section:
            raw[section][key] = value
        else:
            raw["models"][model][key] = value
    return parse_params(raw, type(params), source)


def deep_merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `update` laid over it, mapping by mapping (a new dict; neither is changed)."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
