"""A trained image model, loaded: a network (safetensors) or an estimator (skops), never pickle.

A PyTorch network or a scikit-learn estimator, behind one `probabilities(images)`.

Every model directory holds `model.json` (what the model is: architecture, classes, image
shape) and `spec.json` (what a valid input is, with example images from the test split);
`evaluate`, the API, the app and `predict` all load it through `ImageModel`.
"""

from __future__ import annotations

import base64
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import skops.io
import torch

from ...core import modeldir
from ...core.errors import ModelNotFoundError, ProjectError
from ...core.files import read_json, write_json
from ...torchtrain.weights import load_weights, read_description, save_weights
from .images import ImageShape
from .networks import PixelsLinear, build, to_tensor

SKLEARN_FILE = "model.skops"
SPEC_FILE = "spec.json"
# Images per forward pass when many are predicted at once (evaluation, large requests).
CHUNK = 256


@dataclass(frozen=True)
class Example:
    """A test-split image shipped with the model, for the app and the API's example request."""

    name: str
    label: str
    data: str  # base64 PNG


@dataclass(frozen=True)
class ImageSpec:
    """What a valid input is: any image, turned into `size` x `size` x `channels` pixels."""

    classes: list[str]
    size: int
    channels: int
    examples: list[Example] = field(default_factory=list)

    @property
    def shape(self) -> ImageShape:
        """The shape every image is converted to."""
        return ImageShape(self.size, self.channels)

    @property
    def digits(self) -> bool:
        """Whether the classes are the ten digits (the app then offers a drawing canvas)."""
        return self.classes == [str(digit) for digit in range(10)]


def write_spec(spec: ImageSpec, directory: Path) -> None:
    """Write spec.json into `directory`."""
    write_json(asdict(spec), directory / SPEC_FILE)


def read_spec(directory: Path, fix: str) -> ImageSpec:
    """spec.json of a model directory.

    Raises:
        ModelNotFoundError: the file is missing or malformed.
    """
    path = directory / SPEC_FILE
    try:
        raw = read_json(path, "input description", fix)
        examples = [Example(**example) for example in raw.pop("examples", [])]
        return ImageSpec(**raw, examples=examples)
    except (ProjectError, TypeError, AttributeError) as error:
        message = str(error) if isinstance(error, ProjectError) else f"'{path}' is malformed"
        raise ModelNotFoundError(f"{message}: {fix}") from None


def write_model(model: Any, description: dict[str, Any], spec: ImageSpec, directory: Path) -> None:
    """Write a fitted network (safetensors) or estimator (skops), model.json and spec.json."""
    if description["kind"] == "torch":
        save_weights(model, description, directory)
    else:
        (directory / SKLEARN_FILE).write_bytes(skops.io.dumps(model))
        write_json(description, directory / "model.json")
    write_spec(spec, directory)


def read_estimator(path: Path) -> Any:
    """A scikit-learn estimator from a skops file, built from scikit-learn's own types only.

    Raises:
        ModelNotFoundError: the file is unreadable or holds other types.
    """
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


class ImageModel:
    """A model directory's model, ready to give class probabilities for images."""

    def __init__(self, model_dir: modeldir.ModelDir, device: str = "cpu") -> None:
        self.metadata: dict[str, Any] = model_dir.metadata
        self.description = read_description(model_dir.path)
        self.spec = read_spec(model_dir.path, f"{modeldir.RETRAIN} again")
        self.device = torch.device(device)
        self.network: torch.nn.Module | None = None
        self.estimator: Any = None
        if self.description.get("kind") == "torch":
            try:
                self.network, _ = load_weights(model_dir.path, build, device=self.device)
            except ValueError as error:  # an architecture this code does not know
                raise ModelNotFoundError(f"{error}: {modeldir.RETRAIN} again") from None
        else:
            self.estimator = read_estimator(model_dir.file(SKLEARN_FILE))

    @property
    def classes(self) -> list[str]:
        """The class names, in the order of the probabilities."""
        return self.spec.classes

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (n, classes) for uint8 images (n, size, size, channels)."""
        if len(images) == 0:
            return np.zeros((0, len(self.classes)))
        if self.network is None:
            return np.asarray(self.estimator.predict_proba(pixels(images)), dtype=np.float64)
        parts = []
        with torch.inference_mode():
            for start in range(0, len(images), CHUNK):
                batch = to_tensor(images[start : start + CHUNK]).to(self.device)
                parts.append(torch.softmax(self.network(batch).float(), dim=1).cpu().numpy())
        return np.concatenate(parts).astype(np.float64)

    def differentiable(self) -> torch.nn.Module | None:
        """The model as a PyTorch module for saliency maps (None for the dummy baseline)."""
        if self.network is not None:
            return self.network
        if hasattr(self.estimator, "coef_"):
            return PixelsLinear(self.estimator.coef_, self.estimator.intercept_).eval()
        return None


def pixels(images: np.ndarray) -> np.ndarray:
    """What the scikit-learn models see: each image's pixels in [0, 1], one row per image."""
    return images.reshape(len(images), -1).astype(np.float32) / 255.0


def example_data(example: Example) -> bytes:
    """The PNG bytes of an example."""
    return base64.b64decode(example.data)
