"""The validation split a network trains against, and what its best epoch scored there."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.model_selection import train_test_split

from .trainer import EpochRecord


def validation_split(labels: np.ndarray, size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training split's rows to train on, and of the `size` held out (stratified)."""
    train_idx, val_idx = train_test_split(
        np.arange(len(labels)), test_size=size, random_state=seed, stratify=labels
    )
    return train_idx, val_idx


def best_epoch_scores(history: Sequence[EpochRecord], best_epoch: int | None) -> dict[str, float]:
    """The validation accuracy and loss of the epoch whose weights training kept."""
    best = next(record for record in reversed(history) if record.epoch == best_epoch)
    return {"accuracy": best.val_accuracy, "val_loss": best.val_loss, "epochs": len(history)}
