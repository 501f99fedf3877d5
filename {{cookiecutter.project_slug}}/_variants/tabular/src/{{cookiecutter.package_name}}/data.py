"""The `prepare` stage: load the raw table, validate it, split it, record its input schema."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from .config import DataParams, Params
from .files import write_json, write_parquet
from .metrics import STRATIFY, validate_target
from .schema import (
    DataValidationError,
    InputSchema,
    frame_hash,
    infer_schema,
    is_numeric,
    to_numbers,
)

log = logging.getLogger(__name__)

TRAIN_FILE = "train.parquet"
TEST_FILE = "test.parquet"
SCHEMA_FILE = "schema.json"


READERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    ".csv": pd.read_csv,
    ".parquet": pd.read_parquet,
}


def read_table(path: Path, role: str) -> pd.DataFrame:
    """Read a CSV or parquet file; `role` names it in errors (e.g. "input file")."""
    if not path.is_file():
        raise DataValidationError(f"{role} not found: {path}")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise DataValidationError(
            f"{role} {path}: unsupported type {path.suffix!r}; use one of {', '.join(READERS)}"
        )
    try:
        frame = reader(path)
    except (ValueError, OSError) as error:
        raise DataValidationError(f"{role} {path} could not be read: {error}") from None
    if frame.empty:
        raise DataValidationError(f"{role} {path} has no rows")
    return frame


@dataclass(frozen=True)
class PreparedData:
    """What `prepare` wrote."""

    train_rows: int
    test_rows: int
    schema: InputSchema


def load_raw(params: DataParams) -> pd.DataFrame:
    """Read the raw table: the bundled penguins data, or the CSV/parquet file in params."""
    if params.path is None:
        from palmerpenguins import load_penguins

        return load_penguins()
    return read_table(params.path, "data file (data.path in params.yaml)")


def _check_types(frame: pd.DataFrame) -> None:
    """Reject text columns that are numbers except for a few stray values (a changed type)."""
    for name in frame.columns:
        column = frame[name]
        if is_numeric(column) or column.dropna().empty:
            continue
        numbers, position = to_numbers(column)
        if position is not None and numbers.notna().mean() >= 0.9:
            raise DataValidationError(
                f"column '{name}' is numeric but row {position} holds {column.iloc[position]!r}: "
                "fix or blank those values so the column keeps its numeric type"
            )


def validate_raw(frame: pd.DataFrame, params: DataParams) -> pd.DataFrame:
    """Check the raw table and return it with the dropped columns and unlabelled rows removed.

    Raises:
        DataValidationError: naming the column (and row) that is wrong.
    """
    if frame.empty:
        raise DataValidationError("the data has no rows")
    if params.target not in frame.columns:
        raise DataValidationError(
            f"target column '{params.target}' not found; columns are: {', '.join(frame.columns)}"
        )
    absent = [name for name in params.drop_columns if name not in frame.columns]
    if absent:
        raise DataValidationError(f"data.drop_columns names unknown column(s): {', '.join(absent)}")
    frame = frame.drop(columns=list(params.drop_columns))
    if frame.shape[1] < 2:
        raise DataValidationError("no feature columns left besides the target")
    _check_types(frame)
    labelled = frame[frame[params.target].notna()].reset_index(drop=True)
    if dropped := len(frame) - len(labelled):
        log.warning("dropped %d row(s) without a value in '%s'", dropped, params.target)
    labelled[params.target] = validate_target(labelled[params.target])
    return labelled


def prepare(params: Params, out_dir: Path) -> PreparedData:
    """Load, validate and split the data; write train/test parquet files and schema.json."""
    frame = validate_raw(load_raw(params.data), params.data)
    target = frame[params.data.target]
    train, test = train_test_split(
        frame,
        test_size=params.split.test_size,
        random_state=params.split.seed,
        stratify=target if STRATIFY else None,
    )
    schema = infer_schema(train, params.data.target, data_hash=frame_hash(frame))
    out_dir.mkdir(parents=True, exist_ok=True)
    write_parquet(train, out_dir / TRAIN_FILE)
    write_parquet(test, out_dir / TEST_FILE)
    write_json(schema.model_dump(mode="json"), out_dir / SCHEMA_FILE)
    log.info("prepared %d train and %d test rows in %s", len(train), len(test), out_dir)
    return PreparedData(train_rows=len(train), test_rows=len(test), schema=schema)


def load_split(data_dir: Path, name: str, schema: InputSchema) -> tuple[pd.DataFrame, pd.Series]:
    """Read one prepared split as (features, target)."""
    path = data_dir / name
    if not path.is_file():
        raise DataValidationError(f"{path} not found: run the prepare stage first")
    frame = pd.read_parquet(path)
    if schema.target not in frame.columns:
        raise DataValidationError(f"{path} has no target column '{schema.target}'")
    return frame.drop(columns=[schema.target]), frame[schema.target]


def load_schema(path: Path) -> InputSchema:
    """Read a schema.json written by `prepare`."""
    if not path.is_file():
        raise DataValidationError(f"{path} not found: run the prepare stage first")
    return InputSchema.model_validate_json(path.read_text(encoding="utf-8"))
