"""The input schema: what a model expects, recorded from its training data.

`prepare` infers it and writes `schema.json`; training copies it next to the model; the
predictor, the API and the UI read it (through `read_schema`, its one reader) to check and
describe their inputs.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from ...core.errors import DataValidationError, ProjectError
from ...core.files import read_json, write_json

SCHEMA_FILE = "schema.json"


# Units written as the last word of a column name, shown in brackets: bill_length_mm → (mm).
UNITS = frozenset(
    {"mm", "cm", "m", "km", "g", "kg", "mg", "lb", "s", "ms", "min", "h", "pct", "usd", "eur"}
)


def readable(name: str) -> str:
    """A column name as people read it: `bill_length_mm` → "Bill length (mm)"."""
    words = name.replace("-", "_").split("_")
    unit = f" ({words.pop()})" if len(words) > 1 and words[-1].lower() in UNITS else ""
    text = " ".join(word for word in words if word)
    return (text[:1].upper() + text[1:] + unit) if text else name


class Feature(BaseModel):
    """One input column as seen in the training data."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: Literal["number", "category"]
    # True when the training data had missing values in this column.
    nullable: bool
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    categories: tuple[str, ...] = ()
    # A typical value: the median number or the most frequent category (form defaults).
    typical: float | str | None = None
    # How forms and figures name the column (`data.labels` in params.yaml overrides it).
    label: str = ""


class InputSchema(BaseModel):
    """The features of a model, in training order, with a real example record."""

    model_config = ConfigDict(frozen=True)

    target: str
    target_label: str = ""
    features: tuple[Feature, ...]
    example: dict[str, Any]
    data_hash: str
    # Columns of the data file that are not features (the target, `data.drop_columns`): a
    # record may carry them, as a row of the user's own file does, and they are ignored.
    ignored: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """Feature names in training order."""
        return [feature.name for feature in self.features]

    def typical_record(self) -> dict[str, Any]:
        """A record of typical values (medians, most frequent categories): the form's defaults.

        Columns without a recorded typical value take the example record's.
        """
        record: dict[str, Any] = {}
        for feature in self.features:
            value = self.example.get(feature.name) if feature.typical is None else feature.typical
            if feature.kind == "number" and feature.integer and value is not None:
                value = round(float(value))
            record[feature.name] = value
        return record

    def feature(self, name: str) -> Feature:
        """The feature called `name`."""
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)


def is_numeric(series: pd.Series) -> bool:
    """True for int/float columns (booleans count as categories)."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def to_numbers(column: pd.Series) -> tuple[pd.Series, int | None]:
    """The column as floats, and the position of its first value that is not a number (if any).

    Missing values stay missing; text such as "3.5" counts as a number.
    """
    numbers = pd.to_numeric(column, errors="coerce")
    stray = np.flatnonzero((numbers.isna() & column.notna()).to_numpy())
    return numbers.astype("float64"), int(stray[0]) if len(stray) else None


def frame_hash(frame: pd.DataFrame) -> str:
    """A stable content hash of a DataFrame (values and column names), for lineage."""
    digest = hashlib.sha256()
    digest.update("\x1f".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def infer_schema(
    frame: pd.DataFrame,
    target: str,
    data_hash: str,
    ignored: tuple[str, ...] = (),
    labels: Mapping[str, str] | None = None,
) -> InputSchema:
    """Describe the feature columns of `frame` (every column but `target`)."""
    labels = labels or {}
    features = []
    for name in frame.columns:
        if name == target:
            continue
        column = frame[name]
        nullable = bool(column.isna().any())
        if is_numeric(column):
            values = column.dropna()
            features.append(
                Feature(
                    name=name,
                    kind="number",
                    nullable=nullable,
                    minimum=float(values.min()),
                    maximum=float(values.max()),
                    integer=bool(pd.api.types.is_integer_dtype(column))
                    or bool((values == values.round()).all()),
                    typical=float(values.median()),
                    label=labels.get(name) or readable(name),
                )
            )
        else:
            text = column.dropna().map(str)
            features.append(
                Feature(
                    name=name,
                    kind="category",
                    nullable=nullable,
                    categories=tuple(sorted(set(text))),
                    typical=str(text.mode().iloc[0]) if len(text) else None,
                    label=labels.get(name) or readable(name),
                )
            )
    # A complete row makes the best example for docs and forms.
    complete = frame.drop(columns=[target]).dropna()
    row = (complete if len(complete) else frame.drop(columns=[target])).iloc[0]
    example = {name: _json_value(row[name]) for name in row.index}
    return InputSchema(
        target=target,
        target_label=labels.get(target) or readable(target),
        features=tuple(features),
        example=example,
        data_hash=data_hash,
        ignored=tuple(dict.fromkeys((target, *ignored))),
    )


def write_schema(schema: InputSchema, directory: Path) -> Path:
    """Write `schema.json` into `directory` atomically."""
    return write_json(schema.model_dump(mode="json"), directory / SCHEMA_FILE)


def read_schema(directory: Path, fix: str) -> InputSchema:
    """Read the `schema.json` in `directory` (the one reader of that file).

    Raises:
        DataValidationError: the file is missing, not JSON or not a schema; `fix` says what to do.
    """
    path = directory / SCHEMA_FILE
    try:
        raw = read_json(path, "input schema", fix)
        return InputSchema.model_validate(raw)
    except ProjectError as error:
        raise DataValidationError(str(error)) from None
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "top level"
        raise DataValidationError(
            f"input schema '{path}' is not valid ({where}: {problem['msg']}): {fix}"
        ) from None


def conform(frame: pd.DataFrame, schema: InputSchema) -> pd.DataFrame:
    """Check `frame` against the schema and return its feature columns, typed as in training.

    Extra columns are dropped. Missing values are kept (the model's imputers handle them) and
    unseen categories are kept (the encoder ignores them).

    Raises:
        DataValidationError: a feature column is absent, or a numeric column holds text.
    """
    missing = [name for name in schema.names if name not in frame.columns]
    if missing:
        raise DataValidationError(
            f"missing column(s): {', '.join(missing)}; expected: {', '.join(schema.names)}"
        )
    columns: dict[str, pd.Series] = {}
    for feature in schema.features:
        column = frame[feature.name]
        if feature.kind == "number" and column.dtype == np.float64:
            # Already typed as in training (the usual case, and the API's): nothing to convert.
            columns[feature.name] = column
        elif feature.kind == "number":
            numbers, position = to_numbers(column)
            if position is not None:
                raise DataValidationError(
                    f"column '{feature.name}' must be numeric, as in training, but row "
                    f"{position} holds {column.iloc[position]!r}"
                )
            columns[feature.name] = numbers
        else:
            # Object dtype with NaN for missing: what scikit-learn's imputers and encoders expect.
            columns[feature.name] = column.astype(object).map(
                lambda value: str(value) if pd.notna(value) else np.nan
            )
    return pd.DataFrame(columns, index=frame.index)
