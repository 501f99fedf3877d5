import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.tabular.model.objective import (
    describe_target,
    encode,
    score,
    validate_target,
)


def test_single_class_target_is_rejected() -> None:
    with pytest.raises(DataValidationError, match=r"'species' has a single class \('Adelie'\)"):
        validate_target(pd.Series(["Adelie"] * 5, name="species"))


def test_a_class_too_rare_to_split_is_named() -> None:
    labels = pd.Series(["a", "a", "b", "b", "c"], name="kind")
    with pytest.raises(DataValidationError, match="class 'c' has only 1 row"):
        validate_target(labels)


def test_labels_are_coded_in_sorted_order() -> None:
    labels = pd.Series(["b", "a", "c", "a"])
    outputs = describe_target(labels)
    assert outputs == {"classes": ["a", "b", "c"]}
    assert encode(labels, outputs).tolist() == [1, 0, 2, 0]
    with pytest.raises(DataValidationError, match=r"unseen in training: \['d'\]"):
        encode(pd.Series(["d"]), outputs)


def test_perfect_and_constant_scores() -> None:
    codes = np.array([0, 1, 2, 1])
    perfect = np.eye(3)[codes]
    perfect_scores = {"accuracy": 1.0, "f1_macro": 1.0, "roc_auc": 1.0}
    outputs = {"classes": ["a", "b", "c"]}
    assert score(codes, perfect, outputs) == perfect_scores
    constant = np.tile([0.2, 0.5, 0.3], (4, 1))
    result = score(codes, constant, outputs)
    assert result["accuracy"] == 0.5
    assert result["roc_auc"] == 0.5
