"""A trained text model, loaded: scikit-learn (skops) or a transformer (safetensors), never pickle.

Every model directory holds `model.json` (what the model is) and `spec.json` (what a valid
input is: the classes, the longest text, example texts from the test split). The kinds:

- `sklearn`: the dummy baseline or the TF-IDF pipeline, `model.skops`;
- `embeddings`: a frozen transformer (`encoder.safetensors`, `encoder.json`, `tokenizer.json`)
  whose mean-pooled sentence embeddings feed a logistic regression (`classifier.skops`);
- `transformer`: a fine-tuned sequence classifier (`model.safetensors`, `tokenizer.json`).

`evaluate`, the API, the app and `predict` all load it through `TextModel`, whose
`probabilities(texts)` hides which kind it is; `attributions` explains any kind the same way.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import skops.io

from ...core import modeldir
from ...core.errors import DataValidationError, ModelNotFoundError, ProjectError
from ...core.files import read_json, write_json, write_with
from . import encoder as enc

SKLEARN_FILE = "model.skops"
CLASSIFIER_FILE = "classifier.skops"
SPEC_FILE = "spec.json"
ENCODER = "encoder"
# Texts per forward pass of a transformer when many are predicted at once.
CHUNK = 64


@dataclass(frozen=True)
class Example:
    """A test-split text shipped with the model, for the app and the API's example request."""

    text: str
    label: str


@dataclass(frozen=True)
class TextSpec:
    """What a valid input is: a non-blank text of at most `max_chars` characters."""

    classes: list[str]
    max_chars: int
    examples: list[Example] = field(default_factory=list)


def write_spec(spec: TextSpec, directory: Path) -> None:
    """Write spec.json into `directory`."""
    write_json(asdict(spec), directory / SPEC_FILE)


def read_spec(directory: Path, fix: str) -> TextSpec:
    """spec.json of a model directory.

    Raises:
        ModelNotFoundError: the file is missing or malformed.
    """
    path = directory / SPEC_FILE
    try:
        raw = read_json(path, "input description", fix)
        examples = [Example(**example) for example in raw.pop("examples", [])]
        return TextSpec(**raw, examples=examples)
    except (ProjectError, TypeError, AttributeError) as error:
        message = str(error) if isinstance(error, ProjectError) else f"'{path}' is malformed"
        raise ModelNotFoundError(f"{message}: {fix}") from None


def _write_skops(estimator: Any, target: Path) -> None:
    # Compressed: a TF-IDF vocabulary is a large JSON document inside the skops archive.
    payload = skops.io.dumps(estimator, compression=zipfile.ZIP_DEFLATED)
    write_with(target, lambda path: path.write_bytes(payload))


def write_model(fitted: Any, description: dict[str, Any], spec: TextSpec, directory: Path) -> None:
    """Write a fitted model's files (see the module docstring), model.json and spec.json."""
    from ...torchtrain.weights import save_weights

    kind = description["kind"]
    if kind == "sklearn":
        _write_skops(fitted, directory / SKLEARN_FILE)
        write_json(description, directory / "model.json")
    else:
        network, tokenizer = fitted[0], fitted[1]
        tokenizer.save(str(directory / enc.TOKENIZER_FILE))
        if kind == "embeddings":
            save_weights(network, {**description["encoder"]}, directory, ENCODER)
            _write_skops(fitted[2], directory / CLASSIFIER_FILE)
            write_json(description, directory / "model.json")
        else:
            save_weights(network, description, directory)
    write_spec(spec, directory)


def read_estimator(path: Path) -> Any:
    """A scikit-learn estimator from a skops file, built from scikit-learn's own types only.

    Raises:
        ModelNotFoundError: the file is missing, unreadable or holds other types.
    """
    if not path.is_file():
        raise ModelNotFoundError(f"'{path}' is missing: {modeldir.RETRAIN} again")
    payload = path.read_bytes()
    try:
        untrusted = skops.io.get_untrusted_types(data=payload)
        if untrusted:
            raise ModelNotFoundError(
                f"'{path}' holds types that are not trusted for loading: {', '.join(untrusted)}"
            )
        return skops.io.loads(payload, trusted=[])
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
        raise ModelNotFoundError(
            f"'{path}' is not a readable skops model ({type(error).__name__}): "
            f"{modeldir.RETRAIN} again"
        ) from None


