"""The record type, built from the model's saved input schema: one validation for every input.

The API's request body, the app's form and uploads, and the `predict` command all check records
with it. Validation follows the training data: numbers must be numbers, categories must be ones
the model saw, and only columns that had missing values in training accept null (or may be left
out). Columns of the data file that are not features (the target, dropped columns) are accepted
and ignored; any other key is refused, so a misspelt column is named instead of ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from ...core.errors import DataValidationError, problem_message
from ..model.schema import Feature, InputSchema

# Finite JSON numbers only; a string or a boolean is a type error, never silently converted.
# Bounded far beyond any measurement, so that every accepted value survives the models' float32
# arithmetic (XGBoost's predictions and explanations).
Number = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e30, le=1e30)]


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
    fields |= {
        f"ignored_{position}": (
            Any,
            Field(
                default=None,
                alias=name,
                title=name,
                exclude=True,
                description="Not a model input (the target or a dropped column): ignored.",
            ),
        )
        for position, name in enumerate(schema.ignored)
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


class RecordValidator:
    """Checks plain records (from a form, a table or code) exactly as the API checks a request."""

    def __init__(self, schema: InputSchema) -> None:
        record: Any = record_model(schema)
        self.adapter: TypeAdapter[list[BaseModel]] = TypeAdapter(list[record])

    def __call__(self, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The records' feature values, by column name.

        Raises:
            DataValidationError: naming the row and column of the first problems.
        """
        try:
            valid = self.adapter.validate_python(list(records))
        except ValidationError as error:
            problems = [
                f"row {problem['loc'][0]}, column '{problem['loc'][1]}': "
                + problem_message(problem["msg"], problem.get("input"))
                if len(problem["loc"]) >= 2
                else f"row {problem['loc'][0] if problem['loc'] else '?'}: {problem['msg']}"
                for problem in error.errors()
            ]
            more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
            raise DataValidationError("; ".join(problems[:3]) + more) from None
        return [record.model_dump(by_alias=True) for record in valid]
