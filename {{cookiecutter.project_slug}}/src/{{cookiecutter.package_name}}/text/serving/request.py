"""The body of POST /predict and /explain: `{"records": [{"text": ...}, ...]}`.

`request_type(spec)` is what the API's routes take: `Annotated[TextBody, Depends(reader),
openapi]`. The reader validates the JSON itself so that each refusal gets its own status: a
missing, empty or whitespace-only text is a 422 naming it (`records[2].text`), a text over the
model's `max_chars` a 413 naming the text and the limit (and more records than
MAX_RECORDS_PER_REQUEST a 413 from the API). FastAPI is imported only when the API builds it.
"""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ..model.predictor import TextSpec
from .records import BLANK, SPACE, TOO_LONG, is_blank

WRONG_TYPE = "unsupported content type {content_type!r}: send application/json"


def _not_blank(text: str) -> str:
    if is_blank(text):
        raise ValueError(BLANK)
    return text


class TextInput(BaseModel):
    """One text to classify."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, AfterValidator(_not_blank)] = Field(
        min_length=1, description="The text (not empty or only whitespace)."
    )


class TextRequest(BaseModel):
    """Texts to classify."""

    model_config = ConfigDict(extra="forbid")

    records: list[TextInput] = Field(min_length=1)


class TextBody(BaseModel):
    """A request's checked texts (what `records` hands on)."""

    texts: list[str]


def openapi(spec: TextSpec) -> dict[str, Any]:
    """The operation's OpenAPI: the JSON body with a real test-split text as its example."""
    schema = TextRequest.model_json_schema()
    definitions = schema.pop("$defs", {})
    item = dict(definitions["TextInput"])
    # The length limit is documented, not a schema constraint: a text over it is a 413 (too
    # large), which a schema's maxLength would make a 422 for clients and fuzzers alike.
    item["properties"]["text"]["description"] = (
        f"The text (not empty or only whitespace), at most {spec.max_chars} characters: a "
        "longer one is refused with 413."
    )
    item["properties"]["text"]["pattern"] = f"[^{SPACE}]"
    schema["properties"]["records"]["items"] = item
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if spec.examples:
        content["application/json"]["example"] = {
            "records": [{"text": example.text} for example in spec.examples[:2]]
        }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
    return {
        "requestBody": {"required": True, "content": content},
        "responses": {"415": {"description": "Not a JSON body", "content": error}},
    }


def request_type(spec: TextSpec) -> Any:
    """`Annotated[TextBody, Depends(reader), openapi]` for the API's /predict and /explain."""
    from fastapi import Depends, Request
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    async def read_texts(request: Request) -> TextBody:
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("application/json"):
            raise HTTPException(415, WRONG_TYPE.format(content_type=content_type))
        body = await request.body()
        try:
            parsed = TextRequest.model_validate_json(body)
        except ValidationError as error:
            problems = error.errors(include_url=False)
            raise RequestValidationError(
                [{**problem, "loc": ("body", *problem["loc"])} for problem in problems]
            ) from None
        for position, record in enumerate(parsed.records):
            if len(record.text) > spec.max_chars:
                detail = TOO_LONG.format(length=len(record.text), limit=spec.max_chars)
                raise HTTPException(413, f"records[{position}].text: {detail}")
        return TextBody(texts=[record.text for record in parsed.records])

    return Annotated[TextBody, Depends(read_texts), openapi(spec)]
