"""Records, tables and the rows of the user's own data file: one validation, one answer."""

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.tabular.model.data import load_raw
from {{ cookiecutter.package_name }}.tabular.serving.outputs import prediction_columns
from {{ cookiecutter.package_name }}.tabular.serving.predictor import TabularPredictor


@pytest.fixture(scope="module")
def predictor(pipeline_run) -> TabularPredictor:
    return TabularPredictor.load(pipeline_run.model_dir)


def test_records_and_frames_agree_whatever_the_column_order(predictor: TabularPredictor) -> None:
    example = predictor.schema.example
    reversed_record = dict(reversed(list(example.items())))
    frame = predictor.predict_frame(pd.DataFrame([example, reversed_record]))
    predictions = predictor.predict([example, reversed_record])
    assert predictions[0] == predictions[1]
    for name, values in prediction_columns(predictions).items():
        assert frame[name].tolist() == values


def test_rows_of_the_data_file_are_predicted_with_their_ignored_columns(
    predictor: TabularPredictor, pipeline_run
) -> None:
    rows = load_raw(pipeline_run.params.data).dropna().head(4)
    assert {*pipeline_run.params.data.drop_columns, predictor.schema.target} <= set(rows.columns)
    with_ignored = predictor.predict_frame(rows)
    features_only = predictor.predict_frame(rows[predictor.schema.names])
    pd.testing.assert_series_equal(with_ignored["prediction"], features_only["prediction"])


def test_missing_values_where_training_had_them_still_predict(predictor: TabularPredictor) -> None:
    record = dict(predictor.schema.example)
    for feature in predictor.schema.features:
        if feature.nullable:
            record[feature.name] = None
    assert len(predictor.predict([record])) == 1


def test_unknown_categories_and_columns_are_refused_by_name(predictor: TabularPredictor) -> None:
    example = predictor.schema.example
    category = next(f for f in predictor.schema.features if f.kind == "category")
    with pytest.raises(DataValidationError, match=f"row 0, column '{category.name}': Input should"):
        predictor.predict([{**example, category.name: "west"}])
    with pytest.raises(DataValidationError, match=r"unknown column\(s\): flipper_lenght"):
        predictor.predict_frame(pd.DataFrame([{**example, "flipper_lenght": 1.0}]))


def test_bad_records_are_named(predictor: TabularPredictor) -> None:
    assert predictor.predict([]) == []
    with pytest.raises(DataValidationError, match=r"row 0, column 'nothing': Extra inputs"):
        predictor.predict([{**predictor.schema.example, "nothing": 1}])
    with pytest.raises(DataValidationError, match="each record must be a mapping"):
        predictor.predict(["not a record"])  # type: ignore[list-item]
