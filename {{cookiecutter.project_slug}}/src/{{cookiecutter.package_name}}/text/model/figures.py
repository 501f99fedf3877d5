"""The text family's figures: confusion matrix, curves, top n-grams, word attributions.

Matplotlib runs headless (see `core.figures`); each PNG is written atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...core.figures import new_figure, save


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


def top_ngrams(weights: dict[str, list[tuple[str, float]]], path: Path) -> Path:
    """The n-grams with the largest logistic-regression weights for each class."""
    import matplotlib.pyplot as plt

    columns = len(weights)
    rows = max(len(items) for items in weights.values())
    figure, axes_list = plt.subplots(1, columns, figsize=(4.5 * columns, 0.28 * rows + 1.5),
                                     layout="constrained", squeeze=False)  # fmt: skip
    figure.suptitle("TF-IDF n-grams that weigh most for each class")
    for axes, (name, items) in zip(axes_list[0], weights.items(), strict=True):
        terms = [repr(term)[1:-1] for term, _ in items][::-1]
        axes.barh(range(len(items)), [value for _, value in items][::-1], color="tab:blue")
        axes.set_yticks(range(len(items)), terms, fontsize=8)
        axes.set_title(f"for '{name}'")
        axes.set_xlabel("weight")
    return save(figure, path)


def attributions(
    texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int, float]]],
    captions: Sequence[str], path: Path,
) -> Path:  # fmt: skip
    """Test texts with each word shaded by its attribution (green for, red against)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    lines: list[list[tuple[str, float]]] = []
    titles: list[tuple[int, str]] = []
    for text, words, caption in zip(texts, spans, captions, strict=True):
        titles.append((len(lines), caption))
        line: list[tuple[str, float]] = []
        width = 0
        for start, end, value in words:
            word = text[start:end]
            if width + len(word) > 70 and line:
                lines.append(line)
                line, width = [], 0
            line.append((word, value))
            width += len(word) + 1
        lines.append(line)
        lines.append([])
    scale = max((abs(v) for words in spans for _, _, v in words), default=1.0) or 1.0
    norm = TwoSlopeNorm(vmin=-scale, vcenter=0.0, vmax=scale)
    cmap = plt.get_cmap("RdYlGn")
    height = 0.32 * (len(lines) + len(titles)) + 1
    figure = plt.figure(figsize=(9, height), layout="constrained")
    figure.suptitle("Word attributions (occlusion): how much each word moves the prediction")
    axes = figure.add_subplot()
    axes.axis("off")
    total = len(lines) + len(titles)
    y = 1.0
    step = 1.0 / max(total, 1)
    caption_at = dict(titles)
    for index, line in enumerate(lines):
        if index in caption_at:
            axes.text(0, y, caption_at[index], fontsize=8, style="italic", va="top",
                      transform=axes.transAxes)  # fmt: skip
            y -= step
        x = 0.0
        for word, value in line:
            shown = axes.text(x, y, word, fontsize=9, va="top", transform=axes.transAxes,
                              bbox={"facecolor": cmap(norm(value)), "edgecolor": "none",
                                    "pad": 1.0})  # fmt: skip
            x += 0.0105 * (len(word) + 1.2)
            del shown
        y -= step
    return save(figure, path)


def learning_curve(curve: dict[str, list[float]], path: Path) -> Path:
    """Training and held-out accuracy against the number of training texts."""
    figure, axes = new_figure("Learning curve")
    axes.plot(curve["sizes"], curve["train"], "o-", label="training")
    axes.plot(curve["sizes"], curve["validation"], "o-", label="held out (a fifth of training)")
    axes.set_xlabel("training texts")
    axes.set_ylabel("accuracy")
    axes.legend()
    axes.grid(alpha=0.3)
    return save(figure, path)
