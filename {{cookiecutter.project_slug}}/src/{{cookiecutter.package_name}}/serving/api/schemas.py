"""Response types of the API (the request and prediction types come from the task family)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model


def predict_response(prediction: type[BaseModel]) -> type[BaseModel]:
    """The body of a successful POST /predict, for the family's prediction type."""
    return create_model(
        "PredictResponse",
        __doc__="One prediction per record, in the order of the request.",
        predictions=(list[prediction], ...),  # type: ignore[valid-type]
        model_version=(str, ...),
    )


def explain_response(prediction: type[BaseModel], explanation: type[BaseModel]) -> type[BaseModel]:
    """The body of a successful POST /explain: predictions whose explanation is filled in."""
    explained = create_model(
        f"Explained{prediction.__name__}",
        __base__=prediction,
        __doc__=f"{prediction.__doc__ or ''} With its explanation.".strip(),
        explanation=(explanation, ...),
    )
    return create_model(
        "ExplainResponse",
        __doc__="One explained prediction per record, in the order of the request.",
        predictions=(list[explained], ...),
        model_version=(str, ...),
    )


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
    task: str
    target: str
    data_hash: str
    outputs: dict[str, Any] = Field(
        description="What training recorded about the model's outputs (the task family's "
        "description of what a prediction can be)."
    )
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
