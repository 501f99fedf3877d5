"""Cross-validation, fitting and evaluation of a tabular model (scikit-learn API throughout)."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.inspection import permutation_importance
from sklearn.metrics import get_scorer
from sklearn.model_selection import cross_validate, learning_curve

from ...task import Report
from . import objective
from .models import build_model
from .params import Params
from .schema import InputSchema

# What the logged MLflow model needs to load: exact versions of this environment.
MODEL_REQUIREMENTS = ("numpy", "pandas", "scikit-learn", "skops", ("xgboost-cpu", "xgboost"))


def _sign(scorer: str) -> float:
    """Scores of error metrics are negated by scikit-learn; report them positive."""
    return -1.0 if scorer.startswith("neg_") else 1.0


def cross_validation(
    model: Any, features: pd.DataFrame, target: np.ndarray, params: Params
) -> dict[str, float]:
    """Mean and standard deviation of each metric over the folds (errors reported positive)."""
    scores = cross_validate(
        model,
        features,
        target,
        cv=objective.cv_splitter(params.train.cv_folds, params.train.seed),
        scoring=objective.CV_SCORERS,
        n_jobs=1,
        error_score="raise",
    )
    summary: dict[str, float] = {}
    for name, scorer in objective.CV_SCORERS.items():
        values = scores[f"test_{name}"] * _sign(scorer)
        summary[f"{name}_mean"] = float(np.mean(values))
        summary[f"{name}_std"] = float(np.std(values))
    return summary


def trial(
    params: Params,
    report: Report,
    features: pd.DataFrame,
    target: np.ndarray,
    schema: InputSchema,
) -> dict[str, float]:
    """Cross-validate `params.train.model` fold by fold, reporting the running mean.

    The folds are `cross_validation`'s (same splitter, same seed), so a trial's score is the
    CV score `train` would record for the same params. Returns the headline metric's mean
    (keyed by its name) and standard deviation over the folds.
    """
    headline = objective.SCORING.headline
    scorer_name = objective.CV_SCORERS[headline]
    scorer, sign = get_scorer(scorer_name), _sign(scorer_name)
    model = build_model(params.train.model, params, schema)
    folds = objective.cv_splitter(params.train.cv_folds, params.train.seed)
    values: list[float] = []
    for step, (fit_rows, score_rows) in enumerate(folds.split(features, target)):
        fitted = clone(model).fit(features.iloc[fit_rows], target[fit_rows])
        values.append(sign * float(scorer(fitted, features.iloc[score_rows], target[score_rows])))
        report(step, float(np.mean(values)))
    return {headline: float(np.mean(values)), f"{headline}_std": float(np.std(values))}


def importance(
    model: Any, features: pd.DataFrame, target: np.ndarray, params: Params
) -> dict[str, list[Any]]:
    """Permutation importance of each input column for the headline metric."""
    result = permutation_importance(
        model,
        features,
        target,
        scoring=objective.CV_SCORERS[objective.SCORING.headline],
        n_repeats=params.evaluate.permutation_repeats,
        random_state=params.train.seed,
        n_jobs=1,
    )
    return {
        "names": list(features.columns),
        "means": [float(v) for v in result.importances_mean],
        "stds": [float(v) for v in result.importances_std],
    }


def learning_curve_of(
    model: Any, features: pd.DataFrame, target: np.ndarray, params: Params
) -> dict[str, list[Any]]:
    """Training and cross-validation scores as the training set grows.

    The curve refits a clone of the trained `model`: the same estimator and hyper-parameters
    the model was trained with, whatever params.yaml says now.
    """
    scorer = objective.CV_SCORERS[objective.SCORING.headline]
    sizes, train_scores, test_scores = learning_curve(
        clone(model),
        features,
        target,
        train_sizes=np.linspace(0.2, 1.0, params.evaluate.learning_curve_points),
        cv=objective.cv_splitter(params.train.cv_folds, params.train.seed),
        scoring=scorer,
        n_jobs=1,
    )
    sign = _sign(scorer)
    return {
        "sizes": [int(size) for size in sizes],
        "train": [float(v) for v in sign * train_scores.mean(axis=1)],
        "validation": [float(v) for v in sign * test_scores.mean(axis=1)],
    }


def pinned_requirements() -> list[str]:
    """`name==version` for each package the model needs, as installed here."""
    pins = []
    for requirement in MODEL_REQUIREMENTS:
        for name in (requirement,) if isinstance(requirement, str) else requirement:
            try:
                pins.append(f"{name}=={version(name)}")
                break
            except PackageNotFoundError:
                continue
    return pins


def plot_rows(
    importances: Mapping[str, list[Any]], curve: Mapping[str, list[Any]]
) -> dict[str, list[dict[str, Any]]]:
    """DVC plot rows of the permutation importance and the learning curve."""
    return {
        "feature_importance": [
            {"feature": name, "importance": round(mean, 6)}
            for name, mean in zip(importances["names"], importances["means"], strict=True)
        ],
        "learning_curve": [
            {"train_rows": size, "train": round(a, 6), "validation": round(b, 6)}
            for size, a, b in zip(curve["sizes"], curve["train"], curve["validation"], strict=True)
        ],
    }
