"""Loading, validating and splitting images: the bundled digits and a folder of your own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.core.params import parse_params
from {{ cookiecutter.package_name }}.image.model import data
from {{ cookiecutter.package_name }}.image.model.params import Params

from helpers import image_bytes


def folder(root: Path, counts: dict[str, int], **kwargs: Any) -> Path:
    for name, count in counts.items():
        (root / name).mkdir(parents=True)
        for index in range(count):
            (root / name / f"{index}.png").write_bytes(image_bytes(seed=index, **kwargs))
    return root


def two(root: Path) -> Path:
    """Two good classes of eight images."""
    return folder(root, {"a": 8, "b": 8})


def params_for(raw_params: dict[str, Any], root: Path, **image: Any) -> Params:
    raw_params["data"].update(path=str(root), per_class_limit=None)
    raw_params["image"].update(image)
    return parse_params(raw_params, Params)


def test_the_default_digits_are_split_stratified_and_seeded(params: Params, tmp_path: Path) -> None:
    prepared = data.prepare(params, tmp_path)
    assert (prepared.train_rows, prepared.test_rows) == (240, 60)
    images, labels = data.read_split(tmp_path, data.TEST_FILE)
    assert images.shape == (60, 8, 8, 1)
    assert images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [6] * 10
    again = data.prepare(params, tmp_path / "again")
    assert again.data_hash == prepared.data_hash
    info = data.read_info(tmp_path)
    assert info.classes == [str(digit) for digit in range(10)]


def test_a_folder_of_mixed_sizes_and_modes_becomes_one_shape(
    raw_params: dict[str, Any], tmp_path: Path
) -> None:
    root = folder(tmp_path / "raw", {"cat": 6, "dog": 6}, size=(30, 20), mode="RGB")
    (root / "cat" / "gray.jpg").write_bytes(image_bytes((9, 40), mode="L", fmt="JPEG"))
    (root / "dog" / "alpha.webp").write_bytes(image_bytes((16, 16), mode="RGBA", fmt="WEBP"))
    (root / "dog" / "old.bmp").write_bytes(image_bytes((16, 16), mode="RGB", fmt="BMP"))
    params = params_for(raw_params, root, size=16, channels=3)
    prepared = data.prepare(params, tmp_path / "out")
    assert prepared.train_rows + prepared.test_rows == 15
    images, _ = data.read_split(tmp_path / "out", data.TRAIN_FILE)
    assert images.shape[1:] == (16, 16, 3)
    assert data.read_info(tmp_path / "out").classes == ["cat", "dog"]


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        (lambda root: None, r"holds no class folders"),
        (lambda root: folder(root, {"only": 8}), r"single class \('only'\)"),
        (lambda root: folder(root, {"a": 8, "b": 2}),
         r"class 'b' has 2 image\(s\): each class needs"),
        (lambda root: (two(root), (root / "a" / "notes.txt").write_text("x")),
         r"notes.txt' is not an image file"),
        (lambda root: (two(root), (root / "a" / "broken.png").write_bytes(image_bytes()[:40])),
         r"broken.png' is (a corrupt image|not an image)"),
        (lambda root: (two(root), (root / "stray.png").write_bytes(image_bytes())),
         r"stray.png' is not in a class folder"),
        (lambda root: (two(root), (root / "a" / "sub").mkdir()),
         r"is a folder inside the class folder 'a'"),
        (lambda root: (folder(root, {"a": 8}), (root / "b").mkdir()), r"'.*b' holds no images"),
    ],
    ids=["empty", "single-class", "small-class", "not-an-image", "corrupt", "stray-file",
         "nested-folder", "empty-class"],
)  # fmt: skip
def test_bad_folders_are_refused_with_the_file_named(
    raw_params: dict[str, Any], tmp_path: Path, arrange: Any, message: str
) -> None:
    root = tmp_path / "raw"
    root.mkdir()
    arrange(root)
    with pytest.raises(DataValidationError, match=message):
        data.prepare(params_for(raw_params, root), tmp_path / "out")


def test_a_missing_folder_is_named(raw_params: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match=r"data.path '.*nowhere' is not a folder"):
        data.prepare(params_for(raw_params, tmp_path / "nowhere"), tmp_path / "out")


def test_too_few_images_for_the_splits_are_refused(
    raw_params: dict[str, Any], tmp_path: Path
) -> None:
    root = folder(tmp_path / "raw", {name: 3 for name in "abcdefgh"})
    with pytest.raises(DataValidationError, match=r"24 images are too few for a 0.2 test split"):
        data.prepare(params_for(raw_params, root), tmp_path / "out")


def test_exported_digits_are_a_folder_the_pipeline_reads(
    raw_params: dict[str, Any], tmp_path: Path
) -> None:
    written = data.export_default(tmp_path / "raw", per_class_limit=8)
    assert written == 80
    assert sorted(path.name for path in (tmp_path / "raw").iterdir()) == [str(d) for d in range(10)]
    prepared = data.prepare(params_for(raw_params, tmp_path / "raw", size=28), tmp_path / "out")
    assert prepared.train_rows + prepared.test_rows == 80
