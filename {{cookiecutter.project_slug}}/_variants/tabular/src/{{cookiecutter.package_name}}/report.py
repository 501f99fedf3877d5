"""Human-readable results: the metrics table, the model card, the README section, the gate."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import ProjectError
from .metrics import GREATER_IS_BETTER, HEADLINE, METRIC_LABELS
from .schema import InputSchema

README_START = "<!-- results:start -->"
README_END = "<!-- results:end -->"
LIMITATIONS_START = "<!-- limitations:start -->"
LIMITATIONS_END = "<!-- limitations:end -->"
APP_START = "<!-- app:start -->"
APP_END = "<!-- app:end -->"


class ReportError(ProjectError, ValueError):
    """A report cannot be built or a check failed; the message says which file or metric."""


def read_metrics(path: Path) -> dict[str, Any]:
    """Read reports/metrics.json, checking its shape."""
    if not path.is_file():
        raise ReportError(f"{path} not found: run the evaluate stage (dvc repro) first")
    report = json.loads(path.read_text(encoding="utf-8"))
    for section in ("model", "baseline", "cv"):
        if not isinstance(report.get(section), dict):
            raise ReportError(f"{path}: section '{section}' is missing")
    return report


def results_table(report: dict[str, Any]) -> str:
    """Markdown table: each test metric for the model, the dummy baseline and cross-validation."""
    lines = [
        "| metric (test split) | model | dummy baseline | cross-validation (train split) |",
        "|---|---:|---:|---:|",
    ]
    for name, label in METRIC_LABELS.items():
        cv_mean, cv_std = report["cv"].get(f"{name}_mean"), report["cv"].get(f"{name}_std")
        cv = f"{cv_mean:.3f} ± {cv_std:.3f}" if cv_mean is not None else "n/a"
        arrow = "↑" if GREATER_IS_BETTER[name] else "↓"
        lines.append(
            f"| {label} {arrow} | **{report['model'][name]:.3f}** "
            f"| {report['baseline'][name]:.3f} | {cv} |"
        )
    return "\n".join(lines)


def beats_baseline(report: dict[str, Any], metric: str = HEADLINE) -> tuple[bool, str]:
    """Whether the model is strictly better than the dummy baseline on `metric`, and a summary."""
    model, baseline = report["model"][metric], report["baseline"][metric]
    better = model > baseline if GREATER_IS_BETTER[metric] else model < baseline
    verdict = "beats" if better else "does NOT beat"
    return better, f"model {metric} {model:.4f} {verdict} the dummy baseline's {baseline:.4f}"


def limitations(report: dict[str, Any]) -> str:
    """Markdown bullets on how far the scores carry: the test-set size and the CV spread."""
    label = METRIC_LABELS[HEADLINE]
    bullets = []
    split = report.get("split") or {}
    if "test_rows" in split:
        bullets.append(
            f"- **{split['test_rows']} test rows.** Every test score comes from "
            f"{split['test_rows']} held-out rows (the model was trained on "
            f"{split['train_rows']}). On so few rows even a perfect score is not a claim about "
            "the real world: a few more rows could move it."
        )
    mean, std = report["cv"].get(f"{HEADLINE}_mean"), report["cv"].get(f"{HEADLINE}_std")
    if mean is not None and std is not None:
        folds = f"the {split['cv_folds']} folds" if "cv_folds" in split else "the folds"
        bullets.append(
            f"- **Cross-validation spread.** {label} over {folds} of the training split: "
            f"{mean:.3f} ± {std:.3f} (one standard deviation). A difference between two models "
            "smaller than that is noise, not progress."
        )
    bullets.append(
        "- **One data set.** The rows come from one source, place and time; data gathered "
        "elsewhere or later can score lower. Check the model on your own data before relying "
        "on it."
    )
    return "\n".join(bullets)


def _fill(text: str, start: str, end: str, body: str) -> str | None:
    """`text` with the part between the `start` and `end` markers replaced; None if absent."""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        return None
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text, count=1)


def update_readme(
    readme: Path, report: dict[str, Any], figures: Sequence[Path] = (), picture: Path | None = None
) -> bool:
    """Replace the README's results and limitations sections; True if the file changed.

    `picture`, a screenshot of the app, goes into the README's app section when it has one.
    """
    text = readme.read_text(encoding="utf-8")

    def source(path: Path) -> str:
        return Path(os.path.relpath(path, readme.parent)).as_posix()

    images = "\n".join(
        f'<img src="{source(figure)}" alt="{figure.stem.replace("_", " ")}" width="49%">'
        for figure in figures
    )
    section = "\n\n".join(part for part in (results_table(report), images) if part)
    updated = _fill(text, README_START, README_END, section)
    if updated is None:
        raise ReportError(f"{readme} has no '{README_START}' … '{README_END}' section")
    # Optional: a README without the limitations markers keeps its own text there.
    updated = _fill(updated, LIMITATIONS_START, LIMITATIONS_END, limitations(report)) or updated
    if picture is not None:
        shot = f'<img src="{source(picture)}" alt="The demo app showing a prediction" width="85%">'
        updated = _fill(updated, APP_START, APP_END, f'<p align="center">{shot}</p>') or updated
    if updated != text:
        readme.write_text(updated, encoding="utf-8")
    return updated != text


def model_card(report: dict[str, Any], metadata: dict[str, Any], schema: InputSchema) -> str:
    """The model card: what the model is, what it was trained on, how good it is, and its limits."""
    features = "\n".join(
        f"- `{f.name}`: "
        + (
            f"number in [{f.minimum:g}, {f.maximum:g}]"
            if f.kind == "number"
            else f"one of {', '.join(f.categories)}"
        )
        + (" (may be missing)" if f.nullable else "")
        for f in schema.features
    )
    _, verdict = beats_baseline(report)
    classes = metadata.get("classes") or []
    outcome = f"one of {', '.join(classes)}" if classes else "a number"
    mlflow = metadata.get("mlflow") or {}
    return f"""# Model card: {metadata["project"]}

## Model
- Estimator: `{metadata["model"]}` inside a scikit-learn pipeline (imputation, scaling,
  one-hot encoding), saved with skops.
- Version `{metadata["version"]}`, trained {metadata["trained_at"]}
  on {metadata["train_rows"]} rows.
- MLflow run `{mlflow.get("run_id")}`, registry version {mlflow.get("registered_version")}.

## Intended use
Predicts `{schema.target}` ({outcome}) from the features below. It is a demonstration and
reference model: check it on data from your own setting before relying on it.

## Data
Data hash `{schema.data_hash}`. Features:

{features}

## Results
{results_table(report)}

On the test split, the `{metadata["model"]}` {verdict}.

## Limitations
{limitations(report)}
- Inputs outside the ranges above are extrapolation; unseen categories are encoded as all zeros.
- Missing values are imputed (median for numbers, most frequent category otherwise).
"""
