"""What a record is for the text family: `{"text": "..."}`, checked the same way everywhere.

The API's request type, the app, `predict` and the batch page all check texts here, so a
blank text or one over the limit gets the same message wherever it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ...core.errors import DataValidationError

TEXT_COLUMN = "text"
BLANK = "the text is empty or only whitespace"
TOO_LONG = "the text has {length} characters; the limit is {limit} (data.max_chars at training)"
# Whitespace as JSON Schema patterns (ECMAScript's \s) define it, so that the API's documented
# pattern and its check agree: a text is blank when it holds nothing else.
SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_BLANK = re.compile(f"[{SPACE}]*")


def is_blank(text: str) -> bool:
    """Whether `text` is empty or only whitespace."""
    return _BLANK.fullmatch(text) is not None


def check_text(value: Any, where: str, max_chars: int) -> str:
    """A record's text, checked.

    Raises:
        DataValidationError: not a string, blank, or over `max_chars` (`where` named).
    """
    if not isinstance(value, str):
        raise DataValidationError(f"{where}: a text is required, got {type(value).__name__}")
    if is_blank(value):
        raise DataValidationError(f"{where}: {BLANK}")
    if len(value) > max_chars:
        raise DataValidationError(f"{where}: " + TOO_LONG.format(length=len(value),
                                                                 limit=max_chars))  # fmt: skip
    return value


def record_texts(records: Sequence[Mapping[str, Any]], max_chars: int) -> list[str]:
    """The checked texts of records (`records[i].text` named in errors)."""
    texts = []
    for position, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise DataValidationError(f"records[{position}] must be a mapping with 'text'")
        where = f"records[{position}].{TEXT_COLUMN}"
        texts.append(check_text(record.get(TEXT_COLUMN), where, max_chars))
    return texts


def frame_records(frame: pd.DataFrame, max_chars: int) -> list[dict[str, Any]]:
    """A table's texts as records: a `text` column, each row checked (named by its row).

    Raises:
        DataValidationError: no `text` column, or a bad text (its row named).
    """
    columns = [str(column) for column in frame.columns]
    if TEXT_COLUMN not in columns:
        raise DataValidationError(
            f"expected a column '{TEXT_COLUMN}' with one text per row; got: {', '.join(columns)}"
        )
    values = frame[TEXT_COLUMN].tolist()
    return [{TEXT_COLUMN: check_text(None if pd.isna(value) else value, f"row {row}", max_chars)}
            for row, value in enumerate(values)]  # fmt: skip
