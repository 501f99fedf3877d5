"""Batch prediction of a table file, for the `predict` command."""

from __future__ import annotations

from pathlib import Path

from .data import read_table
from .files import write_with
from .predictor import Predictor


def predict_file(input_path: Path, output_path: Path, model_dir: Path) -> int:
    """Predict every row of `input_path`; write rows and predictions to CSV; return the count."""
    frame = read_table(input_path, "input file")
    result = Predictor.load(model_dir).predict_frame(frame)
    write_with(output_path, lambda path: result.to_csv(path, index=False))
    return len(result)
