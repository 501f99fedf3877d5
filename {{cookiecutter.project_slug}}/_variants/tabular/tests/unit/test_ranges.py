"""Warnings: every input outside what training saw is named, with its range; none otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from {{ cookiecutter.package_name }}.tabular.model.schema import Feature, InputSchema
from {{ cookiecutter.package_name }}.tabular.serving.predictor import TabularPredictor
from {{ cookiecutter.package_name }}.tabular.serving.ranges import TrainingRange


@pytest.fixture(scope="module")
def predictor(pipeline_run) -> TabularPredictor:
    return TabularPredictor.load(pipeline_run.model_dir)


def numbers(schema: InputSchema) -> list[Feature]:
    return [feature for feature in schema.features if feature.kind == "number"]


def outside(feature: Feature, below: bool) -> float:
    assert feature.minimum is not None
    assert feature.maximum is not None
    return feature.minimum - 10 if below else feature.maximum + 10


def message(feature: Feature, value: float) -> str:
    return (
        f"{feature.name} = {value:g} is outside the training range "
        f"{feature.minimum:g} to {feature.maximum:g}"
    )


def test_a_record_inside_the_training_data_has_no_warnings(predictor: TabularPredictor) -> None:
    [prediction] = predictor.predict([predictor.schema.example])
    assert prediction.warnings == []


def test_each_number_outside_its_range_is_named_with_the_range(
    predictor: TabularPredictor,
) -> None:
    first, second = numbers(predictor.schema)[:2]
    low, high = outside(first, below=True), outside(second, below=False)
    record = {**predictor.schema.example, first.name: low, second.name: high}

    [prediction] = predictor.predict([record])

    # In the schema's column order; and the record is still predicted.
    assert prediction.warnings == [message(first, low), message(second, high)]
    assert prediction == predictor.predict_checked([record])[0]


def test_the_range_is_inclusive(predictor: TabularPredictor) -> None:
    feature = numbers(predictor.schema)[0]
    edges = [{**predictor.schema.example, feature.name: feature.minimum},
             {**predictor.schema.example, feature.name: feature.maximum}]  # fmt: skip
    assert [p.warnings for p in predictor.predict(edges)] == [[], []]


def test_warnings_belong_to_their_own_record(predictor: TabularPredictor) -> None:
    feature = numbers(predictor.schema)[0]
    value = outside(feature, below=False)
    records = [
        predictor.schema.example,
        {**predictor.schema.example, feature.name: value},
        predictor.schema.example,
    ]
    assert [p.warnings for p in predictor.predict(records)] == [[], [message(feature, value)], []]


def test_unvalidated_missing_values_and_unseen_categories_are_named(
    predictor: TabularPredictor,
) -> None:
    # The record type refuses both (422 in the API); `predict_checked` trusts its caller, so
    # the warnings still name them.
    schema = predictor.schema
    record: dict[str, Any] = dict(schema.example)
    required = [feature for feature in schema.features if not feature.nullable]
    category = next(feature for feature in schema.features if feature.kind == "category")
    record[required[0].name] = None
    if category is not required[0]:
        record[category.name] = "an unseen category"

    [prediction] = predictor.predict_checked([record])

    assert f"{required[0].name} is missing, which it never was in training" in prediction.warnings
    if category is not required[0]:
        seen = ", ".join(sorted(category.categories))
        assert (
            f"{category.name} = 'an unseen category' was never seen in training (seen: {seen})"
            in prediction.warnings
        )


def test_missing_values_where_training_had_them_are_not_warned_about(
    predictor: TabularPredictor,
) -> None:
    nullable = [feature.name for feature in predictor.schema.features if feature.nullable]
    record = {**predictor.schema.example, **dict.fromkeys(nullable)}
    [prediction] = predictor.predict([record])
    assert prediction.warnings == []


def test_numbers_given_as_text_are_checked_as_numbers(predictor: TabularPredictor) -> None:
    feature = numbers(predictor.schema)[0]
    check = TrainingRange(predictor.schema)
    value = outside(feature, below=True)
    assert check([{**predictor.schema.example, feature.name: str(value)}]) == [
        [message(feature, value)]
    ]
