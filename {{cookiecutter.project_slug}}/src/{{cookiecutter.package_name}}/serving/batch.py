"""Batch prediction of a table file, for the `predict` command."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import DataValidationError
from ..core.files import write_with
from ..core.tables import read_table
from ..task import load_serving


def predict_file(input_path: Path, output_path: Path, model_dir: Path) -> int:
    """Predict every row of `input_path`; write rows and predictions to CSV; return the count."""
    frame = read_table(input_path, "input file")
    predictor = load_serving().load(model_dir)
    try:
        result = predictor.predict_frame(frame)
    except DataValidationError as error:
        raise DataValidationError(f"input file {input_path}: {error}") from None
    write_with(output_path, lambda path: result.to_csv(path, index=False))
    return len(result)
