"""Reading a table file (CSV or parquet): the raw data, and the records `predict` is given."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .errors import DataValidationError

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
