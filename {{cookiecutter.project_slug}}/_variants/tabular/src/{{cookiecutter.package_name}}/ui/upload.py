"""Reading an uploaded CSV and checking its columns before anything is predicted."""

from __future__ import annotations

import io

import pandas as pd

from ..schema import DataValidationError, InputSchema


def read_csv(data: bytes, name: str) -> pd.DataFrame:
    """Parse an uploaded CSV file.

    Raises:
        DataValidationError: the file is not CSV text or has no rows.
    """
    try:
        frame = pd.read_csv(io.BytesIO(data))
    except pd.errors.EmptyDataError:
        raise DataValidationError(f"{name} is empty") from None
    except ValueError as error:  # pandas.errors.ParserError, UnicodeDecodeError and kin
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataValidationError(f"{name} could not be read as CSV: {reason}") from None
    if frame.empty:
        raise DataValidationError(f"{name} has a header but no rows")
    return frame


def check_columns(frame: pd.DataFrame, schema: InputSchema, name: str) -> None:
    """Name the feature columns `frame` lacks, and the columns it has that the model does not know.

    Unknown columns alone are no error (they are carried through to the download), but beside a
    missing column they are most likely its misspelling, so both are named.

    Raises:
        DataValidationError: a feature column is missing.
    """
    columns = [str(column) for column in frame.columns]
    missing = [feature for feature in schema.names if feature not in columns]
    if not missing:
        return
    unknown = [
        column for column in columns if column not in schema.names and column != schema.target
    ]
    message = f"{name} is missing column(s): {', '.join(missing)}"
    if unknown:
        message += f"; not used by the model: {', '.join(unknown)}"
    raise DataValidationError(f"{message}. Expected columns: {', '.join(schema.names)}")
