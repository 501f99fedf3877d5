"""Exact SHAP values of a fitted tabular model, summed back to the input columns.

A record's contributions say how far each input column moved the model's raw output away from
the base value, the model's average output over its training data, so that base value +
contributions = the raw output. The raw output is what the model computes before any link
function; the task's `objective` module says what it is for each kind of model (a margin, a
probability or a value) and how a model's outputs are laid out. The method is exact for each
kind:

- XGBoost: TreeSHAP by XGBoost itself (`pred_contribs`), which works in 32-bit floats.
- scikit-learn forests: the trees are handed to the same TreeSHAP unchanged (splits, leaves and
  the training rows behind each node), so the values are those of SHAP's TreeExplainer
  (path-dependent), without the shap package.
- Linear models: closed form, coefficient * (input - its training mean): SHAP's linear
  explainer for independent inputs.
- The dummy baseline: its output ignores the inputs, so every contribution is zero.

The model sees one-hot columns; their contributions are summed back to the column they encode,
so each contribution carries the name of one of the user's own columns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import xgboost
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from ...core.errors import ExplanationError
from . import objective

# What base value + contributions add up to (see `objective.explained_output`).
Output = Literal["margin", "probability", "value"]
# Encoded inputs and, for each row, the output to explain → (base values, encoded contributions).
Explain = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

RETRAIN = "run the train stage again"


@dataclass(frozen=True)
class Contributions:
    """SHAP values of a batch of records: base value + the row's values = its explained output."""

    base: np.ndarray
    values: np.ndarray
    output: Output
    method: str

    def total(self) -> np.ndarray:
        """Each row's base value plus its contributions: the model's raw output."""
        return np.asarray(self.base + self.values.sum(axis=1))


def encoded_sources(preprocessor: ColumnTransformer, names: Sequence[str]) -> np.ndarray:
    """For each column the preprocessing outputs, the position in `names` of the column it encodes.

    Raises:
        ExplanationError: a block of the preprocessing maps columns in a way this cannot follow.
    """
    position = {name: index for index, name in enumerate(names)}
    width = max((span.stop for span in preprocessor.output_indices_.values()), default=0)
    sources = np.full(width, -1)
    for block, transformer, columns in preprocessor.transformers_:
        span = preprocessor.output_indices_[block]
        if span.stop == span.start:  # a dropped remainder, or an empty block
            continue
        columns = list(columns)
        if span.stop - span.start == len(columns):
            sizes = [1] * len(columns)
        else:
            last = transformer[-1] if isinstance(transformer, Pipeline) else transformer
            sizes = [len(values) for values in getattr(last, "categories_", [])]
            if len(sizes) != len(columns) or sum(sizes) != span.stop - span.start:
                raise ExplanationError(
                    f"the preprocessing block '{block}' does not map its columns one to one or "
                    "by one-hot encoding, so its contributions cannot be given per column"
                )
        sources[span] = np.repeat([position[str(column)] for column in columns], sizes)
    if (sources < 0).any():
        raise ExplanationError("some encoded columns come from no input column")
    return sources


class Explainer:
    """Exact SHAP values of a fitted pipeline (preprocessing, then one estimator), per column."""

    def __init__(
        self, pipeline: Pipeline, names: Sequence[str], input_means: Sequence[float] | None = None
    ) -> None:
        """Pick the exact method for the pipeline's estimator.

        Args:
            pipeline: the fitted model: preprocessing steps, then the estimator.
            names: the input columns, in the schema's order.
            input_means: each encoded input's mean over the training split (linear models'
                reference; recorded in the model's metadata at training).

        Raises:
            ExplanationError: no exact method fits the estimator, or it lacks what it needs.
        """
        self.columns = list(names)
        sources = encoded_sources(pipeline[:-1][-1], self.columns)
        self.to_columns = np.zeros((len(sources), len(self.columns)))
        self.to_columns[np.arange(len(sources)), sources] = 1.0
        self._explain, self.output, self.method = _method(pipeline[-1], input_means)

    def __call__(self, encoded: np.ndarray, outputs: np.ndarray) -> Contributions:
        """Contributions to output `outputs[i]` of row `i` (see `objective.explained`)."""
        base, values = self._explain(np.asarray(encoded, dtype=np.float64), np.asarray(outputs))
        return Contributions(
            base=np.asarray(base, dtype=np.float64),
            values=np.asarray(values, dtype=np.float64) @ self.to_columns,
            output=self.output,
            method=self.method,
        )


