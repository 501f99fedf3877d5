"""Hyper-parameters of the models this project can train, as typed sections of params.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Every params section is immutable and rejects unknown keys, so a typo fails loudly.
SECTION = ConfigDict(frozen=True, extra="forbid")

ModelName = Literal["baseline", "ridge", "random_forest", "xgboost"]


class BaselineParams(BaseModel):
    """The dummy model every metric is compared to."""

    model_config = SECTION
    strategy: Literal["mean", "median"] = "mean"


class RidgeParams(BaseModel):
    """Linear regression with an L2 penalty on scaled, one-hot encoded features."""

    model_config = SECTION
    alpha: float = Field(1.0, ge=0)


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


class ModelParams(BaseModel):
    """One section per model; `train.model` picks which one is trained."""

    model_config = SECTION
    baseline: BaselineParams = BaselineParams()
    ridge: RidgeParams = RidgeParams()
    random_forest: RandomForestParams = RandomForestParams()
    xgboost: XGBoostParams = XGBoostParams()
