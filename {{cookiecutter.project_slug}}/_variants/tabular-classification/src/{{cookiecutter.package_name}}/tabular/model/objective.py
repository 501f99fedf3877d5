"""What "good" means for this classifier: target checks, scores, plot data, explained outputs.

Pure code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedKFold

from ...core.errors import DataValidationError, ExplanationError
from ...core.reports import Metric, Scoring

# Split and cross-validate with the class balance of the whole data set.
STRATIFY = True
SCORING = Scoring(
    headline="accuracy",
    metrics={
        "accuracy": Metric("Accuracy"),
        "f1_macro": Metric("Macro-F1"),
        "roc_auc": Metric("ROC-AUC (one-vs-rest)"),
    },
)
# Estimator types a saved model may hold besides the shared ones (see predictor.py).
ESTIMATOR_TYPES = ["xgboost.sklearn.XGBClassifier"]
# scikit-learn scorer for each metric, for cross-validation.
CV_SCORERS = {"accuracy": "accuracy", "f1_macro": "f1_macro", "roc_auc": "roc_auc_ovr"}


def validate_target(target: pd.Series) -> pd.Series:
    """Labels as strings; at least two classes, each with enough rows to split.

    Raises:
        DataValidationError: naming the target and the offending class.
    """
    labels = target.map(str).astype(object)
    counts = labels.value_counts()
    if len(counts) < 2:
        only = counts.index[0] if len(counts) else "none"
        raise DataValidationError(
            f"target '{target.name}' has a single class ({only!r}): a classifier needs two or more"
        )
    rare = counts[counts < 2]
    if len(rare):
        raise DataValidationError(
            f"target '{target.name}' class {rare.index[0]!r} has only {int(rare.iloc[0])} row: "
            "each class needs at least 2 rows for a stratified split"
        )
    return labels


def describe_target(target: pd.Series) -> dict[str, Any]:
    """What the model records about its target: the class labels, sorted (position = code)."""
    return {"classes": sorted(target.map(str).unique())}


def classes(description: Mapping[str, Any]) -> list[str]:
    """The class labels recorded by `describe_target`."""
    return [str(label) for label in description["classes"]]


def targets(description: Mapping[str, Any]) -> list[str]:
    """The outputs an explanation may be asked for: the classes."""
    return classes(description) if "classes" in description else []


def encode(target: pd.Series, description: Mapping[str, Any]) -> np.ndarray:
    """Class labels to the integer codes the models are trained and scored on."""
    index = {label: code for code, label in enumerate(classes(description))}
    unknown = sorted(set(target.map(str)) - set(index))
    if unknown:
        raise DataValidationError(f"target has labels unseen in training: {unknown}")
    return target.map(str).map(index).to_numpy(dtype=np.int64)


def outputs(model: Any, features: Any) -> np.ndarray:
    """What a fitted model is scored on: its class probabilities."""
    return np.asarray(model.predict_proba(features), dtype=np.float64)


def explained(
    probabilities: np.ndarray, description: Mapping[str, Any], target: str | None = None
) -> np.ndarray:
    """The class code whose score each row's explanation is about: its predicted class, or `target`.

    Raises:
        ExplanationError: `target` is not one of the model's classes.
    """
    if target is None:
        return probabilities.argmax(axis=1)
    labels = classes(description)
    if target not in labels:
        raise ExplanationError(
            f"target {target!r} is not a class of this model; its classes are: {', '.join(labels)}"
        )
    return np.full(len(probabilities), labels.index(target), dtype=np.int64)


# How an explanation reads a classifier (see contributions.py): one output per class, whose
# SHAP values add up to its margin (a class's log-odds with two classes, its softmax score with
# more) or, for forests and the dummy, its probability.
SHAP_LABELS = {
    "margin": "SHAP value: contribution to the predicted class's margin (raw score)",
    "probability": "SHAP value: contribution to the predicted class's probability",
}


def explained_output(kind: str, estimator: Any) -> Literal["margin", "probability"]:
    """What the contributions of a `kind` of classifier add up to for a class."""
    return "probability" if kind in {"forest", "constant"} else "margin"


def is_baseline(estimator: Any) -> bool:
    """Whether `estimator` is the dummy baseline, whose answers ignore the inputs."""
    return isinstance(estimator, DummyClassifier)


def baseline_outputs(estimator: Any, features: Any) -> np.ndarray:
    """The dummy baseline's outputs, one column per class: its class probabilities."""
    return np.asarray(estimator.predict_proba(features), dtype=np.float64)


def per_output(contributions: np.ndarray) -> np.ndarray:
    """XGBoost's `pred_contribs` as (rows, classes, inputs + bias).

    With two classes XGBoost has one margin, class 1's log-odds; class 0's is its opposite.
    """
    if contributions.ndim == 3:
        return contributions
    return np.stack([-contributions, contributions], axis=1)


def tree_outputs(value: np.ndarray) -> np.ndarray:
    """A fitted tree's node values as (nodes, classes): the probabilities it answers."""
    counts = value[:, 0, :]
    total = counts.sum(axis=1, keepdims=True)
    return np.asarray(counts / np.where(total == 0, 1.0, total))


def linear_outputs(coef: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A linear classifier's weights and intercepts, one row per class's margin.

    With two classes there is one row, class 1's log-odds; class 0's is its opposite.
    """
    weights, intercepts = np.atleast_2d(coef), np.atleast_1d(intercept)
    if weights.shape[0] == 1:
        return np.vstack([-weights, weights]), np.concatenate([-intercepts, intercepts])
    return weights, intercepts


def cv_splitter(folds: int, seed: int) -> StratifiedKFold:
    """Cross-validation folds that keep the class balance."""
    return StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)


def score(
    codes: np.ndarray, probabilities: np.ndarray, description: Mapping[str, Any]
) -> dict[str, float]:
    """Accuracy, macro-F1 and one-vs-rest ROC-AUC of predicted class probabilities."""
    predicted = probabilities.argmax(axis=1)
    labels = np.arange(len(classes(description)))
    if len(labels) == 2:
        auc = roc_auc_score(codes, probabilities[:, 1])
    else:
        auc = roc_auc_score(codes, probabilities, multi_class="ovr", labels=labels)
    return {
        "accuracy": float(accuracy_score(codes, predicted)),
        "f1_macro": float(f1_score(codes, predicted, average="macro", labels=labels)),
        "roc_auc": float(auc),
    }


def plot_data(
    codes: np.ndarray, probabilities: np.ndarray, description: Mapping[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Rows for DVC plots: one per test example (confusion) and per ROC curve point."""
    labels = classes(description)
    predicted = probabilities.argmax(axis=1)
    confusion = [
        {"actual": labels[actual], "predicted": labels[guess]}
        for actual, guess in zip(codes, predicted, strict=True)
    ]
    roc = []
    for code, label in enumerate(labels):
        fpr, tpr, _ = roc_curve(codes == code, probabilities[:, code])
        roc += [
            {"class": label, "fpr": round(float(x), 6), "tpr": round(float(y), 6)}
            for x, y in zip(fpr, tpr, strict=True)
        ]
    return {"confusion_matrix": confusion, "roc": roc}


def confusion_table(codes: np.ndarray, probabilities: np.ndarray, count: int) -> np.ndarray:
    """Counts of (actual, predicted) pairs over `count` classes, rows actual."""
    return confusion_matrix(codes, probabilities.argmax(axis=1), labels=np.arange(count))


def predicts(description: Mapping[str, Any]) -> str:
    """What the model answers, for its card."""
    return f"one of {', '.join(classes(description))}"
