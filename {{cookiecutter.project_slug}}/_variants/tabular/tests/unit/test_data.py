from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.tabular.model.data import (
    PREPARE_FIRST,
    TEST_FILE,
    TRAIN_FILE,
    load_raw,
    prepare,
    validate_raw,
)
from {{ cookiecutter.package_name }}.tabular.model.objective import STRATIFY
from {{ cookiecutter.package_name }}.tabular.model.params import DataParams, Params
from {{ cookiecutter.package_name }}.tabular.model.schema import read_schema


def with_data(params: Params, **changes: object) -> Params:
    return params.model_copy(update={"data": params.data.model_copy(update=changes)})


def test_missing_file_is_named(params: Params, tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match=r"data file .* not found: .*absent\.csv"):
        load_raw(with_data(params, path=tmp_path / "absent.csv").data)


def test_empty_file_is_rejected(params: Params, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataValidationError, match="could not be read"):
        load_raw(with_data(params, path=empty).data)
    empty.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="has no rows"):
        load_raw(with_data(params, path=empty).data)


def test_unsupported_file_type_is_named(params: Params, tmp_path: Path) -> None:
    sheet = tmp_path / "data.xlsx"
    sheet.write_bytes(b"not really")
    with pytest.raises(DataValidationError, match=r"unsupported type '\.xlsx'"):
        load_raw(with_data(params, path=sheet).data)


def test_missing_target_is_named(params: Params) -> None:
    frame = load_raw(params.data).drop(columns=[params.data.target])
    target = params.data.target
    with pytest.raises(DataValidationError, match=f"target column '{target}' not found"):
        validate_raw(frame, params.data)


def test_unknown_drop_column_is_named(params: Params) -> None:
    data = DataParams(target=params.data.target, drop_columns=("no_such_column",))
    with pytest.raises(DataValidationError, match=r"unknown column.*no_such_column"):
        validate_raw(load_raw(params.data), data)


def test_numeric_column_holding_text_is_named(params: Params) -> None:
    frame = load_raw(params.data)
    numeric = next(
        name
        for name in frame.columns
        if name != params.data.target and pd.api.types.is_float_dtype(frame[name])
    )
    frame[numeric] = frame[numeric].astype(object)
    frame.loc[7, numeric] = "n/a"
    with pytest.raises(DataValidationError, match=f"column '{numeric}' is numeric but row 7"):
        validate_raw(frame, params.data)


def test_prepare_splits_reproducibly_and_records_the_schema(params: Params, tmp_path: Path) -> None:
    first = prepare(params, tmp_path / "a")
    second = prepare(params, tmp_path / "b")
    train_a = pd.read_parquet(tmp_path / "a" / TRAIN_FILE)
    test_a = pd.read_parquet(tmp_path / "a" / TEST_FILE)
    pd.testing.assert_frame_equal(train_a, pd.read_parquet(tmp_path / "b" / TRAIN_FILE))
    assert first == second
    assert read_schema(tmp_path / "a", PREPARE_FIRST) == read_schema(tmp_path / "b", PREPARE_FIRST)
    assert abs(len(test_a) / (len(train_a) + len(test_a)) - params.split.test_size) < 0.02

    schema = read_schema(tmp_path / "a", PREPARE_FIRST)
    assert schema.target == params.data.target
    assert params.data.target not in schema.names
    assert not set(params.data.drop_columns) & set(schema.names)
    assert set(schema.example) == set(schema.names)
    for feature in schema.features:
        column = train_a[feature.name]
        assert feature.nullable == bool(column.isna().any())
        if feature.kind == "number":
            assert feature.minimum == column.min()
            assert feature.maximum == column.max()
        else:
            assert set(feature.categories) == set(column.dropna().map(str))


def test_user_csv_gives_the_same_split_as_the_bundled_data(params: Params, tmp_path: Path) -> None:
    csv = tmp_path / "raw.csv"
    load_raw(params.data).to_csv(csv, index=False)
    bundled = prepare(params, tmp_path / "bundled")
    own = prepare(with_data(params, path=csv), tmp_path / "own")
    assert (own.train_rows, own.test_rows) == (bundled.train_rows, bundled.test_rows)
    own_schema = read_schema(tmp_path / "own", PREPARE_FIRST)
    assert own_schema.names == read_schema(tmp_path / "bundled", PREPARE_FIRST).names


def test_the_target_among_the_dropped_columns_is_one_line(params: Params) -> None:
    data = DataParams(target=params.data.target, drop_columns=(params.data.target,))
    expected = f"data.drop_columns lists the target '{params.data.target}'"
    with pytest.raises(DataValidationError, match=expected):
        validate_raw(load_raw(params.data), data)


@pytest.mark.skipif(not STRATIFY, reason="a random split needs only a row on each side")
def test_too_few_rows_for_the_split_is_one_line(params: Params, tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.csv"
    load_raw(params.data).dropna().groupby(params.data.target).head(3).head(8).to_csv(
        tiny, index=False
    )
    with pytest.raises(DataValidationError, match=r"8 labelled rows are too few .*test_size"):
        prepare(with_data(params, path=tiny), tmp_path / "out")
    assert not (tmp_path / "out").exists()
