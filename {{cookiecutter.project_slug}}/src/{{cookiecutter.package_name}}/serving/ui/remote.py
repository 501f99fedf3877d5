"""Predictions from the project's prediction API (POST /predict, /explain), when API_URL is set.

The form and the Model tab still read the input schema and metadata saved with the model in
MODEL_DIR: the API validates each record against the same schema, so both sides agree on
what a valid record is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
from pydantic import BaseModel, Field, ValidationError, create_model

from ...core.errors import ProjectError
from ...core.modeldir import read_metadata
from ...task import Answer, ServingFamily, load_serving
from .settings import UISettings

TIMED_OUT = "the prediction API at {url} did not answer within {timeout:g} s"
UNREACHABLE = "could not reach the prediction API at {url}: {reason}"
REFUSED = "the prediction API at {url} answered {status}: {detail}"
MALFORMED = "the prediction API at {url} sent an unexpected answer: {reason}"


class ApiError(ProjectError, RuntimeError):
    """The API could not be reached, timed out, refused the request or answered nonsense."""


class RemoteSettings(UISettings):
    """The app's API mode: API_URL (e.g. http://127.0.0.1:8000) predicts through a running API.

    Leave it unset to load the model in the app.
    """

    api_url: str | None = None
    api_timeout_s: float = Field(default=10.0, gt=0)
    # Records per request when a CSV is predicted through the API (its limit is 1000).
    api_batch_size: int = Field(default=500, ge=1)


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


class RemoteBackend:
    """Sends records to POST /predict (or /explain) with a timeout; every failure is an ApiError."""

    def __init__(
        self,
        url: str,
        spec: Any,
        metadata: dict[str, Any],
        timeout_s: float = 10.0,
        batch_size: int = 500,
    ) -> None:
        self.url = url.rstrip("/")
        self.spec = spec
        self.metadata = metadata
        self.serving: ServingFamily = load_serving()
        self.answer_type: type[BaseModel] = create_model(
            "PredictResponse",
            predictions=(list[self.serving.prediction], ...),  # type: ignore[name-defined]
            model_version=(str, ...),
        )
        self.timeout_s = timeout_s
        self.batch_size = batch_size
        # The model version of the last answer (the API may serve a newer model than MODEL_DIR).
        self.model_version: str | None = None
        self._client = httpx.Client(base_url=self.url, timeout=timeout_s)

    @classmethod
    def for_model_dir(
        cls, url: str, model_dir: Path, timeout_s: float = 10.0, batch_size: int = 500
    ) -> RemoteBackend:
        """A backend for the API at `url`, describing its inputs with what `model_dir` saved.

        The app reads the model's input description there even when it predicts through the
        API, without loading the model itself.

        Raises:
            ProjectError: the metadata or the input description is missing or unreadable.
        """
        spec = load_serving().read_spec(model_dir)
        return cls(url, spec, read_metadata(model_dir), timeout_s, batch_size)

    @classmethod
    def from_settings(cls, settings: RemoteSettings) -> RemoteBackend:
        """A backend for the API at API_URL (see `for_model_dir`)."""
        if not settings.api_url:
            raise ApiError("API_URL is not set: the app has no prediction API to call")
        return cls.for_model_dir(
            settings.api_url, settings.model_dir, settings.api_timeout_s, settings.api_batch_size
        )

    @property
    def source(self) -> str:
        """Where the predictions come from, for the sidebar."""
        return f"the prediction API at {self.url}"

    def _post(self, records: list[dict[str, Any]], path: str) -> Any:
        try:
            response = self._client.post(path, json={"records": records})
        except httpx.TimeoutException:
            raise ApiError(TIMED_OUT.format(url=self.url, timeout=self.timeout_s)) from None
        except httpx.HTTPError as error:
            reason = str(error) or type(error).__name__
            raise ApiError(UNREACHABLE.format(url=self.url, reason=reason)) from None
        if response.status_code != httpx.codes.OK:
            status = f"{response.status_code} {response.reason_phrase}".strip()
            raise ApiError(REFUSED.format(url=self.url, status=status, detail=_detail(response)))
        try:
            answer: Any = self.answer_type.model_validate_json(response.content)
        except ValidationError as error:
            reason = error.errors()[0]["msg"] if error.errors() else str(error)
            raise ApiError(MALFORMED.format(url=self.url, reason=reason)) from None
        if len(answer.predictions) != len(records):
            reason = f"{len(answer.predictions)} predictions for {len(records)} records"
            raise ApiError(MALFORMED.format(url=self.url, reason=reason))
        self.model_version = answer.model_version
        return answer

    def _predict_records(self, records: list[dict[str, Any]], explain: bool) -> list[Answer]:
        path = "/explain" if explain else "/predict"
        predictions: list[Answer] = []
        for start in range(0, len(records), self.batch_size):
            predictions += self._post(records[start : start + self.batch_size], path).predictions
        return predictions

    def predict(self, records: Sequence[Mapping[str, Any]]) -> list[Answer]:
        """One prediction per record, in order, in requests of at most `batch_size` records.

        The API validates each record and names the field it refuses.

        Raises:
            ApiError: the API failed or refused a record; the message says how.
        """
        if not records:
            return []
        return self._predict_records([dict(record) for record in records], explain=False)

    def explain(self, records: Sequence[Mapping[str, Any]]) -> list[Answer]:
        """`predict` through POST /explain: each prediction with its explanation.

        Raises:
            ApiError: the API failed or refused a record; the message says how.
        """
        if not records:
            return []
        return self._predict_records([dict(record) for record in records], explain=True)

    def predict_frame(self, frame: pd.DataFrame, explain: bool = False) -> pd.DataFrame:
        """`frame` with the same prediction columns as `Predictor.predict_frame`."""
        # Checked here first, so a bad table gets the same message as in-process predictions.
        records = self.serving.to_records(frame, self.spec)
        predictions = self._predict_records(records, explain)
        result = frame.copy()
        for name, values in self.serving.prediction_columns(predictions).items():
            result[name] = values
        return result
