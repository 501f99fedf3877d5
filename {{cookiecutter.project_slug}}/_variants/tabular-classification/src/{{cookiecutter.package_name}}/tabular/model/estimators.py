"""The classifiers this project can train: a dummy baseline, a linear model and two ensembles."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from xgboost import XGBClassifier

from ...core.params import SECTION
from .trees import RandomForestParams, XGBoostParams, tree_ensemble

ModelName = Literal["baseline", "logistic_regression", "random_forest", "xgboost"]


class BaselineParams(BaseModel):
    """The dummy model every metric is compared to."""

    model_config = SECTION
    strategy: Literal["most_frequent", "prior", "stratified", "uniform"] = "most_frequent"


class LogisticRegressionParams(BaseModel):
    """Multinomial logistic regression on scaled, one-hot encoded features."""

    model_config = SECTION
    C: float = Field(1.0, gt=0)
    max_iter: int = Field(1000, ge=10)


class ModelParams(BaseModel):
    """One section per model; `train.model` picks which one is trained."""

    model_config = SECTION
    baseline: BaselineParams = BaselineParams()
    logistic_regression: LogisticRegressionParams = LogisticRegressionParams()
    random_forest: RandomForestParams = RandomForestParams()
    xgboost: XGBoostParams = XGBoostParams()


def build_estimator(name: ModelName, models: ModelParams, seed: int, n_jobs: int) -> Any:
    """The bare classifier called `name`, configured from params.yaml."""
    if name == "baseline":
        return DummyClassifier(strategy=models.baseline.strategy, random_state=seed)
    if name == "logistic_regression":
        return LogisticRegression(**models.logistic_regression.model_dump(), random_state=seed)
    trees = models.random_forest if name == "random_forest" else models.xgboost
    return tree_ensemble(trees, RandomForestClassifier, XGBClassifier, seed, n_jobs)
