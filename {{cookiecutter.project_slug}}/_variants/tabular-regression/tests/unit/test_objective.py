import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.tabular.model.objective import score, validate_target


def test_text_in_the_target_is_named() -> None:
    target = pd.Series([1.0, 2.0, "heavy", 4.0], name="body_mass_g")
    with pytest.raises(DataValidationError, match=r"target 'body_mass_g' must be numeric.*row 2"):
        validate_target(target)


def test_constant_target_is_rejected() -> None:
    with pytest.raises(DataValidationError, match="is constant"):
        validate_target(pd.Series([3.0, 3.0, 3.0], name="y"))


def test_numeric_strings_become_floats() -> None:
    assert validate_target(pd.Series(["1", "2.5"], name="y")).tolist() == [1.0, 2.5]


def test_perfect_and_mean_scores() -> None:
    actual = np.array([1.0, 2.0, 3.0, 4.0])
    assert score(actual, actual, {}) == {"mae": 0.0, "rmse": 0.0, "r2": 1.0}
    mean = np.full(4, actual.mean())
    result = score(actual, mean, {})
    assert result["r2"] == 0.0
    assert result["mae"] == 1.0
