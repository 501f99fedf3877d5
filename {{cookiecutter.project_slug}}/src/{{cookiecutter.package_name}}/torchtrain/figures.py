"""The trainer's per-epoch history as a figure: every PyTorch family draws its curves with it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.figures import save


def learning_curves(history: Sequence[dict[str, Any]], path: Path) -> Path:
    """Training and validation loss and accuracy per epoch (the trainer's history)."""
    import matplotlib.pyplot as plt

    figure, (loss, accuracy) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    figure.suptitle("Learning curves")
    epochs = [record["epoch"] for record in history]
    for axes, metric in ((loss, "loss"), (accuracy, "accuracy")):
        axes.plot(epochs, [r[f"train_{metric}"] for r in history], "o-", label="training")
        axes.plot(epochs, [r[f"val_{metric}"] for r in history], "o-", label="validation")
        axes.set_xlabel("epoch")
        axes.set_ylabel(metric)
        axes.grid(alpha=0.3)
        axes.legend()
    return save(figure, path)
