"""The request type of POST /predict, built from the model's saved input schema.

Validation follows the training data: numbers must be numbers, categories must be ones the model
saw, and only columns that had missing values in training accept null (or may be left out).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..schema import Feature, InputSchema

# Finite JSON numbers only; a string or a boolean is a type error, never silently converted.
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


def _feature_type(feature: Feature) -> Any:
    if feature.kind == "number":
        kind: Any = Number
    elif feature.categories:
        kind = Literal[feature.categories]
    else:
        kind = str
    return kind | None if feature.nullable else kind


def _describe(feature: Feature) -> str:
    if feature.kind == "category":
        return f"One of the {len(feature.categories)} categories seen in training."
    seen = f"Seen in training: {feature.minimum:g} to {feature.maximum:g}"
    return f"{seen}, whole numbers." if feature.integer else f"{seen}."


def _example_value(feature: Feature, value: Any) -> Any:
    # Categories are compared as text (see schema.conform); show them as the API expects them.
    return str(value) if feature.kind == "category" and value is not None else value


def record_model(schema: InputSchema) -> type[BaseModel]:
    """A pydantic model of one input record: one field per feature, named as in the data.

    Column names need not be Python identifiers: each field carries its column name as alias.
    Unknown keys are rejected, so a misspelt column is reported instead of ignored.
    """
    example = {
        feature.name: _example_value(feature, schema.example.get(feature.name))
        for feature in schema.features
    }
    fields: dict[str, Any] = {
        f"feature_{position}": (
            _feature_type(feature),
            Field(
                default=None if feature.nullable else ...,
                alias=feature.name,
                title=feature.name,
                description=_describe(feature)
                + (" Null or absent when unknown." if feature.nullable else " Required."),
            ),
        )
        for position, feature in enumerate(schema.features)
    }
    return create_model(
        "Record",
        __config__=ConfigDict(
            extra="forbid", json_schema_extra={"examples": [example]}, serialize_by_alias=True
        ),
        __doc__=f"One row of features; the model predicts '{schema.target}'.",
        **fields,
    )


def request_model(schema: InputSchema) -> type[BaseModel]:
    """The body of POST /predict: a non-empty list of records."""
    record = record_model(schema)
    example = record.model_json_schema()["examples"][0]
    return create_model(
        "PredictRequest",
        __config__=ConfigDict(json_schema_extra={"examples": [{"records": [example]}]}),
        __doc__="Records to predict, each a mapping of feature name to value.",
        records=(list[record], Field(min_length=1)),  # type: ignore[valid-type]
    )
