"""Where the app's predictions come from: the model loaded in-process, or the prediction API.

Both backends take records or a table and answer with the predictor's own `Prediction` type,
so the pages never need to know which one is in use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import pandas as pd

from ..predictor import Prediction, Predictor
from ..schema import InputSchema
from .settings import UISettings


class Backend(Protocol):
    """What the pages need from a source of predictions."""

    schema: InputSchema
    metadata: dict[str, Any]

    @property
    def source(self) -> str:
        """Where the predictions come from, for the sidebar."""
        ...

    def predict(self, records: Sequence[Mapping[str, Any]]) -> list[Prediction]:
        """One prediction per record, in order."""
        ...

    def predict_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` with the prediction columns of `Predictor.predict_frame` added."""
        ...


class LocalBackend:
    """Predicts in this process with the trained model (the default, and what a Space runs)."""

    def __init__(self, predictor: Predictor) -> None:
        self.predictor = predictor
        self.schema = predictor.schema
        self.metadata = predictor.metadata

    @property
    def source(self) -> str:
        """Where the predictions come from, for the sidebar."""
        return "the model, loaded in this app"

    def predict(self, records: Sequence[Mapping[str, Any]]) -> list[Prediction]:
        """One prediction per record, in order."""
        return self.predictor.predict(records)

    def predict_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` with the prediction columns added."""
        return self.predictor.predict_frame(frame)


def connect(settings: UISettings) -> Backend:
    """The backend the settings ask for{% if cookiecutter.include_api == "yes" %} (the API when API_URL is set){% endif %}.

    Raises:
        ModelNotFoundError: the model directory is missing or incomplete.
    """
{%- if cookiecutter.include_api == "yes" %}
    if settings.api_url:
        from .remote import RemoteBackend

        return RemoteBackend.for_model_dir(
            settings.api_url, settings.model_dir, settings.api_timeout_s, settings.api_batch_size
        )
{%- endif %}
    return LocalBackend(Predictor.load(settings.model_dir))
