"""Base value + contributions = the classifier's raw output, for every model and every class."""

from __future__ import annotations

from typing import Any, get_args

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.tabular.model.contributions import Explainer
from {{ cookiecutter.package_name }}.tabular.model.estimators import ModelName
from {{ cookiecutter.package_name }}.tabular.model.models import build_model
from {{ cookiecutter.package_name }}.tabular.model.params import Params

from helpers import prepared_splits

# |base value + contributions - raw output| <= TOLERANCE * max(1, |raw output|). XGBoost (and the
# forests it explains) works in 32-bit floats; the linear models are exact to rounding.
TOLERANCE = 1e-6
OUTPUTS = {
    "baseline": "probability",
    "logistic_regression": "margin",
    "random_forest": "probability",
    "xgboost": "margin",
}


def raw_output(estimator: Any, encoded: np.ndarray, code: int, output: str) -> np.ndarray:
    """Class `code`'s output, computed with the estimator's own public methods."""
    if output == "probability":
        return np.asarray(estimator.predict_proba(encoded))[:, code]
    if hasattr(estimator, "decision_function"):
        margin = np.asarray(estimator.decision_function(encoded))
    else:
        margin = np.asarray(estimator.predict(encoded, output_margin=True))
    if margin.ndim == 1:  # two classes: one margin, class 1's log-odds
        return margin if code == 1 else -margin
    return margin[:, code]


@pytest.mark.parametrize("name", get_args(ModelName))
def test_base_value_plus_contributions_is_each_class_output(
    name: ModelName, params: Params, pipeline_run
) -> None:
    schema, train, target, test = prepared_splits(pipeline_run.data_dir)
    model = build_model(name, params, schema).fit(train, target)
    means = np.asarray(model[:-1].transform(train)).mean(axis=0)
    explainer = Explainer(model, schema.names, means.tolist())
    encoded = np.asarray(model[:-1].transform(test))
    assert explainer.output == OUTPUTS[name]
    for code in range(len(model[-1].classes_)):
        contributions = explainer(encoded, np.full(len(encoded), code))
        raw = raw_output(model[-1], encoded, code, explainer.output)
        error = np.abs(contributions.total() - raw)
        assert contributions.values.shape == (len(encoded), len(schema.names))
        assert np.all(error <= TOLERANCE * np.maximum(1.0, np.abs(raw))), (
            f"{name}, class {code}: largest error {error.max():.3g}"
        )
        if name == "baseline":
            assert not contributions.values.any()
        else:
            assert contributions.values.any()
