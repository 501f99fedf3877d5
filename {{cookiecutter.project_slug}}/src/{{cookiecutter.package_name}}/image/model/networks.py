"""The image family's PyTorch networks, and the one function that rebuilds them from JSON.

Each network takes a batch of images as floats in [0, 1], shaped (n, channels, size, size), and
does its own preprocessing (normalisation; resizing and channel expansion for the pretrained
network), so every caller feeds every model the same thing. `build(description)` makes the
untrained module that `torchtrain.weights.load_weights` fills: what serving uses to load.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812 - PyTorch's own convention

# ImageNet statistics, which EfficientNet's pretrained weights expect.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 images (n, size, size, channels) → floats in [0, 1], (n, channels, size, size)."""
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float().div(255.0)


class Normalize(nn.Module):
    """(x - mean) / std per channel, with the statistics saved as buffers of the model."""

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, mean: tuple[float, ...], std: tuple[float, ...]) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Normalise a batch."""
        return (images - self.mean) / self.std


class SmallCNN(nn.Module):
    """Blocks of two 3x3 convolutions (batch norm, ReLU) and 2x2 max pooling, then a linear head."""

    def __init__(self, channels: int, classes: int, widths: list[int], dropout: float) -> None:
        super().__init__()
        self.normalize = Normalize((0.5,) * channels, (0.5,) * channels)
        layers: list[nn.Module] = []
        previous = channels
        for width in widths:
            layers += [
                nn.Conv2d(previous, width, 3, padding=1, bias=False),
                nn.BatchNorm2d(width),
                nn.ReLU(inplace=True),
                nn.Conv2d(width, width, 3, padding=1, bias=False),
                nn.BatchNorm2d(width),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            ]
            previous = width
        self.features = nn.Sequential(*layers)
        # A fixed 4x4 grid whatever the image size, so one architecture fits every size.
        self.pool = nn.AdaptiveAvgPool2d(4)
        self.head = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout), nn.Linear(previous * 16, classes)
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits for a batch of images in [0, 1]."""
        return self.head(self.pool(self.features(self.normalize(images))))


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0 (ImageNet-pretrained backbone) with a new linear head for `classes`.

    Images are resized to `input_size`, grayscale repeated to three channels, and normalised
    with ImageNet statistics inside the module.
    """

    def __init__(self, channels: int, classes: int, input_size: int, dropout: float) -> None:
        super().__init__()
        from efficientnet_lite_pytorch import EfficientNet

        self.channels = channels
        self.input_size = input_size
        self.normalize = Normalize(IMAGENET_MEAN, IMAGENET_STD)
        self.backbone = EfficientNet.from_name(
            "efficientnet-lite0", num_classes=classes, image_size=input_size, dropout_rate=dropout
        )

        self.frozen = False

    def head_parameters(self) -> list[nn.Parameter]:
        """The new classification layer: all that learns while the backbone is frozen."""
        return list(self.backbone._fc.parameters())

    def freeze_backbone(self, frozen: bool) -> None:
        """Freeze (or release) the pretrained layers: no gradients, batch-norm statistics kept."""
        self.frozen = frozen
        head = {id(parameter) for parameter in self.head_parameters()}
        for parameter in self.backbone.parameters():
            parameter.requires_grad = not frozen or id(parameter) in head

    def train(self, mode: bool = True) -> EfficientNetLite0:
        """Training mode, except for a frozen backbone's layers (their statistics stay put)."""
        super().train(mode)
        if self.frozen:
            self.backbone.eval()
            self.backbone._dropout.train(mode)
        return self

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits for a batch of images in [0, 1]."""
        if images.shape[-1] != self.input_size or images.shape[-2] != self.input_size:
            images = F.interpolate(
                images, size=(self.input_size, self.input_size), mode="bilinear",
                align_corners=False, antialias=True,
            )  # fmt: skip
        if self.channels == 1:
            images = images.expand(-1, 3, -1, -1)
        logits: torch.Tensor = self.backbone(self.normalize(images))
        return logits


class PixelsLinear(nn.Module):
    """A fitted logistic regression on pixels as a module, so saliency methods can use it."""

    weight: torch.Tensor
    bias: torch.Tensor

    def __init__(self, coef: np.ndarray, intercept: np.ndarray) -> None:
        super().__init__()
        if coef.shape[0] == 1:  # two classes: one logit z for the second; softmax(-z/2, z/2)
            coef, intercept = (
                np.vstack([-coef / 2, coef / 2]),
                np.hstack([-intercept / 2, intercept / 2]),
            )
        self.register_buffer("weight", torch.as_tensor(coef, dtype=torch.float32))
        self.register_buffer("bias", torch.as_tensor(intercept, dtype=torch.float32))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits for a batch of images in [0, 1] (pixels in the order the model saw)."""
        pixels = images.permute(0, 2, 3, 1).reshape(images.shape[0], -1)
        return F.linear(pixels, self.weight, self.bias)


def build(description: dict[str, Any]) -> nn.Module:
    """The untrained network a saved description names (weights are loaded separately).

    Raises:
        ValueError: the description names no known architecture.
    """
    architecture = description.get("architecture")
    channels, classes = int(description["channels"]), len(description["classes"])
    settings = description.get("settings") or {}
    if architecture == "cnn":
        return SmallCNN(channels, classes, list(settings["channels"]), float(settings["dropout"]))
    if architecture == "efficientnet_lite0":
        return EfficientNetLite0(
            channels, classes, int(settings["input_size"]), float(settings["dropout"])
        )
    raise ValueError(f"unknown architecture {architecture!r}")
