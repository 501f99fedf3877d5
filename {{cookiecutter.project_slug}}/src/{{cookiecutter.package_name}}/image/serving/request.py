"""The body of POST /predict: images as multipart uploads, or base64 in JSON.

`request_type(spec)` is what the API's `/predict` takes: `Annotated[ImageBody, Depends(reader),
openapi]`. The reader reads the body itself, because FastAPI declares one body type per route:
`multipart/form-data` with one or several `files`, or `application/json` as `ImageRequest`.
It decodes every image before the request joins a batch, so each refusal gets its own status:
413 too many images or too many pixels, 415 no image or an unsupported format, 422 a corrupt
image or bad JSON, each naming the image. FastAPI is imported only when the API builds it.
"""

from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from ...core.errors import DataValidationError
from ..model.images import FORMAT_LIST, MAX_PIXELS, ImageError, decode
from ..model.predictor import ImageSpec
from .records import image_bytes

FILES_FIELD = "files"
TOO_MANY = "too many images: {count} in one request; the limit is {limit} (MAX_IMAGES_PER_REQUEST)"
NO_IMAGES = "no images: send one or more as multipart `files` or as JSON `records`"
WRONG_TYPE = (
    "unsupported content type {content_type!r}: send images as multipart/form-data (field "
    "`files`) or as application/json (`records` of base64 `data`)"
)


class ImageLimits(BaseSettings):
    """Per-request limits of the image API, from the environment.

    The body size limit is MAX_BODY_BYTES, shared by every API.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    max_images_per_request: int = Field(default=64, ge=1)
    # Decoded size limit of one image (Pillow's decompression-bomb guard).
    max_image_pixels: int = Field(default=MAX_PIXELS, ge=64)


class ImageInput(BaseModel):
    """One image, base64-encoded."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        default="image", max_length=255, description="A name to find the image's answer by."
    )
    data: str = Field(
        min_length=1,
        description=f"The image file ({FORMAT_LIST}), base64-encoded.",
        json_schema_extra={"contentEncoding": "base64"},
    )


class ImageRequest(BaseModel):
    """Images to classify, base64-encoded in JSON."""

    model_config = ConfigDict(extra="forbid")

    records: list[ImageInput] = Field(min_length=1)


class ImageBody(BaseModel):
    """A request's images, named and decoded to the model's pixels (what `records` hands on)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    names: list[str]
    pixels: list[np.ndarray]


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its `$defs` references replaced by the definitions themselves."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def openapi(spec: ImageSpec) -> dict[str, Any]:
    """The operation's OpenAPI: both request forms, and the 415 answer the reader adds."""
    json_schema = _inline(ImageRequest.model_json_schema())
    content: dict[str, Any] = {"application/json": {"schema": json_schema}}
    if spec.examples:
        first = spec.examples[0]
        content["application/json"]["example"] = {
            "records": [{"name": first.name, "data": first.data}]
        }
    content["multipart/form-data"] = {
        "schema": {
            "type": "object",
            "required": [FILES_FIELD],
            "properties": {
                FILES_FIELD: {
                    "type": "array",
                    "items": {"type": "string", "format": "binary"},
                    "description": f"One or more image files ({FORMAT_LIST}).",
                }
            },
        }
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
    return {
        "requestBody": {"required": True, "content": content},
        "responses": {
            "415": {
                "description": "Not an image, an unsupported format or content type",
                "content": error,
            },
        },
    }


def request_type(spec: ImageSpec) -> Any:
    """`Annotated[ImageBody, Depends(reader), openapi]` for the API's /predict."""
    from fastapi import Depends, Request
    from fastapi.exceptions import RequestValidationError
    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import UploadFile
    from starlette.exceptions import HTTPException

    limits = ImageLimits()

    def check_count(count: int) -> None:
        if count > limits.max_images_per_request:
            limit = limits.max_images_per_request
            raise HTTPException(413, TOO_MANY.format(count=count, limit=limit))
        if count == 0:
            raise HTTPException(422, NO_IMAGES)

    async def uploads(request: Request) -> list[tuple[str, bytes]]:
        form = await request.form(max_files=limits.max_images_per_request + 1)
        files = [item for item in form.getlist(FILES_FIELD) if isinstance(item, UploadFile)]
        check_count(len(files))
        return [
            (upload.filename or f"{FILES_FIELD}[{position}]", await upload.read())
            for position, upload in enumerate(files)
        ]

    async def json_images(request: Request) -> list[tuple[str, bytes]]:
        body = await request.body()
        try:
            parsed = ImageRequest.model_validate_json(body)
        except ValidationError as error:
            problems = error.errors(include_url=False)
            raise RequestValidationError(
                [{**problem, "loc": ("body", *problem["loc"])} for problem in problems]
            ) from None
        check_count(len(parsed.records))
        images = []
        for position, record in enumerate(parsed.records):
            try:
                images.append((record.name, image_bytes({"data": record.data}, position)))
            except DataValidationError as error:
                raise HTTPException(422, str(error)) from None
        return images

    def decode_all(images: list[tuple[str, bytes]]) -> list[np.ndarray]:
        return [decode(data, name, spec.shape, limits.max_image_pixels) for name, data in images]

    async def read_images(request: Request) -> ImageBody:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            images = await uploads(request)
        elif content_type.startswith("application/json"):
            images = await json_images(request)
        else:
            raise HTTPException(415, WRONG_TYPE.format(content_type=content_type))
        try:
            pixels = await run_in_threadpool(decode_all, images)
        except ImageError as error:
            raise HTTPException(error.status, str(error)) from None
        return ImageBody(names=[name for name, _ in images], pixels=pixels)

    return Annotated[ImageBody, Depends(read_images), openapi(spec)]
