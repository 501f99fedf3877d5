"""What "good" means for the image classifier: its metrics and their plot data. Pure code."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from ...core.reports import Metric, Scoring

SCORING = Scoring(
    headline="accuracy",
    metrics={"accuracy": Metric("Accuracy"), "f1_macro": Metric("Macro-F1")},
)


def score(labels: np.ndarray, predicted: np.ndarray, classes: int) -> dict[str, float]:
    """Accuracy and macro-F1 (every class counts the same, whatever its size)."""
    return {
        "accuracy": float(accuracy_score(labels, predicted)),
        "f1_macro": float(
            f1_score(labels, predicted, average="macro", labels=range(classes), zero_division=0)
        ),
    }


def per_class(
    labels: np.ndarray, predicted: np.ndarray, classes: list[str]
) -> list[dict[str, Any]]:
    """Precision, recall, F1 and support of each class."""
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=range(len(classes)), zero_division=0
    )
    return [
        {"class": name, "precision": round(float(p), 6), "recall": round(float(r), 6),
         "f1": round(float(f), 6), "support": int(s)}
        for name, p, r, f, s in zip(classes, precision, recall, f1, support, strict=True)
    ]  # fmt: skip


def confusion(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """Counts of (actual, predicted) class pairs."""
    return confusion_matrix(labels, predicted, labels=range(classes))
