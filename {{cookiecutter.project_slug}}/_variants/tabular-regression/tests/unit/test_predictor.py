import math

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.tabular.serving.outputs import Prediction
from {{ cookiecutter.package_name }}.tabular.serving.predictor import TabularPredictor


@pytest.fixture(scope="module")
def predictor(pipeline_run) -> TabularPredictor:
    return TabularPredictor.load(pipeline_run.model_dir)


def test_predicts_a_value_within_a_plausible_range(
    predictor: TabularPredictor, pipeline_run
) -> None:
    [prediction] = predictor.predict([predictor.schema.example])
    assert isinstance(prediction, Prediction)
    assert math.isfinite(prediction.value)
    train = pd.read_parquet(pipeline_run.data_dir / "train.parquet")[predictor.schema.target]
    assert train.min() <= prediction.value <= train.max()
