"""Predictions from the project's prediction API (POST /predict), for when API_URL is set.

The form and the Model tab still read the input schema and metadata saved with the model in
MODEL_DIR: the API validates each record against the same schema, so both sides agree on
what a valid record is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import httpx
import pandas as pd
from pydantic import BaseModel, ValidationError

from ..artifacts import METADATA_FILE, SCHEMA_FILE, ModelNotFoundError
from ..errors import ProjectError
from ..predictor import Prediction
from ..schema import InputSchema, conform
from .outputs import prediction_columns

TIMED_OUT = "the prediction API at {url} did not answer within {timeout:g} s"
UNREACHABLE = "could not reach the prediction API at {url}: {reason}"
REFUSED = "the prediction API at {url} answered {status}: {detail}"
MALFORMED = "the prediction API at {url} sent an unexpected answer: {reason}"


class ApiError(ProjectError, RuntimeError):
    """The API could not be reached, timed out, refused the request or answered nonsense."""


class PredictResponse(BaseModel):
    """The body of a successful POST /predict."""

    predictions: list[Prediction]
    model_version: str


def _detail(response: httpx.Response) -> str:
    """The API's error message (and the fields it names), or the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if not isinstance(body, dict):
        return json.dumps(body)[:200]
    detail = str(body.get("detail", ""))
    fields = [
        f"{error.get('field')}: {error.get('message')}"
        for error in body.get("errors") or []
        if isinstance(error, dict)
    ]
    # Add the field errors the summary does not already spell out.
    extra = [field for field in fields[:5] if field not in detail]
    return "; ".join([detail, *extra]) if detail else "; ".join(extra) or json.dumps(body)[:200]


def _json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: missing values become null, numpy scalars plain Python."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    return cast("list[dict[str, Any]]", rows)


class RemoteBackend:
    """Sends records to POST /predict with a timeout and turns every failure into an ApiError."""

    def __init__(
        self,
        url: str,
        schema: InputSchema,
        metadata: dict[str, Any],
        timeout_s: float = 10.0,
        batch_size: int = 500,
    ) -> None:
        self.url = url.rstrip("/")
        self.schema = schema
        self.metadata = metadata
        self.timeout_s = timeout_s
        self.batch_size = batch_size
        # The model version of the last answer (the API may serve a newer model than MODEL_DIR).
        self.model_version: str | None = None
        self._client = httpx.Client(base_url=self.url, timeout=timeout_s)

    @classmethod
    def for_model_dir(
        cls, url: str, model_dir: Path, timeout_s: float = 10.0, batch_size: int = 500
    ) -> RemoteBackend:
        """A backend for the API at `url`, describing its inputs with the schema in `model_dir`.

        Raises:
            ModelNotFoundError: the schema or metadata file is missing from `model_dir`.
        """
        missing = [
            name for name in (SCHEMA_FILE, METADATA_FILE) if not (model_dir / name).is_file()
        ]
        if missing:
            raise ModelNotFoundError(
                f"'{model_dir}' lacks {', '.join(missing)}: the app reads the model's input "
                "schema there even when it predicts through the API"
            )
        schema = InputSchema.model_validate_json((model_dir / SCHEMA_FILE).read_text("utf-8"))
        metadata = json.loads((model_dir / METADATA_FILE).read_text("utf-8"))
        return cls(url, schema, metadata, timeout_s, batch_size)

    @property
    def source(self) -> str:
        """Where the predictions come from, for the sidebar."""
        return f"the prediction API at {self.url}"

    def _post(self, records: list[dict[str, Any]]) -> PredictResponse:
        try:
            response = self._client.post("/predict", json={"records": records})
        except httpx.TimeoutException:
            raise ApiError(TIMED_OUT.format(url=self.url, timeout=self.timeout_s)) from None
        except httpx.HTTPError as error:
            reason = str(error) or type(error).__name__
            raise ApiError(UNREACHABLE.format(url=self.url, reason=reason)) from None
        if response.status_code != httpx.codes.OK:
            status = f"{response.status_code} {response.reason_phrase}".strip()
            raise ApiError(REFUSED.format(url=self.url, status=status, detail=_detail(response)))
        try:
            answer = PredictResponse.model_validate_json(response.content)
        except ValidationError as error:
            reason = error.errors()[0]["msg"] if error.errors() else str(error)
            raise ApiError(MALFORMED.format(url=self.url, reason=reason)) from None
        if len(answer.predictions) != len(records):
            reason = f"{len(answer.predictions)} predictions for {len(records)} records"
            raise ApiError(MALFORMED.format(url=self.url, reason=reason))
        self.model_version = answer.model_version
        return answer

    def _predict_table(self, frame: pd.DataFrame) -> list[Prediction]:
        # Checked here first so a bad table gets the same message as in-process predictions.
        features = _json_records(conform(frame, self.schema))
        predictions: list[Prediction] = []
        for start in range(0, len(features), self.batch_size):
            predictions += self._post(features[start : start + self.batch_size]).predictions
        return predictions

    def predict(self, records: Sequence[Mapping[str, Any]]) -> list[Prediction]:
        """One prediction per record, in order, in requests of at most `batch_size` records.

        Raises:
            DataValidationError: a record lacks a column or holds text in a numeric one.
            ApiError: the API failed; the message says how.
        """
        if not records:
            return []
        return self._predict_table(pd.DataFrame.from_records(list(records)))

    def predict_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` with the same prediction columns as `Predictor.predict_frame`."""
        predictions = self._predict_table(frame)
        result = frame.copy()
        for name, values in prediction_columns(predictions).items():
            result[name] = values
        return result