def _method(estimator: Any, input_means: Sequence[float] | None) -> tuple[Explain, Output, str]:
    if objective.is_baseline(estimator):
        kind, explain = "constant", _constant(estimator)
        method = "none: the dummy baseline ignores its inputs, so every contribution is zero"
    elif isinstance(estimator, xgboost.XGBModel):
        kind, explain, method = "xgboost", _xgboost(estimator), "TreeSHAP (XGBoost's own, exact)"
    elif trees := _trees(estimator):
        kind, explain = "forest", _forest(estimator, trees)
        method = "TreeSHAP (path-dependent, exact)"
    elif hasattr(estimator, "coef_") and hasattr(estimator, "intercept_"):
        kind, explain = "linear", _linear(estimator, input_means)
        method = "linear SHAP: coefficient * (input - its training mean), exact"
    else:
        raise ExplanationError(
            f"no exact explainer fits a {type(estimator).__name__} model: explanations cover "
            "XGBoost, scikit-learn forests, linear models and the dummy baseline"
        )
    output: Output = objective.explained_output(kind, estimator)
    return explain, output, method


def _trees(estimator: Any) -> list[Any]:
    """The trees of a scikit-learn forest (a list of fitted trees); empty for anything else."""
    trees = getattr(estimator, "estimators_", None)
    if isinstance(trees, list) and trees and all(hasattr(tree, "tree_") for tree in trees):
        return trees
    return []


def _threads(estimator: Any) -> int:
    """The estimator's own thread count (`train.n_jobs`), or -1: every core.

    Both XGBoost's prediction and the loading of its input matrix take it: a matrix loaded
    with every core costs milliseconds of thread start-up, more than a small explanation.
    """
    n_jobs = getattr(estimator, "n_jobs", None)
    return n_jobs if isinstance(n_jobs, int) and n_jobs > 0 else -1


