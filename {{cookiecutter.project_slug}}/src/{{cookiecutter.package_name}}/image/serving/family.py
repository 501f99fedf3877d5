"""The image family as serving sees it: `SERVING` implements `task.ServingFamily`.

It imports nothing of training: no data loading, trainer, MLflow, matplotlib or captum (the
app's saliency overlay imports captum when it draws one).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from ...core import modeldir
from ...core.reports import Scoring
from ...task import Answer, ServingFamily
from ..model.images import FORMAT_LIST
from ..model.predictor import ImageSpec, read_spec
from ..model.scoring import SCORING
from . import outputs
from .predictor import ImagePredictor
from .records import DATA_COLUMN, NAME_COLUMN, PATH_COLUMN, frame_records


class ImageServing:
    """Images in, classes out; uploads, a drawing canvas and examples in the app."""

    @property
    def scoring(self) -> Scoring:
        """Accuracy and macro-F1."""
        return SCORING

    @property
    def prediction(self) -> type[Answer]:
        """One answer of POST /predict."""
        return outputs.Prediction

    @property
    def explanation(self) -> type[BaseModel]:
        """Image predictions carry none (see `outputs.NOT_EXPLAINED`)."""
        return outputs.NoExplanation

    def targets(self, model_dir: Path) -> tuple[str, ...]:
        """None: image predictions are not explained one by one."""
        return ()

    def load(self, model_dir: Path) -> ImagePredictor:
        """The checked model directory, ready to predict."""
        return ImagePredictor(modeldir.load(model_dir))

    def read_spec(self, model_dir: Path) -> ImageSpec:
        """The input description saved with the model."""
        return read_spec(model_dir, f"{modeldir.RETRAIN} again")

    def request_model(self, spec: ImageSpec) -> Any:
        """Multipart uploads or base64 JSON, read and decoded by the API (see `request.py`)."""
        from .request import request_type

        return request_type(spec)

    def records(self, body: BaseModel) -> list[dict[str, Any]]:
        """The decoded images of a request, by name."""
        names: list[str] = getattr(body, "names")  # noqa: B009 - an ImageBody (request.py)
        pixels: list[Any] = getattr(body, "pixels")  # noqa: B009
        return [{"name": name, "pixels": array} for name, array in zip(names, pixels, strict=True)]

    def request_size(self, body: BaseModel) -> int:
        """The number of images in the request."""
        return len(getattr(body, "names"))  # noqa: B009 - an ImageBody (request.py)

    def to_records(self, frame: pd.DataFrame, spec: ImageSpec) -> list[dict[str, Any]]:
        """A table of image paths or base64 images as records."""
        return frame_records(frame)

    def prediction_columns(self, predictions: Sequence[Answer]) -> dict[str, list[Any]]:
        """The label, its probability and the top classes."""
        return outputs.prediction_columns(predictions)  # type: ignore[arg-type]

    def input_form(self, spec: ImageSpec) -> list[dict[str, Any]] | None:
        """Uploads, a drawing canvas (for digits) and example images."""
        from .form import image_form

        return image_form(spec)

    def upload_help(self, spec: ImageSpec) -> str:
        """What a CSV of images must hold."""
        return (
            f"Upload a CSV file with one row per image: a column `{PATH_COLUMN}` of image files "
            f"on this machine, or `{DATA_COLUMN}` with each image base64-encoded ({FORMAT_LIST}); "
            f"optionally `{NAME_COLUMN}`. To classify images from your computer, upload them on "
            "the Predict tab."
        )

    def example_csv(self, spec: ImageSpec) -> str:
        """The model's example images (from the test split), base64 in a CSV."""
        rows = [{NAME_COLUMN: e.name, DATA_COLUMN: e.data} for e in spec.examples]
        return pd.DataFrame(rows, columns=[NAME_COLUMN, DATA_COLUMN]).to_csv(index=False)

    def show_explanation(self, explanation: BaseModel, spec: ImageSpec) -> None:
        """Never called: image predictions carry no explanation."""
        import streamlit as st

        st.caption(outputs.NOT_EXPLAINED)

    def show(self, prediction: Answer, spec: ImageSpec) -> None:
        """The top classes as bars, and what the prediction rests on."""
        from .form import show_prediction

        show_prediction(prediction, spec)  # type: ignore[arg-type]


SERVING: ServingFamily = ImageServing()
