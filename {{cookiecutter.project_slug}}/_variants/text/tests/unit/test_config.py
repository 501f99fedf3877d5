"""params.yaml: the shipped file validates, and a bad key is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from {{ cookiecutter.package_name }}.core.errors import ParamsError
from {{ cookiecutter.package_name }}.core.params import parse_params
from {{ cookiecutter.package_name }}.text.model.family import FAMILY
from {{ cookiecutter.package_name }}.text.model.params import Params

from helpers import PROJECT_ROOT


def test_the_shipped_params_validate() -> None:
    params = FAMILY.load_params(PROJECT_ROOT / "params.yaml")
    assert params.model_name == "tfidf_logreg"
    assert params.encoder.name is None
    assert params.flat()["models.tfidf_logreg.word_ngrams"] == [1, 2]


@pytest.mark.parametrize(
    ("section", "key", "value", "named"),
    [
        ("train", "model", "bert_large", "train.model"),
        ("encoder", "max_length", 4, "encoder.max_length"),
        ("data", "max_chars", 0, "data.max_chars"),
        ("models", "tfidf", {}, "models.tfidf"),
    ],
)
def test_a_bad_value_is_named(
    raw_params: dict[str, Any], section: str, key: str, value: Any, named: str
) -> None:
    raw_params[section][key] = value
    with pytest.raises(ParamsError, match=named):
        parse_params(raw_params, Params)


def test_a_broken_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump({"train": {"model": "baseline", "epochs": "many"}}), "utf-8")
    with pytest.raises(ParamsError, match=r"params.yaml: train.epochs"):
        FAMILY.load_params(path)
