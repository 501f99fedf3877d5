from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.core.errors import ParamsError
from {{ cookiecutter.package_name }}.core.params import load_params, parse_params
from {{ cookiecutter.package_name }}.tabular.model.params import Params

from helpers import PROJECT_ROOT


def test_shipped_params_validate() -> None:
    params = load_params(PROJECT_ROOT / "params.yaml", Params)
    assert params.train.cv_folds >= 2
    assert "train.model" in params.flat()


def test_unknown_key_is_named(raw_params: dict[str, Any]) -> None:
    raw_params["train"]["learning_rate"] = 0.1
    with pytest.raises(ParamsError, match=r"train\.learning_rate: Extra inputs are not permitted"):
        parse_params(raw_params, Params)


def test_bad_value_is_named(raw_params: dict[str, Any]) -> None:
    raw_params["split"]["test_size"] = 1.5
    with pytest.raises(ParamsError, match=r"split\.test_size: .*less than 1 \(got 1\.5\)"):
        parse_params(raw_params, Params)


def test_unknown_model_is_named(raw_params: dict[str, Any]) -> None:
    raw_params["train"]["model"] = "svm"
    with pytest.raises(ParamsError, match=r"train\.model: Input should be 'baseline'"):
        parse_params(raw_params, Params)


def test_missing_section_is_named(raw_params: dict[str, Any]) -> None:
    del raw_params["data"]
    with pytest.raises(ParamsError, match=r"data: Field required"):
        parse_params(raw_params, Params)


def test_params_are_frozen(raw_params: dict[str, Any]) -> None:
    params = parse_params(raw_params, Params)
    with pytest.raises(ValueError, match="frozen"):
        params.train.cv_folds = 3


def test_missing_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="file not found"):
        load_params(tmp_path / "absent.yaml", Params)
    broken = tmp_path / "params.yaml"
    broken.write_text("data: [unclosed\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="not valid YAML"):
        load_params(broken, Params)
    broken.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="expected a mapping"):
        load_params(broken, Params)
