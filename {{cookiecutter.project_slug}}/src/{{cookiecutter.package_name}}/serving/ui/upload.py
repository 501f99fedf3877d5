"""Reading an uploaded CSV file (its columns are checked by the family before predicting)."""

from __future__ import annotations

import io

import pandas as pd

from ...core.errors import DataValidationError


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
