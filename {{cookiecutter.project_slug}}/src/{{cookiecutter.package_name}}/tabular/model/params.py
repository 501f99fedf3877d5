"""The tabular family's params.yaml: one frozen, typed section per stage."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from ...core.params import SECTION, BaseParams, SplitParams, TuneParams
from .estimators import ModelName, ModelParams


class DataParams(BaseModel):
    """Where the data comes from and which column is predicted."""

    model_config = SECTION
    # null means the bundled Palmer penguins data; otherwise a CSV or parquet file.
    path: Path | None = None
    target: str = Field(min_length=1)
    drop_columns: tuple[str, ...] = ()
    # How the app and the figures name columns, e.g. {bill_length_mm: "Bill length (mm)"};
    # by default the name made readable (underscores to spaces, a trailing unit in brackets).
    labels: dict[str, str] = {}


class TrainParams(BaseModel):
    """Which model to train and how to cross-validate it."""

    model_config = SECTION
    model: ModelName = "xgboost"
    cv_folds: int = Field(5, ge=2, le=20)
    seed: int = 42
    n_jobs: int = Field(1, ge=-1)


class EvaluateParams(BaseModel):
    """How much work the evaluation figures may take."""

    model_config = SECTION
    permutation_repeats: int = Field(5, ge=1)
    learning_curve_points: int = Field(5, ge=2)


class Params(BaseParams):
    """Everything a pipeline run depends on; one section per stage."""

    data: DataParams
    split: SplitParams = SplitParams()
    train: TrainParams = TrainParams()
    models: ModelParams = ModelParams()
    evaluate: EvaluateParams = EvaluateParams()
    tune: TuneParams = TuneParams()

    @property
    def model_name(self) -> str:
        """The model `train` fits."""
        return self.train.model
