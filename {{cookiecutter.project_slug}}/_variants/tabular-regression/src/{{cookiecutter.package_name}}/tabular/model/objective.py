"""What "good" means for this regressor: target checks, scores, plot data, explained outputs.

Pure code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.dummy import DummyRegressor
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error
from sklearn.model_selection import KFold

from ...core.errors import DataValidationError, ExplanationError
from ...core.reports import Metric, Scoring
from .schema import to_numbers

# A continuous target cannot be stratified: split at random.
STRATIFY = False
SCORING = Scoring(
    headline="r2",
    metrics={
        "mae": Metric("MAE", greater_is_better=False),
        "rmse": Metric("RMSE", greater_is_better=False),
        "r2": Metric("R²"),
    },
)
# Estimator types a saved model may hold besides the shared ones (see predictor.py).
ESTIMATOR_TYPES = ["xgboost.sklearn.XGBRegressor"]
# scikit-learn scorer for each metric (negated errors: greater is better), for cross-validation.
CV_SCORERS = {"mae": "neg_mean_absolute_error", "rmse": "neg_root_mean_squared_error", "r2": "r2"}


def validate_target(target: pd.Series) -> pd.Series:
    """The target as floats; it must be numeric and not constant.

    Raises:
        DataValidationError: naming the target and the first non-numeric row.
    """
    values, position = to_numbers(target)
    if position is not None:
        raise DataValidationError(
            f"target '{target.name}' must be numeric for regression, but row {position} "
            f"holds {target.iloc[position]!r}"
        )
    if values.nunique() < 2:
        raise DataValidationError(f"target '{target.name}' is constant: nothing to predict")
    return values


def describe_target(target: pd.Series) -> dict[str, Any]:
    """What the model records about its target: its range in the training data."""
    values = validate_target(target)
    return {"target_range": [float(values.min()), float(values.max())]}


def targets(description: Mapping[str, Any]) -> list[str]:
    """The outputs an explanation may be asked for: none but the predicted value."""
    return []


def encode(target: pd.Series, description: Mapping[str, Any]) -> np.ndarray:
    """The target values a model is fitted and scored on."""
    return validate_target(target).to_numpy()


def outputs(model: Any, features: Any) -> np.ndarray:
    """What a fitted model is scored on: its predicted values."""
    return np.asarray(model.predict(features), dtype=np.float64)


def explained(
    predicted: np.ndarray, description: Mapping[str, Any], target: str | None = None
) -> np.ndarray:
    """The output each row's explanation is about: a regressor has one (code 0).

    Raises:
        ExplanationError: a `target` was given; there is nothing to choose from.
    """
    if target is not None:
        raise ExplanationError(
            f"target {target!r}: a regressor has a single output to explain; leave target out"
        )
    return np.zeros(len(predicted), dtype=np.int64)


# How an explanation reads a regressor (see contributions.py): one output, whose SHAP values add
# up to the predicted value (or, for an XGBoost objective with a link function, its margin).
SHAP_LABELS = {
    "value": "SHAP value: contribution to the predicted value",
    "margin": "SHAP value: contribution to the margin (raw score)",
}
# XGBoost objectives whose margin is the predicted value itself (no link function).
IDENTITY_OBJECTIVES = (
    "reg:squarederror",
    "reg:absoluteerror",
    "reg:pseudohubererror",
    "reg:quantileerror",
)


def explained_output(kind: str, estimator: Any) -> Literal["margin", "value"]:
    """What the contributions of a `kind` of regressor add up to."""
    if kind == "xgboost" and (estimator.objective or IDENTITY_OBJECTIVES[0]) not in (
        IDENTITY_OBJECTIVES
    ):
        return "margin"
    return "value"


def is_baseline(estimator: Any) -> bool:
    """Whether `estimator` is the dummy baseline, whose answers ignore the inputs."""
    return isinstance(estimator, DummyRegressor)


def baseline_outputs(estimator: Any, features: Any) -> np.ndarray:
    """The dummy baseline's output, as one column."""
    return np.asarray(estimator.predict(features), dtype=np.float64).reshape(-1, 1)


def per_output(contributions: np.ndarray) -> np.ndarray:
    """XGBoost's `pred_contribs` as (rows, 1 output, inputs + bias)."""
    return contributions.reshape(len(contributions), 1, -1)


def tree_outputs(value: np.ndarray) -> np.ndarray:
    """A fitted tree's node values as (nodes, 1 output): the value it answers."""
    return np.asarray(value[:, 0, :1])


def linear_outputs(coef: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A linear regressor's weights and intercept, as one row."""
    return np.atleast_2d(coef), np.atleast_1d(intercept)


def cv_splitter(folds: int, seed: int) -> KFold:
    """Shuffled cross-validation folds."""
    return KFold(n_splits=folds, shuffle=True, random_state=seed)


def score(
    actual: np.ndarray, predicted: np.ndarray, description: Mapping[str, Any]
) -> dict[str, float]:
    """Mean absolute error, root mean squared error and R²."""
    return {
        "mae": float(mean_absolute_error(actual, predicted)),
        "rmse": float(root_mean_squared_error(actual, predicted)),
        "r2": float(r2_score(actual, predicted)),
    }


def plot_data(
    actual: np.ndarray, predicted: np.ndarray, description: Mapping[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Rows for DVC plots: predicted against actual, and residuals against predicted."""
    pairs = [
        {"actual": round(float(a), 6), "predicted": round(float(p), 6)}
        for a, p in zip(actual, predicted, strict=True)
    ]
    residuals = [
        {"predicted": row["predicted"], "residual": round(row["actual"] - row["predicted"], 6)}
        for row in pairs
    ]
    return {"predicted_vs_actual": pairs, "residuals": residuals}


def predicts(description: Mapping[str, Any]) -> str:
    """What the model answers, for its card."""
    low, high = description["target_range"]
    return f"a number; the training data ranged from {low:g} to {high:g}"
