"""The FastAPI app: health, readiness, model metadata, batched predictions and explanations.

`create_app()` builds the request type from the input description saved with the model (the
task family's `request_model`); the model itself is loaded once, in the lifespan. A missing or
broken model does not stop the process: /ready answers 503 with the reason, so an orchestrator
(or a person) can read what is wrong.
"""

# No `from __future__ import annotations` here: FastAPI reads the type of /predict's body from
# the annotation at runtime, and that type is built per model inside `create_app`.

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from fastapi import FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from ... import PROJECT, TASK
from ...core.errors import ProjectError, problem_message
from ...core.reports import read_metrics
from ...task import Answer, Predictor, ServingFamily, load_serving
from .batching import Batcher
from .limits import BodySizeLimit
from .schemas import ErrorResponse, Health, Metadata, Ready, explain_response, predict_response
from .settings import ServeSettings

log = logging.getLogger(__name__)

# Every user-facing message of the API, in one place.
NOT_LOADED = "the model is not loaded: {reason}"
SCHEMA_CHANGED = (
    "the model in '{model_dir}' has a different input schema than when the API started; "
    "restart the API to serve it"
)
NO_SCHEMA_AT_START = (
    "the model in '{model_dir}' could not be read when the API started ({reason}), so "
    "requests cannot be validated; restart the API once the model is trained"
)
LOAD_FAILED = (
    "the model in '{model_dir}' could not be loaded ({error}); the server log has the details"
)
TOO_MANY_RECORDS = (
    "too many records: {count} in one request; the limit is {limit} (MAX_RECORDS_PER_REQUEST)"
)
INVALID_REQUEST = "invalid request: {problems}"
TARGET_HELP = (
    "The output to explain: a class label for a classifier (see /metadata's outputs). "
    "Default: each record's own prediction."
)
INTERNAL_ERROR = "internal server error; the server log has the details"

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in (
        (400, "The body could not be read (not UTF-8 JSON)"),
        (413, "Too many records, or a body over the size limit"),
        (422, "A record does not match the model's input schema"),
        (503, "The model is not loaded (the message says why)"),
    )
}


@dataclass(frozen=True)
class Service:
    """What the lifespan loaded: the predictor, its batcher and its description."""

    predictor: Predictor
    batcher: Batcher[Answer]
    metadata: Metadata


@dataclass(frozen=True)
class Explain:
    """Explanations of one target, as a batcher call: equal targets share a model call."""

    predictor: Predictor
    target: str | None

    def __call__(self, records: list[Mapping[str, Any]]) -> Sequence[Answer]:
        """The records' predictions, each with its explanation."""
        return self.predictor.explain_checked(records, self.target)


def read_test_metrics(path: Path) -> dict[str, float] | None:
    """The model's test-set metrics from the evaluation's metrics.json, when present."""
    try:
        return dict(read_metrics(path)["model"])
    except ProjectError:
        return None


def describe(predictor: Predictor, metrics_path: Path) -> Metadata:
    """The /metadata answer for the loaded model."""
    metadata = predictor.metadata
    return Metadata(
        model=str(metadata["model"]),
        version=predictor.version,
        trained_at=str(metadata["trained_at"]),
        task=TASK,
        target=str(metadata["target"]),
        data_hash=str(metadata["data_hash"]),
        outputs=dict(metadata.get("outputs") or {}),
        metrics={"cv": metadata.get("cv"), "test": read_test_metrics(metrics_path)},
    )


def read_spec(serving: ServingFamily, model_dir: Path) -> tuple[Any, str | None]:
    """The input description saved with the model, or None and the reason it cannot be read."""
    try:
        return serving.read_spec(model_dir), None
    except ProjectError as error:
        return None, str(error)


def read_targets(serving: ServingFamily, model_dir: Path) -> tuple[str, ...]:
    """The explainable outputs of the model in `model_dir`; none while it cannot be read."""
    try:
        return serving.targets(model_dir)
    except ProjectError:
        return ()


def not_ready_reason(error: Exception, model_dir: Path) -> str:
    """What /ready says: a user-fixable error's own message, else its type (details in the log)."""
    if isinstance(error, ProjectError):
        return str(error)
    log.error("loading the model in '%s' failed", model_dir, exc_info=error)
    return LOAD_FAILED.format(model_dir=model_dir, error=type(error).__name__)


def request_openapi(body_type: Any) -> dict[str, Any] | None:
    """The OpenAPI of a request type that reads its own body (e.g. file uploads).

    A family's `request_model` may return `Annotated[Body, Depends(reader), {...}]`: FastAPI
    calls the reader for the body, and the dict documents the request in the operation.
    """
    if get_origin(body_type) is not Annotated:
        return None
    documents = [item for item in get_args(body_type)[1:] if isinstance(item, dict)]
    return documents[0] if documents else None


def field_path(location: tuple[Any, ...]) -> str:
    """('body', 'records', 0, 'island') → 'records[0].island'."""
    path = ""
    for part in location[1:] if location and location[0] == "body" else location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "body"


