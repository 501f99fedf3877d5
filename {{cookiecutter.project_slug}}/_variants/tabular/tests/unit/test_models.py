import operator
from pathlib import Path
from typing import get_args

import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from {{ cookiecutter.package_name }} import artifacts, metrics
from {{ cookiecutter.package_name }}.config import Params
from {{ cookiecutter.package_name }}.data import SCHEMA_FILE, TRAIN_FILE, load_schema, load_split
from {{ cookiecutter.package_name }}.model_params import ModelName
from {{ cookiecutter.package_name }}.models import build_model
from {{ cookiecutter.package_name }}.schema import conform


@pytest.mark.parametrize("name", get_args(ModelName))
def test_every_model_trains_and_round_trips(
    name: ModelName, params: Params, pipeline_run, tmp_path: Path
) -> None:
    schema = load_schema(pipeline_run.data_dir / SCHEMA_FILE)
    raw, labels = load_split(pipeline_run.data_dir, TRAIN_FILE, schema)
    features = conform(raw, schema)
    classes = metrics.classes_of(labels)
    model = build_model(name, params, schema).fit(features, metrics.truth(labels, classes))

    metadata = {"model": name, "classes": classes}
    artifacts.save(artifacts.SavedModel(model, schema, metadata), tmp_path)
    loaded = artifacts.load(tmp_path)

    np.testing.assert_allclose(
        metrics.outputs(loaded.model, features), metrics.outputs(model, features)
    )
    assert loaded.schema == schema
    assert loaded.metadata["model"] == name


def test_missing_model_dir_says_how_to_fix(tmp_path: Path) -> None:
    expected = r"missing model\.skops.*run the pipeline"
    with pytest.raises(artifacts.ModelNotFoundError, match=expected):
        artifacts.load(tmp_path / "models")


def test_a_model_that_does_not_match_its_metadata_is_refused(pipeline_run, tmp_path: Path) -> None:
    saved = artifacts.load(pipeline_run.model_dir)
    artifacts.save(saved, tmp_path)
    (tmp_path / artifacts.MODEL_FILE).write_bytes(b"truncated")
    with pytest.raises(artifacts.ModelNotFoundError, match=r"does not match 'metadata\.json'"):
        artifacts.load(tmp_path)


def test_untrusted_types_are_never_saved(pipeline_run, tmp_path: Path) -> None:
    saved = artifacts.load(pipeline_run.model_dir)
    custom = Pipeline([("custom", FunctionTransformer(operator.neg)), ("model", saved.model)])
    expected = r"not trusted for loading: _operator\.neg"
    with pytest.raises(artifacts.UntrustedModelError, match=expected):
        artifacts.save(artifacts.SavedModel(custom, saved.schema, saved.metadata), tmp_path)
    assert not (tmp_path / artifacts.MODEL_FILE).exists()
