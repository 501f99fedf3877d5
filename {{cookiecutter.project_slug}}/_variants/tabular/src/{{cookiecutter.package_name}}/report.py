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


def update_readme(readme: Path, report: dict[str, Any], figures: Sequence[Path] = ()) -> bool:
    """Replace the README's results section with the table and figures; True if it changed."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.DOTALL)
    if not pattern.search(text):
        raise ReportError(f"{readme} has no '{README_START}' … '{README_END}' section")
    images = "\n".join(
        f'<img src="{Path(os.path.relpath(figure, readme.parent)).as_posix()}" '
        f'alt="{figure.stem.replace("_", " ")}" width="49%">'
        for figure in figures
    )
    section = "\n\n".join(part for part in (results_table(report), images) if part)
    updated = pattern.sub(lambda _: f"{README_START}\n{section}\n{README_END}", text, count=1)
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
- Scores come from one held-out split; the cross-validation spread shows how much they vary.
- Inputs outside the ranges above are extrapolation; unseen categories are encoded as all zeros.
- Missing values are imputed (median for numbers, most frequent category otherwise).
"""
