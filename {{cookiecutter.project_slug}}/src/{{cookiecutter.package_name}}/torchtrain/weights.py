"""A trained PyTorch model on disk: weights in safetensors, what they are in JSON.

`<name>.safetensors` holds only tensors and `<name>.json` the description the model is rebuilt
from (architecture, classes, input size, normalisation), so loading runs no code from a file:
the family's `build(description)` makes the module, then the tensors are copied into it.
Serving imports this module only; it needs torch and safetensors, nothing of training.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_model, save_model
from torch import nn

from ..core.errors import ModelNotFoundError, ProjectError
from ..core.files import read_json, write_json, write_with

RETRAIN = "run the pipeline (dvc repro) or the train command again"


def weights_file(directory: Path, name: str = "model") -> Path:
    """Where the tensors of model `name` live in `directory`."""
    return directory / f"{name}.safetensors"


def description_file(directory: Path, name: str = "model") -> Path:
    """Where the JSON description of model `name` lives in `directory`."""
    return directory / f"{name}.json"


def save_weights(
    model: nn.Module, description: dict[str, Any], directory: Path, name: str = "model"
) -> None:
    """Write the model's tensors and its description into `directory` (each file atomically)."""
    model = model.to("cpu")
    write_with(weights_file(directory, name), lambda path: save_model(model, str(path)))
    write_json(description, description_file(directory, name))


def read_description(directory: Path, name: str = "model") -> dict[str, Any]:
    """The description saved with the weights, without loading them.

    Raises:
        ModelNotFoundError: the file is missing or is not a JSON object.
    """
    try:
        description = read_json(description_file(directory, name), "model description", RETRAIN)
    except ProjectError as error:
        raise ModelNotFoundError(str(error)) from None
    if not isinstance(description, dict):
        raise ModelNotFoundError(
            f"'{description_file(directory, name)}' is not a model description: {RETRAIN}"
        )
    return description


def load_weights(
    directory: Path,
    build: Callable[[dict[str, Any]], nn.Module],
    name: str = "model",
    device: str | torch.device = "cpu",
) -> tuple[nn.Module, dict[str, Any]]:
    """Rebuild the model from its description and load its tensors, in evaluation mode.

    Raises:
        ModelNotFoundError: a file is missing, or the tensors do not fit the architecture.
    """
    description = read_description(directory, name)
    path = weights_file(directory, name)
    if not path.is_file():
        raise ModelNotFoundError(f"'{path}' is missing: {RETRAIN}")
    model = build(description)
    try:
        load_model(model, str(path), strict=True, device=str(device))
    except (SafetensorError, RuntimeError, OSError) as error:
        reason = str(error).splitlines()[0][:200]
        raise ModelNotFoundError(
            f"'{path}' does not fit the architecture in '{description_file(directory, name)}' "
            f"({reason}): {RETRAIN}"
        ) from None
    return model.eval(), description


def parameter_count(model: nn.Module) -> int:
    """How many numbers the model has learnt or inherited."""
    return sum(parameter.numel() for parameter in model.parameters())
