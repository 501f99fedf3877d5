"""What "good" means for the text classifier: its metrics and their plot data. Pure code."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

from ...core.reports import Metric, Scoring

SCORING = Scoring(
    headline="accuracy",
    metrics={
        "accuracy": Metric("Accuracy"),
        "f1_macro": Metric("Macro-F1"),
        "roc_auc": Metric("ROC-AUC"),
    },
)


def roc_auc(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """ROC-AUC: of the second class for two classes, else macro one-vs-rest.

    0.5 where it is undefined (a test split with one class, a constant model).
    """
    classes = probabilities.shape[1]
    if len(np.unique(labels)) < 2:
        return 0.5
    if classes == 2:
        return float(roc_auc_score(labels, probabilities[:, 1]))
    present = np.unique(labels)
    if len(present) < classes:
        return 0.5
    return float(roc_auc_score(labels, probabilities, multi_class="ovr", average="macro"))


def score(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, float]:
    """Accuracy, macro-F1 (every class counts the same, whatever its size) and ROC-AUC."""
    classes = probabilities.shape[1]
    predicted = probabilities.argmax(axis=1)
    return {
        "accuracy": float(accuracy_score(labels, predicted)),
        "f1_macro": float(
            f1_score(labels, predicted, average="macro", labels=range(classes), zero_division=0)
        ),
        "roc_auc": roc_auc(labels, probabilities),
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


def confidently_wrong(
    texts: list[str], labels: np.ndarray, probabilities: np.ndarray, classes: list[str],
    count: int,
) -> list[dict[str, Any]]:  # fmt: skip
    """The misclassified texts the model was surest of, surest first."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    order = wrong[np.argsort(-probabilities[wrong, predicted[wrong]], kind="stable")][:count]
    return [
        {"text": texts[i], "actual": classes[labels[i]], "predicted": classes[predicted[i]],
         "probability": round(float(probabilities[i, predicted[i]]), 6)}
        for i in order
    ]  # fmt: skip
