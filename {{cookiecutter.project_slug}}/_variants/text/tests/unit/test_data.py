"""The text data: the bundled reviews, users' CSV/parquet files, and every refusal named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.core.params import parse_params
from {{ cookiecutter.package_name }}.text.model import data
from {{ cookiecutter.package_name }}.text.model.params import Params

from helpers import write_table


def test_the_bundled_reviews_are_fresh_or_rotten_without_duplicates() -> None:
    frame = data.load_default()
    assert set(frame["label"]) == {"fresh", "rotten"}
    assert len(frame) > 10_000
    assert not frame["text"].duplicated().any()


def own_params(raw: dict[str, Any], path: Path, **data_keys: Any) -> Params:
    raw["data"].update(path=str(path), per_class_limit=None, **data_keys)
    return parse_params(raw, Params)


def reviews(count: int = 20) -> pd.DataFrame:
    return pd.DataFrame({
        "review": [f"review number {i} was {'great' if i % 2 else 'dull'}" for i in range(count)],
        "sentiment": ["pos" if i % 2 else "neg" for i in range(count)],
    })  # fmt: skip


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_own_data_is_split_stratified(
    raw_params: dict[str, Any], tmp_path: Path, suffix: str
) -> None:
    path = write_table(reviews(), tmp_path / f"reviews{suffix}")
    params = own_params(raw_params, path, text_column="review", label_column="sentiment")
    prepared = data.prepare(params, tmp_path / "out")
    assert (prepared.train_rows, prepared.test_rows) == (15, 5)
    info = data.read_info(tmp_path / "out")
    assert info.classes == ["neg", "pos"]
    texts, labels = data.read_split(tmp_path / "out", data.TEST_FILE, info.classes)
    assert len(texts) == 5
    assert set(labels.tolist()) == {0, 1}


def broken(frame: pd.DataFrame, row: int, value: Any) -> pd.DataFrame:
    frame = frame.copy()
    frame["review"] = frame["review"].astype(object)
    frame.loc[row, "review"] = value
    return frame


@pytest.mark.parametrize(
    ("frame", "suffix", "message"),
    [
        (reviews().drop(columns="review"), ".csv",
         r"column 'review' \(data.text_column in params.yaml\) not found"),
        (broken(reviews(), 3, "   "), ".csv", r"row 3: the text is empty or only whitespace"),
        (broken(reviews(), 4, ""), ".parquet", r"row 4: the text is empty or only whitespace"),
        (broken(reviews(), 6, None), ".csv", r"row 6: the text is a missing value, not text"),
        (reviews().assign(review=range(20)), ".csv", r"row 0: the text is int 0, not text"),
        (reviews().assign(sentiment="pos"), ".csv", r"a single class \('pos'\)"),
        (pd.concat([reviews(), pd.DataFrame({"review": ["odd one"], "sentiment": ["meh"]})]),
         ".csv", r"class 'meh' has 1 text\(s\): each class needs at least 3"),
        (reviews(6), ".csv", r"6 texts are too few"),
    ],
    ids=["missing-column", "whitespace", "empty", "missing", "numbers", "one-class",
         "tiny-class", "too-few"],
)  # fmt: skip
def test_bad_data_is_refused_with_its_row_or_column_named(
    raw_params: dict[str, Any], tmp_path: Path, frame: pd.DataFrame, suffix: str, message: str
) -> None:
    path = write_table(frame, tmp_path / f"reviews{suffix}")
    params = own_params(raw_params, path, text_column="review", label_column="sentiment")
    with pytest.raises(DataValidationError, match=message):
        data.prepare(params, tmp_path / "out")


def test_a_text_over_the_limit_is_named(raw_params: dict[str, Any], tmp_path: Path) -> None:
    path = write_table(broken(reviews(), 2, "x" * 40), tmp_path / "reviews.parquet")
    params = own_params(raw_params, path, text_column="review", label_column="sentiment",
                        max_chars=30)  # fmt: skip
    with pytest.raises(
        DataValidationError, match=r"row 2: the text has 40 characters; the limit is 30"
    ):
        data.prepare(params, tmp_path / "out")
