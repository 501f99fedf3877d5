"""The image family's figures: confusion matrix, per-class scores, image grids.

Matplotlib runs headless (see `core.figures`); each PNG is written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ...core.figures import new_figure, save
from .saliency import overlay


def _gray(image: np.ndarray) -> tuple[np.ndarray, str | None]:
    return (image[:, :, 0], "gray") if image.shape[-1] == 1 else (image, None)


def confusion(matrix: np.ndarray, classes: list[str], path: Path) -> Path:
    """Counts of (actual, predicted) on the test split, rows normalised in colour."""
    size = max(4.5, 0.45 * len(classes) + 2)
    figure, axes = new_figure("Confusion matrix (test split)", (size + 1, size))
    rates = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    image = axes.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    if len(classes) <= 20:
        for (row, column), count in np.ndenumerate(matrix):
            color = "white" if rates[row, column] > 0.5 else "black"
            axes.text(column, row, str(count), ha="center", va="center", color=color, fontsize=8)
    axes.set_xticks(range(len(classes)), classes, rotation=90 if len(classes) > 10 else 0)
    axes.set_yticks(range(len(classes)), classes)
    axes.set_xlabel("predicted")
    axes.set_ylabel("actual")
    figure.colorbar(image, ax=axes, label="share of the actual class")
    return save(figure, path)


def per_class(rows: list[dict[str, Any]], path: Path) -> Path:
    """Precision and recall of each class on the test split."""
    figure, axes = new_figure("Precision and recall per class (test split)")
    positions = np.arange(len(rows))
    axes.bar(positions - 0.2, [row["precision"] for row in rows], 0.4, label="precision")
    axes.bar(positions + 0.2, [row["recall"] for row in rows], 0.4, label="recall")
    axes.set_xticks(positions, [row["class"] for row in rows], rotation=90 if len(rows) > 10 else 0)
    axes.set_ylim(0, 1.05)
    axes.legend(loc="lower right")
    return save(figure, path)


def image_grid(
    images: np.ndarray, captions: list[str], title: str, path: Path, columns: int = 8
) -> Path:
    """A grid of images with a caption under each."""
    import matplotlib.pyplot as plt

    count = max(len(images), 1)
    columns = min(columns, count)
    rows = -(-count // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(1.4 * columns, 1.6 * rows + 0.4),
                                squeeze=False, layout="constrained")  # fmt: skip
    figure.suptitle(title)
    for index, cell in enumerate(axes.flat):
        cell.axis("off")
        if index < len(images):
            pixels, cmap = _gray(images[index])
            cell.imshow(pixels, cmap=cmap, vmin=0, vmax=255)
            cell.set_title(captions[index], fontsize=8)
    if not len(images):
        axes.flat[0].text(0.5, 0.5, "none", ha="center", va="center")
    return save(figure, path)


def saliency_grid(images: np.ndarray, maps: np.ndarray, captions: list[str], path: Path) -> Path:
    """Each image beside its saliency map laid over it."""
    import matplotlib.pyplot as plt

    count = len(images)
    figure, axes = plt.subplots(2, count, figsize=(1.6 * count, 3.6), squeeze=False,
                                layout="constrained")  # fmt: skip
    figure.suptitle("What the predictions rest on (integrated gradients, test split)")
    for index in range(count):
        pixels, cmap = _gray(images[index])
        axes[0, index].imshow(pixels, cmap=cmap, vmin=0, vmax=255)
        axes[0, index].set_title(captions[index], fontsize=8)
        axes[1, index].imshow(overlay(images[index], maps[index]))
        for row in (0, 1):
            axes[row, index].axis("off")
    return save(figure, path)
