import math

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.tabular.model.schema import (
    conform,
    infer_schema,
    read_schema,
    readable,
    write_schema,
)

FRAME = pd.DataFrame(
    {
        "size": [1.0, 2.5, None, 4.0],
        "count": [1, 2, 3, 4],
        "colour": ["red", None, "blue", "red"],
        "target": ["a", "b", "a", "b"],
    }
)


def test_infer_schema_describes_each_feature() -> None:
    schema = infer_schema(FRAME, "target", data_hash="x")
    size, count, colour = schema.features
    assert (size.kind, size.nullable, size.minimum, size.maximum) == ("number", True, 1.0, 4.0)
    assert (count.kind, count.integer, count.nullable) == ("number", True, False)
    assert (colour.kind, colour.categories, colour.nullable) == ("category", ("blue", "red"), True)
    assert schema.example == {"size": 1.0, "count": 1, "colour": "red"}


def test_conform_orders_types_and_drops_extra_columns() -> None:
    schema = infer_schema(FRAME, "target", data_hash="x")
    shuffled = pd.DataFrame(
        {"colour": ["red", None], "extra": [1, 2], "count": ["3", 4], "size": [1, 2]}
    )
    result = conform(shuffled, schema)
    assert list(result.columns) == ["size", "count", "colour"]
    assert result["count"].tolist() == [3.0, 4.0]
    assert result["colour"].iloc[0] == "red"
    assert math.isnan(result["colour"].iloc[1])


def test_conform_names_missing_columns() -> None:
    schema = infer_schema(FRAME, "target", data_hash="x")
    with pytest.raises(DataValidationError, match=r"missing column.*: count, colour"):
        conform(pd.DataFrame({"size": [1.0]}), schema)


def test_conform_names_a_column_whose_type_changed() -> None:
    schema = infer_schema(FRAME, "target", data_hash="x")
    changed = FRAME.drop(columns=["target"]).assign(size=["1", "2", "three", "4"])
    with pytest.raises(DataValidationError, match=r"'size' must be numeric.*row 2 .*'three'"):
        conform(changed, schema)


def test_the_schema_file_round_trips_and_a_broken_one_is_named(tmp_path) -> None:
    schema = infer_schema(FRAME, "target", data_hash="x", ignored=("year",))
    write_schema(schema, tmp_path)
    assert read_schema(tmp_path, "train again") == schema
    assert schema.ignored == ("target", "year")
    (tmp_path / "schema.json").write_text('{"target": 1}', encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"schema\.json' is not valid .*: train again"):
        read_schema(tmp_path, "train again")


def test_labels_are_readable_and_the_form_starts_at_typical_values() -> None:
    schema = infer_schema(FRAME, "target", data_hash="x", labels={"count": "How many"})
    size, count, colour = schema.features
    assert (size.label, count.label, colour.label) == ("Size", "How many", "Colour")
    assert schema.typical_record() == {"size": 2.5, "count": 2, "colour": "red"}


@pytest.mark.parametrize(
    ("name", "label"),
    [("bill_length_mm", "Bill length (mm)"), ("body_mass_g", "Body mass (g)"), ("sex", "Sex")],
)
def test_column_names_read_as_labels(name: str, label: str) -> None:
    assert readable(name) == label
