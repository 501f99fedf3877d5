"""The tabular family's data: load the raw table, validate it, split it, record its schema."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from ...core.errors import DataValidationError
from ...core.files import write_with
from ...core.tables import read_table
from ...task import Prepared
from .objective import STRATIFY, validate_target
from .params import DataParams, Params
from .schema import InputSchema, frame_hash, infer_schema, is_numeric, to_numbers, write_schema

log = logging.getLogger(__name__)

TRAIN_FILE = "train.parquet"
TEST_FILE = "test.parquet"
PREPARE_FIRST = "run the prepare stage first"


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
    if params.target in params.drop_columns:
        raise DataValidationError(
            f"data.drop_columns lists the target '{params.target}': remove it from drop_columns"
        )
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


def split(frame: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The seeded train/test split (stratified by class where the task allows it).

    Raises:
        DataValidationError: the data is too small for the test split.
    """
    target = frame[params.data.target]
    test_rows = math.ceil(len(frame) * params.split.test_size)
    groups = target.nunique() if STRATIFY else 1
    if test_rows < groups or len(frame) - test_rows < groups:
        raise DataValidationError(
            f"{len(frame)} labelled rows are too few for a {params.split.test_size:g} test split"
            + (f" stratified by {groups} target values (both splits need each)" if STRATIFY else "")
            + ": add rows or change split.test_size"
        )
    train, test = train_test_split(
        frame,
        test_size=params.split.test_size,
        random_state=params.split.seed,
        stratify=target if STRATIFY else None,
    )
    return train, test


def write_parquet(frame: pd.DataFrame, target: Path) -> Path:
    """Write a DataFrame as parquet atomically, without its index."""
    return write_with(target, lambda path: frame.to_parquet(path, index=False))


def prepare(params: Params, out_dir: Path) -> Prepared:
    """Load, validate and split the data; write train/test parquet files and schema.json."""
    frame = validate_raw(load_raw(params.data), params.data)
    train, test = split(frame, params)
    schema = infer_schema(
        train,
        params.data.target,
        data_hash=frame_hash(frame),
        ignored=params.data.drop_columns,
        labels=params.data.labels,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    write_parquet(train, out_dir / TRAIN_FILE)
    write_parquet(test, out_dir / TEST_FILE)
    write_schema(schema, out_dir)
    return Prepared(train_rows=len(train), test_rows=len(test), data_hash=schema.data_hash)


def load_split(data_dir: Path, name: str, schema: InputSchema) -> tuple[pd.DataFrame, pd.Series]:
    """Read one prepared split as (features, target)."""
    path = data_dir / name
    if not path.is_file():
        raise DataValidationError(f"{path} not found: {PREPARE_FIRST}")
    frame = pd.read_parquet(path)
    if schema.target not in frame.columns:
        raise DataValidationError(f"{path} has no target column '{schema.target}'")
    return frame.drop(columns=[schema.target]), frame[schema.target]
