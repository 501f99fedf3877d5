"""Figures specific to regression: predicted against actual, and residuals."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ...core.figures import new_figure, save


def draw(
    actual: np.ndarray,
    predicted: np.ndarray,
    description: Mapping[str, Any],
    target: str,
    out_dir: Path,
) -> list[Path]:
    """Write predicted_vs_actual.png and residuals.png; return their paths."""
    figure, axes = new_figure(f"{target}: predicted against actual (test split)")
    axes.scatter(actual, predicted, s=14, alpha=0.7)
    low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
    axes.plot([low, high], [low, high], "--", color="grey", label="perfect prediction")
    axes.set_xlabel(f"actual {target}")
    axes.set_ylabel(f"predicted {target}")
    axes.legend()
    paths = [save(figure, out_dir / "predicted_vs_actual.png")]

    figure, axes = new_figure(f"{target}: residuals (test split)")
    axes.scatter(predicted, actual - predicted, s=14, alpha=0.7)
    axes.axhline(0, linestyle="--", color="grey")
    axes.set_xlabel(f"predicted {target}")
    axes.set_ylabel(f"actual - predicted {target}")
    paths.append(save(figure, out_dir / "residuals.png"))
    return paths
