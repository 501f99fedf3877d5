"""Hyper-parameters of the tree ensembles, shared by every tabular task."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ...core.params import SECTION


class RandomForestParams(BaseModel):
    """A random forest of fully grown (or depth-limited) trees."""

    model_config = SECTION
    n_estimators: int = Field(300, ge=1)
    max_depth: int | None = Field(None, ge=1)
    min_samples_leaf: int = Field(1, ge=1)


class XGBoostParams(BaseModel):
    """Gradient-boosted trees (XGBoost, histogram method)."""

    model_config = SECTION
    n_estimators: int = Field(300, ge=1)
    max_depth: int = Field(4, ge=1)
    learning_rate: float = Field(0.1, gt=0, le=1)
    subsample: float = Field(1.0, gt=0, le=1)
    colsample_bytree: float = Field(1.0, gt=0, le=1)


def tree_ensemble(
    params: RandomForestParams | XGBoostParams,
    forest: type[Any],
    boosting: type[Any],
    seed: int,
    n_jobs: int,
) -> Any:
    """The random forest or XGBoost estimator of the task's kind (`forest` or `boosting`)."""
    if isinstance(params, RandomForestParams):
        return forest(**params.model_dump(), random_state=seed, n_jobs=n_jobs)
    return boosting(**params.model_dump(), tree_method="hist", random_state=seed, n_jobs=n_jobs)
