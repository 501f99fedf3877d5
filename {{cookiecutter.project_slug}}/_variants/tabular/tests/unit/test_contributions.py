"""Explanations are exact: the SHAP values of each kind of model, per input column.

Each task's test_additivity.py checks that base value + contributions = the raw output.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, get_args

import numpy as np
import pandas as pd
import pytest
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.core.errors import ExplanationError
from {{ cookiecutter.package_name }}.tabular.model import objective
from {{ cookiecutter.package_name }}.tabular.model.contributions import Explainer, encoded_sources
from {{ cookiecutter.package_name }}.tabular.model.estimators import ModelName
from {{ cookiecutter.package_name }}.tabular.model.features import build_preprocessor
from {{ cookiecutter.package_name }}.tabular.model.models import build_model
from {{ cookiecutter.package_name }}.tabular.model.params import Params
from {{ cookiecutter.package_name }}.tabular.model.schema import InputSchema

from helpers import prepared_splits

LINEAR_MODELS = ("logistic_regression", "ridge")


@pytest.fixture(scope="module")
def prepared(pipeline_run) -> tuple[InputSchema, pd.DataFrame, np.ndarray, pd.DataFrame]:
    """The schema, the training inputs and target codes, and the test inputs."""
    return prepared_splits(pipeline_run.data_dir)


def with_estimator(
    schema: InputSchema, inputs: pd.DataFrame, fit: Callable[[np.ndarray], Any]
) -> tuple[Pipeline, np.ndarray]:
    """The model's preprocessing, fitted on `inputs`, then the estimator `fit` returns."""
    preprocess = build_preprocessor(schema).fit(inputs)
    encoded = np.asarray(preprocess.transform(inputs))
    return Pipeline([("preprocess", preprocess), ("model", fit(encoded))]), encoded


def path_dependent_shapley(tree: Any, output: int, x: np.ndarray) -> tuple[float, np.ndarray]:
    """One tree's base value and Shapley values for `x`, by brute force over input subsets.

    A subset's value is TreeSHAP's path-dependent expectation of the tree's output `output`: at
    a split on a known input, follow x; otherwise average both branches, weighted by their
    training rows.
    """
    nodes, count = tree.tree_, x.shape[0]
    leaves = objective.tree_outputs(nodes.value)[:, output]

    def expectation(node: int, known: int) -> float:
        left, right = nodes.children_left[node], nodes.children_right[node]
        if left == -1:
            return float(leaves[node])
        feature = nodes.feature[node]
        if known >> feature & 1:
            goes_left = np.float32(x[feature]) <= nodes.threshold[node]
            return expectation(left if goes_left else right, known)
        rows = nodes.weighted_n_node_samples
        mixed = rows[left] * expectation(left, known) + rows[right] * expectation(right, known)
        return float(mixed / rows[node])

    value = [expectation(0, subset) for subset in range(2**count)]
    shapley = np.zeros(count)
    for subset in range(2**count - 1):  # every subset that leaves a feature out
        size = subset.bit_count()
        weight = math.factorial(size) * math.factorial(count - size - 1) / math.factorial(count)
        for feature in range(count):
            if not subset >> feature & 1:
                shapley[feature] += weight * (value[subset | 1 << feature] - value[subset])
    return value[0], shapley


def test_forest_contributions_are_the_exact_shapley_values_of_its_trees(
    params: Params, prepared
) -> None:
    schema, train, target, _ = prepared
    model = build_model("random_forest", params, schema)
    model.set_params(model__n_estimators=2, model__max_depth=4).fit(train, target)
    trees = model[-1].estimators_
    encoded = np.asarray(model[:-1].transform(train))
    sources = encoded_sources(model[:-1][-1], schema.names)
    explainer = Explainer(model, schema.names)

    for output in range(objective.tree_outputs(trees[0].tree_.value).shape[1]):
        for row in encoded[:2]:
            base, values = 0.0, np.zeros(len(row))
            for tree in trees:
                tree_base, tree_values = path_dependent_shapley(tree, output, row)
                base += tree_base / len(trees)
                values += tree_values / len(trees)
            contributions = explainer(row[None, :], np.array([output]))
            by_column = np.bincount(sources, weights=values, minlength=len(schema.names))
            np.testing.assert_allclose(contributions.base, [base], rtol=1e-6)
            np.testing.assert_allclose(contributions.values[0], by_column, rtol=1e-5, atol=1e-6)


def test_one_hot_columns_are_summed_back_to_their_column(prepared) -> None:
    schema, train, _, _ = prepared
    sources = encoded_sources(build_preprocessor(schema).fit(train), schema.names)
    for position, feature in enumerate(schema.features):
        width = 1 if feature.kind == "number" else len(feature.categories)
        assert np.count_nonzero(sources == position) == width, feature.name


def test_a_model_without_an_exact_explainer_is_named(prepared) -> None:
    schema, train, _, _ = prepared
    model, _ = with_estimator(schema, train, lambda x: KNeighborsRegressor().fit(x, x[:, 0]))
    with pytest.raises(ExplanationError, match="no exact explainer fits a KNeighborsRegressor"):
        Explainer(model, schema.names)


def test_a_linear_model_without_its_training_means_says_to_retrain(
    params: Params, prepared
) -> None:
    schema, train, target, _ = prepared
    linear = next(name for name in get_args(ModelName) if name in LINEAR_MODELS)
    model = build_model(linear, params, schema).fit(train, target)
    with pytest.raises(ExplanationError, match=r"no input_means .* run the train stage again"):
        Explainer(model, schema.names, input_means=None)
