"""Figures every family can draw: the headless figure helpers, importance and learning curves.

Matplotlib runs headless (Agg) and each PNG is written atomically.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .files import write_with


def new_figure(title: str, size: tuple[float, float] = (6.0, 4.5)) -> tuple[Figure, plt.Axes]:
    """A figure with one titled axes."""
    figure, axes = plt.subplots(figsize=size, layout="constrained")
    axes.set_title(title)
    return figure, axes


def save(figure: Figure, path: Path) -> Path:
    """Write the figure as a PNG atomically and free its memory."""
    # 200 dpi stays sharp on high-density screens (the README shows figures at half width).
    write_with(path, lambda temporary: figure.savefig(temporary, format="png", dpi=200))
    plt.close(figure)
    return path


def feature_importance(names: list[str], means: list[float], stds: list[float], path: Path) -> Path:
    """Horizontal bars of permutation importance, most important on top."""
    order = sorted(range(len(names)), key=lambda i: means[i])
    figure, axes = new_figure("Permutation importance (test split)")
    axes.barh([names[i] for i in order], [means[i] for i in order], xerr=[stds[i] for i in order])
    axes.set_xlabel("drop in score when the column is shuffled")
    return save(figure, path)


def learning_curve(
    sizes: list[int], train: list[float], validation: list[float], metric: str, path: Path
) -> Path:
    """Training and cross-validation score against the number of training rows."""
    figure, axes = new_figure("Learning curve")
    axes.plot(sizes, train, "o-", label="training")
    axes.plot(sizes, validation, "o-", label="cross-validation")
    axes.set_xlabel("training rows")
    axes.set_ylabel(metric)
    axes.legend()
    axes.grid(alpha=0.3)
    return save(figure, path)
