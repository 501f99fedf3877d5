"""Figures any family may draw: feature importance, SHAP summaries and learning curves.

Matplotlib runs headless (Agg) and each PNG is written atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np

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


def contribution_summary(
    names: Sequence[str],
    values: np.ndarray,
    shades: Sequence[np.ndarray | None],
    label: str,
    path: Path,
) -> Path:
    """A SHAP summary: one row of dots per input, the most influential on top.

    Each dot is one record's contribution (`values[:, column]`), jittered vertically; `shades`
    colours a column's dots by the input's value scaled to 0..1 (None: grey, e.g. categories).
    Each row's label carries its mean |SHAP value|, the bar chart of the same data.
    """
    means = np.abs(values).mean(axis=0)
    order = np.argsort(means, kind="stable")
    figure, axes = new_figure(
        "SHAP values (test split)", size=(6.5, 1.6 + 0.45 * max(len(names), 4))
    )
    jitter = np.random.default_rng(0).uniform(-0.25, 0.25, size=values.shape[0])
    points = None
    for row, column in enumerate(order):
        shade = shades[column]
        if shade is None:
            axes.scatter(values[:, column], row + jitter, s=10, color="grey", alpha=0.6)
        else:
            points = axes.scatter(
                values[:, column], row + jitter, s=10, c=shade, cmap="coolwarm", vmin=0, vmax=1
            )
    axes.set_yticks(
        range(len(order)), [f"{names[column]} ({means[column]:.3g})" for column in order]
    )
    axes.axvline(0.0, color="grey", linewidth=0.8)
    axes.set_xlabel(label)
    if points is not None:
        bar = figure.colorbar(points, ax=axes, ticks=[0, 1])
        bar.ax.set_yticklabels(["low", "high"])
        bar.set_label("input value")
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


def optimization_history(
    points: Sequence[tuple[int, float, str]], metric: str, maximize: bool, path: Path
) -> Path:
    """Each trial's score by number (a pruned one at its last report), and the best so far."""
    figure, axes = new_figure("Optimisation history (training split)")
    for state, marker, colour in (("complete", "o", "tab:blue"), ("pruned", "x", "tab:grey")):
        chosen = [(number, value) for number, value, kind in points if kind == state]
        if chosen:
            numbers, values = zip(*chosen, strict=True)
            axes.scatter(numbers, values, marker=marker, color=colour, label=f"{state} trial")
    complete = sorted((number, value) for number, value, kind in points if kind == "complete")
    if complete:
        pick = max if maximize else min
        best: list[float] = []
        for _, value in complete:
            best.append(value if not best else pick(best[-1], value))
        axes.step([n for n, _ in complete], best, where="post", color="tab:orange", label="best")
    axes.set_xlabel("trial")
    axes.set_ylabel(metric)
    axes.legend(loc="best")
    return save(figure, path)


def param_importances(importances: dict[str, float], path: Path) -> Path:
    """Horizontal bars of each hyperparameter's share of the score's variance (fANOVA)."""
    names = sorted(importances, key=importances.__getitem__)
    figure, axes = new_figure("Hyperparameter importance")
    axes.barh(names, [importances[name] for name in names])
    axes.set_xlabel("share of the score's variance explained (fANOVA)")
    return save(figure, path)
