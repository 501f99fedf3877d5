"""The regressors this project can train: a dummy baseline, a linear model and two ensembles."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import Ridge
from xgboost import XGBRegressor

from ...core.params import SECTION
from .trees import RandomForestParams, XGBoostParams, tree_ensemble

ModelName = Literal["baseline", "ridge", "random_forest", "xgboost"]


class BaselineParams(BaseModel):
    """The dummy model every metric is compared to."""

    model_config = SECTION
    strategy: Literal["mean", "median"] = "mean"


class RidgeParams(BaseModel):
    """Linear regression with an L2 penalty on scaled, one-hot encoded features."""

    model_config = SECTION
    alpha: float = Field(1.0, ge=0)


class ModelParams(BaseModel):
    """One section per model; `train.model` picks which one is trained."""

    model_config = SECTION
    baseline: BaselineParams = BaselineParams()
    ridge: RidgeParams = RidgeParams()
    random_forest: RandomForestParams = RandomForestParams()
    xgboost: XGBoostParams = XGBoostParams()


def build_estimator(name: ModelName, models: ModelParams, seed: int, n_jobs: int) -> Any:
    """The bare regressor called `name`, configured from params.yaml."""
    if name == "baseline":
        return DummyRegressor(strategy=models.baseline.strategy)
    if name == "ridge":
        return Ridge(**models.ridge.model_dump())
    trees = models.random_forest if name == "random_forest" else models.xgboost
    return tree_ensemble(trees, RandomForestRegressor, XGBRegressor, seed, n_jobs)
