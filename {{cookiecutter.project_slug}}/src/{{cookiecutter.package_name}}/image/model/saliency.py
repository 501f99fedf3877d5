"""Which pixels a prediction rests on: integrated gradients (captum) over the image.

Integrated gradients sum the gradient of the predicted class along the straight path from a
black image to the input, so each pixel's share adds up to the difference in the class score.
Used by `evaluate` (a figure of test images) and by the app (an overlay for an uploaded image).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .networks import to_tensor


def saliency_maps(
    model: nn.Module, images: np.ndarray, targets: np.ndarray, steps: int = 32
) -> np.ndarray:
    """One map per image (n, size, size) in [0, 1]: attribution magnitude, summed over channels.

    Args:
        model: returns class logits for images in [0, 1] (see `networks`).
        images: uint8 (n, size, size, channels).
        targets: the class each map explains (usually the predicted one).
        steps: points of the path integral; more is smoother and slower.
    """
    from captum.attr import IntegratedGradients

    inputs = to_tensor(images).requires_grad_(True)
    model = model.eval()
    attribution = IntegratedGradients(model).attribute(
        inputs,
        baselines=torch.zeros_like(inputs),
        target=torch.as_tensor(targets, dtype=torch.long).tolist(),
        n_steps=steps,
        internal_batch_size=max(steps, 8),
    )
    maps = attribution.detach().abs().sum(dim=1).numpy()
    peaks = maps.reshape(len(maps), -1).max(axis=1).reshape(-1, 1, 1)
    return np.divide(maps, peaks, out=np.zeros_like(maps), where=peaks > 0)


def overlay(image: np.ndarray, saliency: np.ndarray) -> np.ndarray:
    """The image in gray with the saliency in red on top: (size, size, 3) uint8, for display."""
    gray = image.mean(axis=-1) if image.ndim == 3 else image
    base = np.repeat((0.6 * gray)[..., None], 3, axis=-1)
    heat = np.zeros_like(base)
    heat[..., 0] = 255.0 * saliency
    heat[..., 1] = 80.0 * saliency
    return np.clip(base + heat, 0, 255).astype(np.uint8)