def _xgboost(estimator: Any) -> Explain:
    booster = estimator.get_booster()
    threads = _threads(estimator)
    booster.set_param({"nthread": max(threads, 0)})

    def explain(encoded: np.ndarray, outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        matrix = xgboost.DMatrix(encoded, feature_names=booster.feature_names, nthread=threads)
        shap = booster.predict(matrix, pred_contribs=True).astype(np.float64)
        shap = objective.per_output(shap)[np.arange(len(encoded)), outputs]
        return shap[:, -1], shap[:, :-1]

    return explain


def _constant(estimator: Any) -> Explain:
    def explain(encoded: np.ndarray, outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raw = objective.baseline_outputs(estimator, encoded)[np.arange(len(encoded)), outputs]
        return np.asarray(raw, dtype=np.float64), np.zeros_like(encoded)

    return explain


def _linear(estimator: Any, input_means: Sequence[float] | None) -> Explain:
    weights, intercepts = objective.linear_outputs(
        np.asarray(estimator.coef_, dtype=np.float64),
        np.asarray(estimator.intercept_, dtype=np.float64),
    )
    if input_means is None or len(input_means) != weights.shape[1]:
        raise ExplanationError(
            "the model's metadata.json has no input_means matching its inputs (the reference "
            f"of a linear model's explanation): {RETRAIN}"
        )
    means = np.asarray(input_means, dtype=np.float64)
    bases = weights @ means + intercepts

    def explain(encoded: np.ndarray, outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return bases[outputs], weights[outputs] * (encoded - means)

    return explain


def _forest(estimator: Any, trees: list[Any]) -> Explain:
    """TreeSHAP of a scikit-learn forest: one XGBoost booster per output, built once."""
    count = len(trees)
    # Each tree's node values, one column per output: the forest answers their mean.
    leaves = [objective.tree_outputs(tree.tree_.value) / count for tree in trees]
    outputs = leaves[0].shape[1]
    threads = _threads(estimator)
    structures = [_tree_structure(tree.tree_) for tree in trees]
    boosters = [
        _booster(
            [
                structure.with_leaves(values[:, output], identifier)
                for identifier, (structure, values) in enumerate(
                    zip(structures, leaves, strict=True)
                )
            ],
            int(estimator.n_features_in_),
            max(threads, 0),
        )
        for output in range(outputs)
    ]

    def explain(encoded: np.ndarray, outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        base = np.empty(len(encoded))
        values = np.empty_like(encoded)
        for output in np.unique(outputs):
            rows = np.flatnonzero(outputs == output)
            matrix = xgboost.DMatrix(encoded[rows], nthread=threads)
            shap = boosters[int(output)].predict(matrix, pred_contribs=True).astype(np.float64)
            base[rows], values[rows] = shap[:, -1], shap[:, :-1]
        return base, values

    return explain


@dataclass(frozen=True)
class _TreeStructure:
    """A scikit-learn tree in XGBoost's JSON layout, leaves aside."""

    fields: dict[str, Any]
    order: np.ndarray
    is_leaf: np.ndarray
    conditions: np.ndarray

    def with_leaves(self, values: np.ndarray, identifier: int) -> dict[str, Any]:
        """The tree as XGBoost's JSON, with these leaf values (per scikit-learn node)."""
        leaves = values[self.order]
        return {
            **self.fields,
            "id": identifier,
            "base_weights": np.where(self.is_leaf, leaves, 0.0).tolist(),
            "split_conditions": np.where(self.is_leaf, leaves, self.conditions).tolist(),
        }


def _tree_structure(tree: Any) -> _TreeStructure:
    """Splits and covers of a scikit-learn tree as XGBoost stores them.

    XGBoost expects two siblings next to each other, so the nodes are renumbered breadth first.
    Both libraries compare 32-bit floats, but scikit-learn sends x <= threshold left and XGBoost
    sends x < condition left: the condition is the next 32-bit float above the largest one that
    is not above the threshold.
    """
    left, right = tree.children_left, tree.children_right
    order = [0]
    position = 0
    while position < len(order):
        node = order[position]
        position += 1
        if left[node] != -1:
            order += [left[node], right[node]]
    nodes = np.asarray(order)
    renumbered = np.empty(len(nodes), dtype=np.int64)
    renumbered[nodes] = np.arange(len(nodes))
    is_leaf = left[nodes] == -1
    new_left = np.where(is_leaf, -1, renumbered[np.maximum(left[nodes], 0)])
    new_right = np.where(is_leaf, -1, renumbered[np.maximum(right[nodes], 0)])
    parents = np.full(len(nodes), 2147483647)  # XGBoost's "no parent", for the root
    inner = np.flatnonzero(~is_leaf)
    parents[new_left[inner]] = inner
    parents[new_right[inner]] = inner
    threshold = tree.threshold[nodes]
    below = threshold.astype(np.float32)
    below = np.where(
        below.astype(np.float64) > threshold, np.nextafter(below, np.float32(-np.inf)), below
    )
    conditions = np.nextafter(below, np.float32(np.inf)).astype(np.float64)
    count = str(len(nodes))
    fields = {
        "categories": [],
        "categories_nodes": [],
        "categories_segments": [],
        "categories_sizes": [],
        "default_left": [0] * len(nodes),
        "left_children": new_left.tolist(),
        "loss_changes": [0.0] * len(nodes),
        "parents": parents.tolist(),
        "right_children": new_right.tolist(),
        "split_indices": np.maximum(tree.feature[nodes], 0).tolist(),
        "split_type": [0] * len(nodes),
        "sum_hessian": tree.weighted_n_node_samples[nodes].tolist(),
        "tree_param": {
            "num_deleted": "0",
            "num_feature": str(tree.n_features),
            "num_nodes": count,
            "size_leaf_vector": "1",
        },
    }
    return _TreeStructure(fields, nodes, is_leaf, conditions)


def _booster(trees: list[dict[str, Any]], features: int, threads: int) -> xgboost.Booster:
    """An XGBoost booster that sums `trees` (no base score): one output, no link function."""
    version = [int(part) for part in re.findall(r"\d+", xgboost.__version__)[:3]]
    model = {
        "learner": {
            "attributes": {},
            "feature_names": [],
            "feature_types": [],
            "gradient_booster": {
                "model": {
                    "gbtree_model_param": {"num_parallel_tree": "1", "num_trees": str(len(trees))},
                    "iteration_indptr": list(range(len(trees) + 1)),
                    "tree_info": [0] * len(trees),
                    "trees": trees,
                },
                "name": "gbtree",
            },
            "learner_model_param": {
                "base_score": "0",
                "boost_from_average": "0",
                "num_class": "0",
                "num_feature": str(features),
                "num_target": "1",
            },
            "objective": {"name": "reg:squarederror", "reg_loss_param": {"scale_pos_weight": "1"}},
        },
        "version": version,
    }
    booster = xgboost.Booster()
    booster.load_model(bytearray(json.dumps(model).encode()))
    booster.set_param({"nthread": threads})
    return booster