def _error(status: int, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse(ErrorResponse(detail=detail, **extra).model_dump(), status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = []
        for problem in error.errors():
            location = tuple(problem.get("loc", ()))
            message = problem_message(
                str(problem.get("msg", "invalid value")), problem.get("input")
            )
            if problem.get("type") == "json_invalid":
                # The location of a JSON syntax error is a character offset, not a field.
                reason = problem.get("ctx", {}).get("error", "not valid JSON")
                message += f": {reason} at character {location[-1]}"
                location = ("body",)
            errors.append({"field": field_path(location), "message": message})
        shown = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        if len(errors) > 5:
            shown += f"; and {len(errors) - 5} more"
        return _error(422, INVALID_REQUEST.format(problems=shown), errors=errors)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        response = _error(error.status_code, str(error.detail))
        response.headers.update(error.headers or {})
        return response

    @app.exception_handler(ProjectError)
    async def project_error(_: Request, error: ProjectError) -> JSONResponse:
        return _error(422, str(error))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=error)
        return _error(500, INTERNAL_ERROR)


def create_app(settings: ServeSettings | None = None) -> FastAPI:
    """Build the API for the model in `settings.model_dir` (default: from the environment)."""
    settings = settings or ServeSettings()
    serving = load_serving()
    spec, unreadable = read_spec(serving, settings.model_dir)
    # Without a spec there is nothing to validate against; /predict then answers 503.
    body_type: Any = serving.request_model(spec) if spec is not None else dict[str, Any]
    response_type = predict_response(serving.prediction)
    # The query parameter `target` of /explain names one of the model's outputs (an enum in the
    # OpenAPI document), or none where it has just one.
    targets = read_targets(serving, settings.model_dir)
    target_type: Any = Literal[targets] if targets else Literal[""]
    # Documents POST /explain; its answers are serialised as `response_type` (the same JSON).
    explained_type = explain_response(serving.prediction, serving.explanation)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = None
        app.state.not_ready = "the model is loading"
        try:
            predictor = await asyncio.to_thread(serving.load, settings.model_dir)
            if spec is None:
                raise ProjectError(
                    NO_SCHEMA_AT_START.format(model_dir=settings.model_dir, reason=unreadable)
                )
            if predictor.spec != spec:
                raise ProjectError(SCHEMA_CHANGED.format(model_dir=settings.model_dir))
            metadata = describe(predictor, settings.metrics_path)
        except Exception as error:
            # Keep serving /health and /ready so the reason can be read.
            app.state.not_ready = not_ready_reason(error, settings.model_dir)
            log.error(NOT_LOADED.format(reason=app.state.not_ready))
            yield
            return
        # Everything loaded so far lives as long as the process: move it out of the garbage
        # collector's sight, or every full collection scans it (about 0.2 s, a latency spike).
        gc.collect()
        gc.freeze()
        async with Batcher(
            predictor.predict_checked, settings.batch_max_size, settings.batch_max_wait_ms
        ) as batcher:
            app.state.service = Service(predictor, batcher, metadata)
            log.info("serving %s model version %s", metadata.model, metadata.version)
            yield
            stats = batcher.stats
            log.info(
                "answered %d prediction requests with %d model calls", stats.requests, stats.calls
            )

    try:
        app_version = version(PROJECT)
    except PackageNotFoundError:
        app_version = "0.0.0"
    app = FastAPI(
        title=PROJECT,
        version=app_version,
        description="Predictions of the trained model, validated against its input schema.",
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    _install_error_handlers(app)

    def service(request: Request) -> Service:
        current: Service | None = request.app.state.service
        if current is None:
            raise HTTPException(503, NOT_LOADED.format(reason=request.app.state.not_ready))
        return current

    @app.get("/health", response_model=Health, tags=["probes"])
    async def health() -> Health:
        """Liveness: 200 whenever the process answers."""
        return Health()

    @app.get("/ready", response_model=Ready, tags=["probes"], responses={503: ERROR_RESPONSES[503]})
    async def ready(request: Request) -> Ready:
        """Readiness: 200 once the model is loaded; 503 with the reason otherwise."""
        return Ready(model_version=service(request).predictor.version)

    @app.get(
        "/metadata", response_model=Metadata, tags=["model"], responses={503: ERROR_RESPONSES[503]}
    )
    async def metadata(request: Request) -> Metadata:
        """The served model: name, version, training time, metrics and training-data hash."""
        return service(request).metadata

    async def respond(
        body: BaseModel, request: Request, explain: bool, target: str | None = None
    ) -> Response:
        """The predictions of the body's records (with explanations of `target`'s output)."""
        current = service(request)
        count = serving.request_size(body)
        if count > settings.max_records_per_request:
            raise HTTPException(
                413, TOO_MANY_RECORDS.format(count=count, limit=settings.max_records_per_request)
            )
        # One dump of the whole body (by column name) is much cheaper than one per record.
        rows = serving.records(body)
        call = Explain(current.predictor, target) if explain else None
        predictions = await current.batcher.submit(rows, call)
        answer = response_type(predictions=predictions, model_version=current.predictor.version)
        # Serialised once, by pydantic-core: `response_model` above documents the same type.
        return Response(answer.model_dump_json(), media_type="application/json")

    @app.post(
        "/predict",
        response_model=response_type,
        tags=["model"],
        responses=ERROR_RESPONSES,
        openapi_extra=request_openapi(body_type),
    )
    async def predict(body: body_type, request: Request) -> Response:
        """Predict a batch of records; each gets its prediction and warnings, in order.

        `warnings` names each input outside what the model saw in training (a number outside
        its training range): the record is still predicted, and the caller decides.
        """
        return await respond(body, request, explain=False)

    @app.post(
        "/explain",
        response_model=explained_type,
        tags=["model"],
        responses=ERROR_RESPONSES,
        openapi_extra=request_openapi(body_type),
    )
    async def explain(
        body: body_type,
        request: Request,
        target: Annotated[target_type | None, Query(description=TARGET_HELP)] = None,
    ) -> Response:
        """Predict a batch of records, as POST /predict, each with its explanation.

        The explanation gives each input column's contribution (its SHAP value, in the
        request's column names) to the model's output: base value + contributions = the
        output it names. An unknown `target` is a 422 naming the valid ones.
        """
        return await respond(body, request, explain=True, target=target or None)

    return app
