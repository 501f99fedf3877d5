"""The image predictor: what the API, the app and `predict` load (see `family.SERVING`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..model.images import MAX_PIXELS
from ..model.predictor import ImageModel
from . import outputs
from .records import frame_records, record_pixels


class ImagePredictor(ImageModel):
    """A loaded model that answers image records with their predicted classes."""

    max_pixels: int = MAX_PIXELS

    @property
    def version(self) -> str:
        """The model version recorded at training time."""
        return str(self.metadata["version"])

    def predict_checked(self, records: Sequence[Mapping[str, Any]]) -> list[outputs.Prediction]:
        """Predict records; those the API decoded carry `pixels`, the others are decoded here."""
        names, images = record_pixels(records, self.spec.shape, self.max_pixels)
        return outputs.predictions(names, self.probabilities(images), self.classes)

    def predict(self, records: Sequence[Mapping[str, Any]]) -> list[outputs.Prediction]:
        """Decode each record's image (base64 text or bytes in `data`) and predict it.

        Raises:
            DataValidationError: a record holds no image, or one that cannot be used (named).
        """
        return self.predict_checked(records)

    def explain(
        self, records: Sequence[Mapping[str, Any]], target: str | None = None
    ) -> list[outputs.Prediction]:
        """Not served for images: the error says where the saliency maps are."""
        raise outputs.not_explained()

    def explain_checked(
        self, records: Sequence[Mapping[str, Any]], target: str | None = None
    ) -> list[outputs.Prediction]:
        """Not served for images (see `explain`)."""
        raise outputs.not_explained()

    def predict_frame(
        self, frame: pd.DataFrame, explain: bool = False, target: str | None = None
    ) -> pd.DataFrame:
        """`frame` (a `path` or `data` column) plus the prediction columns."""
        if explain:
            raise outputs.not_explained()
        answers = self.predict(frame_records(frame))
        result = frame.copy()
        for name, values in outputs.prediction_columns(answers).items():
            result[name] = values
        return result
