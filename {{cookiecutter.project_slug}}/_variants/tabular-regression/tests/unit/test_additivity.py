"""Base value + contributions = the regressor's predicted value, for every model."""

from __future__ import annotations

from typing import get_args

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.tabular.model.contributions import Explainer
from {{ cookiecutter.package_name }}.tabular.model.estimators import ModelName
from {{ cookiecutter.package_name }}.tabular.model.models import build_model
from {{ cookiecutter.package_name }}.tabular.model.params import Params

from helpers import prepared_splits

# |base value + contributions - predicted value| <= TOLERANCE * max(1, |predicted value|):
# XGBoost (and the forests it explains) works in 32-bit floats, whose precision is relative.
TOLERANCE = 1e-6


@pytest.mark.parametrize("name", get_args(ModelName))
def test_base_value_plus_contributions_is_the_predicted_value(
    name: ModelName, params: Params, pipeline_run
) -> None:
    schema, train, target, test = prepared_splits(pipeline_run.data_dir)
    model = build_model(name, params, schema).fit(train, target)
    means = np.asarray(model[:-1].transform(train)).mean(axis=0)
    explainer = Explainer(model, schema.names, means.tolist())
    encoded = np.asarray(model[:-1].transform(test))
    assert explainer.output == "value"

    contributions = explainer(encoded, np.zeros(len(encoded), dtype=np.int64))
    predicted = np.asarray(model[-1].predict(encoded), dtype=np.float64)
    error = np.abs(contributions.total() - predicted)
    assert contributions.values.shape == (len(encoded), len(schema.names))
    assert np.all(error <= TOLERANCE * np.maximum(1.0, np.abs(predicted))), (
        f"{name}: largest error {error.max():.3g}"
    )
    if name == "baseline":
        assert not contributions.values.any()
        assert contributions.method.startswith("none: the dummy baseline ignores its inputs")
    else:
        assert contributions.values.any()
