"""Training checkpoints in one safetensors file, written atomically: never a pickle.

A checkpoint holds tensors (model weights, the best weights so far, the optimizer's moments,
the random number generator's state) and a JSON document for everything else (epoch, history,
the optimizer's and scheduler's settings, early-stopping counters). Nested state such as an
optimizer's `state_dict()` is split into both: each tensor goes to the file under a generated
key and the JSON keeps a reference to it. The file is written to a temporary name and renamed,
so a run killed while saving leaves the previous checkpoint whole.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save

from ..core.errors import ProjectError
from ..core.files import write_with

_STATE_KEY = "state"
_TENSOR, _INT_KEYS = "__tensor__", "__int_keys__"


class CheckpointError(ProjectError, ValueError):
    """A checkpoint file exists but cannot be read; the message names it."""


def _split(value: Any, tensors: dict[str, torch.Tensor], prefix: str) -> Any:
    """`value` as JSON, with each tensor moved to `tensors` and replaced by a reference."""
    if isinstance(value, torch.Tensor):
        key = f"{prefix}{len(tensors)}"
        tensors[key] = value.detach().to("cpu").contiguous().clone()
        return {_TENSOR: key}
    if isinstance(value, dict):
        if value and all(isinstance(key, int) for key in value):
            return {_INT_KEYS: [[key, _split(v, tensors, prefix)] for key, v in value.items()]}
        return {str(key): _split(v, tensors, prefix) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_split(v, tensors, prefix) for v in value]
    return value


def _join(value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    """The inverse of `_split`."""
    if isinstance(value, dict):
        if _TENSOR in value:
            return tensors[value[_TENSOR]]
        if _INT_KEYS in value:
            return {int(key): _join(v, tensors) for key, v in value[_INT_KEYS]}
        return {key: _join(v, tensors) for key, v in value.items()}
    if isinstance(value, list):
        return [_join(v, tensors) for v in value]
    return value


def save_checkpoint(path: Path, state: dict[str, Any]) -> Path:
    """Write `state` (JSON-like values and tensors, nested freely) to `path` atomically."""
    tensors: dict[str, torch.Tensor] = {}
    document = _split(state, tensors, "t")
    payload = save(tensors, metadata={_STATE_KEY: json.dumps(document)})
    return write_with(path, lambda temporary: temporary.write_bytes(payload))


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint written by `save_checkpoint` (tensors on the CPU).

    Raises:
        CheckpointError: the file is not a checkpoint (truncated, or another file).
    """
    data = path.read_bytes()
    try:
        tensors = load(data)
        header_size = int.from_bytes(data[:8], "little")
        metadata = json.loads(data[8 : 8 + header_size]).get("__metadata__") or {}
        document = json.loads(metadata[_STATE_KEY])
    except (SafetensorError, ValueError, KeyError) as error:
        raise CheckpointError(
            f"checkpoint '{path}' cannot be read ({type(error).__name__}): delete it to train "
            "from the start"
        ) from None
    state: dict[str, Any] = _join(document, tensors)
    return state
