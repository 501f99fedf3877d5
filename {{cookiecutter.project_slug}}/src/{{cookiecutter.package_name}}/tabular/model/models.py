"""Every tabular model is one scikit-learn Pipeline: the shared preprocessing, then an estimator."""

from __future__ import annotations

from sklearn.pipeline import Pipeline

from .estimators import ModelName, build_estimator
from .features import build_preprocessor
from .params import Params
from .schema import InputSchema


def build_model(name: ModelName, params: Params, schema: InputSchema) -> Pipeline:
    """Preprocessing followed by the estimator `name`, configured from `params`."""
    estimator = build_estimator(name, params.models, params.train.seed, params.train.n_jobs)
    return Pipeline([("preprocess", build_preprocessor(schema)), ("model", estimator)])
