"""The classifiers this project can train, each a scikit-learn Pipeline with preprocessing."""

from __future__ import annotations

from typing import Any

from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from xgboost import XGBClassifier

from .config import Params
from .features import build_preprocessor
from .model_params import ModelName
from .schema import InputSchema

# The only types a saved model may contain; loading refuses anything else (see artifacts.py).
TRUSTED_TYPES = [
    "numpy.dtype",
    "sklearn.compose._column_transformer._RemainderColsList",
    "sklearn.tree._tree.Tree",
    "xgboost.core.Booster",
    "xgboost.sklearn.XGBClassifier",
]


def build_estimator(name: ModelName, params: Params) -> Any:
    """The bare estimator called `name`, configured from params.yaml."""
    seed, n_jobs = params.train.seed, params.train.n_jobs
    zoo = params.models
    if name == "baseline":
        return DummyClassifier(strategy=zoo.baseline.strategy, random_state=seed)
    if name == "logistic_regression":
        return LogisticRegression(**zoo.logistic_regression.model_dump(), random_state=seed)
    if name == "random_forest":
        return RandomForestClassifier(
            **zoo.random_forest.model_dump(), random_state=seed, n_jobs=n_jobs
        )
    return XGBClassifier(
        **zoo.xgboost.model_dump(), tree_method="hist", random_state=seed, n_jobs=n_jobs
    )


def build_model(name: ModelName, params: Params, schema: InputSchema) -> Pipeline:
    """Preprocessing followed by the estimator; trained on integer-coded classes."""
    return Pipeline(
        [("preprocess", build_preprocessor(schema)), ("model", build_estimator(name, params))]
    )
