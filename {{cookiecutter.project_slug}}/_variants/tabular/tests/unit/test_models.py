import operator
import shutil
from pathlib import Path
from typing import get_args

import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from {{ cookiecutter.package_name }}.core import modeldir
from {{ cookiecutter.package_name }}.core.errors import ModelNotFoundError, UntrustedModelError
from {{ cookiecutter.package_name }}.tabular.model import objective
from {{ cookiecutter.package_name }}.tabular.model.data import PREPARE_FIRST, TRAIN_FILE, load_split
from {{ cookiecutter.package_name }}.tabular.model.estimators import ModelName
from {{ cookiecutter.package_name }}.tabular.model.models import build_model
from {{ cookiecutter.package_name }}.tabular.model.params import Params
from {{ cookiecutter.package_name }}.tabular.model.predictor import MODEL_FILE, FittedModel, write_model
from {{ cookiecutter.package_name }}.tabular.model.schema import conform, read_schema


@pytest.mark.parametrize("name", get_args(ModelName))
def test_every_model_trains_and_round_trips(
    name: ModelName, params: Params, pipeline_run, tmp_path: Path
) -> None:
    schema = read_schema(pipeline_run.data_dir, PREPARE_FIRST)
    raw, labels = load_split(pipeline_run.data_dir, TRAIN_FILE, schema)
    features = conform(raw, schema)
    outputs = objective.describe_target(labels)
    model = build_model(name, params, schema).fit(features, objective.encode(labels, outputs))

    metadata = {"model": name, "outputs": outputs}
    modeldir.save(tmp_path / "models", lambda path: write_model(model, schema, path), metadata)
    loaded = FittedModel.load(tmp_path / "models")

    np.testing.assert_allclose(
        objective.outputs(loaded.model, features), objective.outputs(model, features)
    )
    assert loaded.schema == schema
    assert loaded.metadata["model"] == name


def test_missing_model_dir_says_how_to_fix(tmp_path: Path) -> None:
    expected = r"no trained model in .*models': run the pipeline"
    with pytest.raises(ModelNotFoundError, match=expected):
        FittedModel.load(tmp_path / "models")


def test_a_model_that_does_not_match_its_metadata_is_refused(pipeline_run, tmp_path: Path) -> None:
    copy = tmp_path / "models"
    shutil.copytree(pipeline_run.model_dir, copy)
    (copy / MODEL_FILE).write_bytes(b"truncated")
    with pytest.raises(ModelNotFoundError, match=r"model\.skops' does not match its hash"):
        FittedModel.load(copy)


def test_untrusted_types_are_never_saved(pipeline_run, tmp_path: Path) -> None:
    saved = FittedModel.load(pipeline_run.model_dir)
    custom = Pipeline([("custom", FunctionTransformer(operator.neg)), ("model", saved.model)])
    expected = r"not trusted for loading: _operator\.neg"
    with pytest.raises(UntrustedModelError, match=expected):
        write_model(custom, saved.schema, tmp_path)
    assert not (tmp_path / MODEL_FILE).exists()
