"""Batch prediction of a table file, for the `predict` command."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import DataValidationError
from ..core.files import write_with
from ..core.tables import read_table
from ..task import WARNINGS_COLUMN, load_serving


def predict_file(
    input_path: Path,
    output_path: Path,
    model_dir: Path,
    explain: bool = False,
    target: str | None = None,
) -> tuple[int, int]:
    """Predict every row of `input_path` and write rows and predictions to CSV.

    The predictions include a warnings column; with `explain`, the explanation's columns too
    (`target`: the output to explain instead of each row's prediction).

    Returns:
        The number of rows, and of rows with warnings.
    """
    frame = read_table(input_path, "input file")
    predictor = load_serving().load(model_dir)
    try:
        result = predictor.predict_frame(frame, explain=explain, target=target)
    except DataValidationError as error:
        raise DataValidationError(f"input file {input_path}: {error}") from None
    write_with(output_path, lambda path: result.to_csv(path, index=False))
    return len(result), int(result[WARNINGS_COLUMN].ne("").sum())
