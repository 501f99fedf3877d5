"""Response types of the API (the request type is built per model: see `records.py`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..predictor import Prediction


class PredictResponse(BaseModel):
    """One prediction per record, in the order of the request."""

    predictions: list[Prediction]
    model_version: str


class Health(BaseModel):
    """The process is up."""

    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    """The model is loaded and predictions can be served."""

    status: Literal["ready"] = "ready"
    model_version: str


class Metadata(BaseModel):
    """What model is being served and how good it was."""

    model_config = ConfigDict(protected_namespaces=())

    model: str
    version: str
    trained_at: str
    target: str
    classes: list[str]
    data_hash: str
    metrics: dict[str, dict[str, float] | None] = Field(
        description="'cv': cross-validation on the training split, recorded with the model; "
        "'test': the evaluation on the test split (null when reports/metrics.json is absent)."
    )


class FieldError(BaseModel):
    """One problem with the request, located by a path such as records[0].island."""

    field: str
    message: str


class ErrorResponse(BaseModel):
    """Every error: a message to read, and for invalid input the offending fields."""

    detail: str
    errors: list[FieldError] = []