def _missing(directory: Path) -> ModelNotFoundError:
    return ModelNotFoundError(
        f"'{directory / 'model.json'}' is missing or unreadable: {modeldir.RETRAIN} again"
    )


class TextModel:
    """A model directory's model, ready to give class probabilities for texts."""

    def __init__(self, model_dir: modeldir.ModelDir, device: str = "cpu") -> None:
        import torch

        self.metadata: dict[str, Any] = model_dir.metadata
        self.spec = read_spec(model_dir.path, f"{modeldir.RETRAIN} again")
        path = model_dir.path
        try:
            self.description: dict[str, Any] = read_json(
                path / "model.json", "model description", f"{modeldir.RETRAIN} again"
            )
        except ProjectError:
            raise _missing(path) from None
        self.kind = str(self.description.get("kind"))
        self.device = torch.device(device)
        self.estimator: Any = None
        self.network: Any = None
        self.tokenizer: Any = None
        self.pad_id = int(self.description.get("pad_id", 0))
        if self.kind == "sklearn":
            self.estimator = read_estimator(path / SKLEARN_FILE)
            return
        if self.kind not in {"embeddings", "transformer"}:
            raise ModelNotFoundError(
                f"'{path / 'model.json'}' names an unknown kind {self.kind!r}: "
                f"{modeldir.RETRAIN} again"
            )
        from ...torchtrain.weights import load_weights

        name = ENCODER if self.kind == "embeddings" else "model"
        try:
            self.network, _ = load_weights(path, enc.build, name=name, device=self.device)
        except (ValueError, KeyError) as error:  # an architecture this code does not know
            raise ModelNotFoundError(f"{error}: {modeldir.RETRAIN} again") from None
        self.tokenizer = enc.read_tokenizer(path, int(self.description["max_length"]))
        if self.kind == "embeddings":
            self.estimator = read_estimator(path / CLASSIFIER_FILE)

    @property
    def classes(self) -> list[str]:
        """The class names, in the order of the probabilities."""
        return self.spec.classes

    def features(self, texts: Sequence[str]) -> Any:
        """What the scikit-learn estimator sees: the texts, embeddings, or a placeholder."""
        if self.kind == "embeddings":
            return enc.embed(self.network, self.tokenizer, texts, self.pad_id, CHUNK, self.device)
        if self.description.get("architecture") == "baseline":
            return np.zeros((len(texts), 1))
        return np.asarray(texts, dtype=object)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities (n, classes) of `texts`."""
        import torch

        if len(texts) == 0:
            return np.zeros((0, len(self.classes)))
        if self.kind == "transformer":
            raw = enc.logits(self.network, self.tokenizer, texts, self.pad_id, CHUNK, self.device)
            return torch.softmax(torch.from_numpy(raw), dim=1).numpy().astype(np.float64)
        return np.asarray(self.estimator.predict_proba(self.features(texts)), dtype=np.float64)

    def attributions(
        self, texts: Sequence[str], targets: Sequence[int]
    ) -> list[list[tuple[int, int, float]]]:
        """Each word's attribution to its text's `target` class, by occlusion.

        A word's attribution is how much the target's probability drops when the word is
        removed from the text: positive words speak for the class, negative ones against it.
        Every kind of model is explained the same way, in one batch of the texts with each
        word left out in turn. Returns (start, end, attribution) per word.
        """
        variants: list[str] = []
        spans: list[list[tuple[int, int]]] = []
        for text in texts:
            found = enc.words(text)
            spans.append(found)
            variants.append(text)
            variants += [(text[:start] + text[end:]).strip() or " " for start, end in found]
        probabilities = self.probabilities(variants)
        explained, offset = [], 0
        for found, target in zip(spans, targets, strict=True):
            column = probabilities[offset : offset + len(found) + 1, target]
            offset += len(found) + 1
            explained.append([(start, end, float(column[0] - column[1 + i]))
                              for i, (start, end) in enumerate(found)])  # fmt: skip
        return explained

    def is_baseline(self) -> bool:
        """Whether the model ignores its input (nothing to explain)."""
        return self.description.get("architecture") == "baseline"


def class_index(classes: Sequence[str], label: str) -> int:
    """The position of class `label`.

    Raises:
        DataValidationError: the model has no such class (the valid ones named).
    """
    if label not in classes:
        raise DataValidationError(
            f"target {label!r} is not a class of this model; use one of: {', '.join(classes)}"
        )
    return list(classes).index(label)
