"""Figures specific to classification: the confusion matrix and ROC curves."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from ...core.figures import new_figure, save
from .objective import classes as class_labels
from .objective import confusion_table

LINE_STYLES = ("-o", "--s", ":^", "-.v", "-D", "--x")


def draw(
    codes: np.ndarray,
    probabilities: np.ndarray,
    description: Mapping[str, Any],
    target: str,
    out_dir: Path,
) -> list[Path]:
    """Write confusion_matrix.png and roc_curves.png; return their paths."""
    classes = class_labels(description)
    counts = confusion_table(codes, probabilities, len(classes))
    figure, axes = new_figure(f"Confusion matrix of {target} (test split)")
    image = axes.imshow(counts, cmap="Blues")
    figure.colorbar(image, ax=axes)
    axes.set_xticks(range(len(classes)), classes, rotation=30, ha="right")
    axes.set_yticks(range(len(classes)), classes)
    axes.set_xlabel("predicted")
    axes.set_ylabel("actual")
    for (row, column), count in np.ndenumerate(counts):
        dark = count > counts.max() / 2
        axes.text(
            column, row, str(count), ha="center", va="center", color="white" if dark else "black"
        )
    paths = [save(figure, out_dir / "confusion_matrix.png")]

    figure, axes = new_figure("ROC curves, one class against the rest (test split)")
    for code, label in enumerate(classes):
        positive = codes == code
        fpr, tpr, _ = roc_curve(positive, probabilities[:, code])
        auc = roc_auc_score(positive, probabilities[:, code])
        # Curves often coincide (AUC 1.0): line styles and markers keep each one visible.
        style = LINE_STYLES[code % len(LINE_STYLES)]
        axes.plot(fpr, tpr, style, markersize=4, alpha=0.85, label=f"{label} (AUC {auc:.3f})")
    axes.plot([0, 1], [0, 1], "--", color="grey", label="chance")
    axes.set_xlabel("false positive rate")
    axes.set_ylabel("true positive rate")
    axes.legend(loc="lower right")
    paths.append(save(figure, out_dir / "roc_curves.png"))
    return paths
