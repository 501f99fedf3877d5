"""What a record is for the image family, and how images become records and pixels.

A record is one image: `{"name": ..., "data": <base64 or bytes>}` (what the JSON API, the app
and `predict` send), or `{"name": ..., "pixels": <array>}` once decoded (what the API's reader
hands to the batcher, so no image is decoded twice).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...core.errors import DataValidationError
from ..model.images import MAX_PIXELS, ImageShape, decode

# An uploaded CSV (the app's batch page, `predict`) names images by path or carries them.
PATH_COLUMN, DATA_COLUMN, NAME_COLUMN = "path", "data", "name"


def image_bytes(record: Mapping[str, Any], position: int) -> bytes:
    """A record's image file, from bytes or base64 text.

    Raises:
        DataValidationError: no `data`, or text that is not base64.
    """
    data = record.get("data")
    where = f"records[{position}].data"
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    if not isinstance(data, str) or not data:
        raise DataValidationError(f"{where}: an image is required (base64 text or bytes)")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise DataValidationError(f"{where}: not valid base64") from None


def record_name(record: Mapping[str, Any], position: int) -> str:
    """The record's name, or its position when it has none."""
    name = record.get("name")
    return str(name) if name else f"records[{position}]"


def record_pixels(
    records: Sequence[Mapping[str, Any]], shape: ImageShape, max_pixels: int = MAX_PIXELS
) -> tuple[list[str], np.ndarray]:
    """The names and decoded pixels (n, size, size, channels) of records.

    Raises:
        DataValidationError: a record is no mapping or holds no image (`ImageError` for an image
            that is unsupported, corrupt or too large).
    """
    names, arrays = [], []
    for position, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise DataValidationError(f"records[{position}] must be a mapping with 'data'")
        name = record_name(record, position)
        pixels = record.get("pixels")
        if pixels is None:
            pixels = decode(image_bytes(record, position), name, shape, max_pixels)
        names.append(name)
        arrays.append(pixels)
    if not arrays:
        return [], np.zeros((0, shape.size, shape.size, shape.channels), dtype=np.uint8)
    return names, np.stack(arrays)


def frame_records(frame: pd.DataFrame, base: Path = Path()) -> list[dict[str, Any]]:
    """A table's images as records: a `path` column of image files, or a `data` column of base64.

    Raises:
        DataValidationError: neither column, or a file that cannot be read (named).
    """
    columns = [str(column) for column in frame.columns]
    names = frame[NAME_COLUMN].astype(str).tolist() if NAME_COLUMN in columns else None
    if PATH_COLUMN in columns:
        records = []
        for row, value in enumerate(frame[PATH_COLUMN].tolist()):
            path = base / str(value)
            try:
                data = path.read_bytes()
            except OSError as error:
                reason = error.strerror or type(error).__name__
                raise DataValidationError(
                    f"row {row}: image '{path}' cannot be read: {reason}"
                ) from None
            name = names[row] if names else str(value)
            records.append({"name": name, "data": base64.b64encode(data).decode("ascii")})
        return records
    if DATA_COLUMN in columns:
        return [
            {"name": names[row] if names else f"row {row}", "data": str(value)}
            for row, value in enumerate(frame[DATA_COLUMN].tolist())
        ]
    raise DataValidationError(
        f"expected a column '{PATH_COLUMN}' (image files) or '{DATA_COLUMN}' (base64 images); "
        f"got: {', '.join(columns)}"
    )
