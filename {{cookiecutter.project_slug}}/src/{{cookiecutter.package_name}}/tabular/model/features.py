"""Preprocessing, fitted inside the model pipeline so training and serving cannot drift."""

from __future__ import annotations

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .schema import InputSchema


def build_preprocessor(schema: InputSchema) -> ColumnTransformer:
    """Impute and scale numbers; impute and one-hot encode categories.

    Columns are selected by name, so a request's column order never matters, and categories
    unseen in training are encoded as all zeros instead of failing.
    """
    numeric = [feature.name for feature in schema.features if feature.kind == "number"]
    categorical = [feature.name for feature in schema.features if feature.kind == "category"]
    numeric_steps = Pipeline(
        [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
    )
    categorical_steps = Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("encode", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]
    )
    return ColumnTransformer(
        [("number", numeric_steps, numeric), ("category", categorical_steps, categorical)],
        verbose_feature_names_out=False,
    )
