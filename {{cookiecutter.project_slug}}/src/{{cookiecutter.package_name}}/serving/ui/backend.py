"""Where the app's predictions come from: the model loaded in-process, or the prediction API.

Both backends take records or a table and answer with the family's own prediction type, so the
pages never need to know which one is in use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import pandas as pd

from ...task import Answer, Predictor, load_serving
from .settings import UISettings


class Backend(Protocol):
    """What the pages need from a source of predictions."""

    spec: Any
    metadata: dict[str, Any]

    @property
    def source(self) -> str:
        """Where the predictions come from, for the sidebar."""
        ...

    def predict(self, records: Sequence[Mapping[str, Any]]) -> Sequence[Answer]:
        """One prediction per record, in order."""
        ...

    def explain(self, records: Sequence[Mapping[str, Any]]) -> Sequence[Answer]:
        """One prediction per record, in order, each with its explanation."""
        ...

    def predict_frame(self, frame: pd.DataFrame, explain: bool = False) -> pd.DataFrame:
        """`frame` with the prediction columns of `Predictor.predict_frame` added."""
        ...


class LocalBackend:
    """Predicts in this process with the trained model (the default, and what a Space runs)."""

    def __init__(self, predictor: Predictor) -> None:
        self.predictor = predictor
        self.spec = predictor.spec
        self.metadata = predictor.metadata

    @property
    def source(self) -> str:
        """Where the predictions come from, for the sidebar."""
        return "the model, loaded in this app"

    def predict(self, records: Sequence[Mapping[str, Any]]) -> Sequence[Answer]:
        """One prediction per record, in order."""
        return self.predictor.predict(records)

    def explain(self, records: Sequence[Mapping[str, Any]]) -> Sequence[Answer]:
        """One prediction per record, in order, each with its explanation."""
        return self.predictor.explain(records)

    def predict_frame(self, frame: pd.DataFrame, explain: bool = False) -> pd.DataFrame:
        """`frame` with the prediction columns added (and the explanation's, with `explain`)."""
        return self.predictor.predict_frame(frame, explain=explain)


def load_settings() -> UISettings:
    """The app's settings, with those of its API mode where the project has the API."""
    try:
        from .remote import RemoteSettings
    except ImportError:  # generated without the prediction API: no API mode
        return UISettings()
    return RemoteSettings()


def connect(settings: UISettings) -> Backend:
    """The prediction API when the settings name one (API_URL), else the local model.

    Raises:
        ProjectError: the model directory is missing, incomplete or unreadable.
    """
    if getattr(settings, "api_url", None):  # the API mode's settings (remote.RemoteSettings)
        from .remote import RemoteBackend

        # Without the API, remote.py is absent and mypy sees Any: the ignore is unused there.
        return RemoteBackend.from_settings(settings)  # type: ignore[arg-type,unused-ignore]
    return LocalBackend(load_serving().load(settings.model_dir))
