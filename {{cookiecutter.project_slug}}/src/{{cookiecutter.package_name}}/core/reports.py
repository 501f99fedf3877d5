"""Human-readable results: the metrics table, the model card, the README section, the gate.

Everything here reads `reports/metrics.json` through `read_metrics` and learns what each metric
means from the family's `Scoring`, so it works unchanged for every task family.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ProjectError, ReportError
from .files import read_json

METRICS_FILE = "metrics.json"
MODEL_CARD_FILE = "model_card.md"
FIGURES_DIR = "figures"
PLOTS_DIR = "plots"
README_START = "<!-- results:start -->"
README_END = "<!-- results:end -->"
# metrics.json: test-split scores of the model and of the dummy baseline, and cross-validation.
SECTIONS = ("model", "baseline", "cv")


@dataclass(frozen=True)
class Metric:
    """How a metric is shown and compared."""

    label: str
    greater_is_better: bool = True


@dataclass(frozen=True)
class Scoring:
    """A family's metrics, in table order, and the headline metric a model must win on."""

    headline: str
    metrics: dict[str, Metric]

    def better(self, name: str, value: float, than: float) -> bool:
        """Whether `value` is strictly better than `than` on metric `name`."""
        return value > than if self.metrics[name].greater_is_better else value < than


@dataclass(frozen=True)
class ModelCard:
    """What only the family knows about a trained model, for its card."""

    estimator: str
    predicts: str
    inputs: list[str]
    limitations: list[str] = field(default_factory=list)


def read_metrics(path: Path) -> dict[str, Any]:
    """Read reports/metrics.json, checking its shape (the one reader of that file)."""
    try:
        report = read_json(path, "metrics", "run the evaluate stage (dvc repro) first")
    except ProjectError as error:
        raise ReportError(str(error)) from None
    if not isinstance(report, dict):
        raise ReportError(f"{path}: expected a JSON object")
    for section in SECTIONS:
        if not isinstance(report.get(section), dict):
            raise ReportError(f"{path}: section '{section}' is missing")
    return report


def results_table(report: dict[str, Any], scoring: Scoring) -> str:
    """Markdown table: each test metric for the model, the dummy baseline and cross-validation."""
    lines = [
        "| metric (test split) | model | dummy baseline | cross-validation (train split) |",
        "|---|---:|---:|---:|",
    ]
    for name, metric in scoring.metrics.items():
        cv_mean, cv_std = report["cv"].get(f"{name}_mean"), report["cv"].get(f"{name}_std")
        cv = f"{cv_mean:.3f} ± {cv_std:.3f}" if cv_mean is not None else "n/a"
        arrow = "↑" if metric.greater_is_better else "↓"
        lines.append(
            f"| {metric.label} {arrow} | **{report['model'][name]:.3f}** "
            f"| {report['baseline'][name]:.3f} | {cv} |"
        )
    return "\n".join(lines)


def beats_baseline(report: dict[str, Any], scoring: Scoring) -> tuple[bool, str]:
    """Whether the model is strictly better than the dummy baseline on the headline metric."""
    metric = scoring.headline
    model, baseline = report["model"][metric], report["baseline"][metric]
    better = scoring.better(metric, model, baseline)
    verdict = "beats" if better else "does NOT beat"
    return better, f"model {metric} {model:.4f} {verdict} the dummy baseline's {baseline:.4f}"


def update_readme(
    readme: Path, report: dict[str, Any], scoring: Scoring, figures: Sequence[Path] = ()
) -> bool:
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
    section = "\n\n".join(part for part in (results_table(report, scoring), images) if part)
    updated = pattern.sub(lambda _: f"{README_START}\n{section}\n{README_END}", text, count=1)
    if updated != text:
        readme.write_text(updated, encoding="utf-8")
    return updated != text


def model_card(
    report: dict[str, Any], metadata: dict[str, Any], scoring: Scoring, card: ModelCard
) -> str:
    """The model card: what the model is, what it was trained on, how good it is, its limits."""
    _, verdict = beats_baseline(report, scoring)
    mlflow = metadata.get("mlflow") or {}
    inputs = "\n".join(f"- {line}" for line in card.inputs)
    limitations = "\n".join(
        f"- {line}"
        for line in (
            "Scores come from one held-out split; the cross-validation spread shows how much "
            "they vary.",
            *card.limitations,
        )
    )
    return f"""# Model card: {metadata["project"]}

## Model
- Estimator: `{metadata["model"]}`, {card.estimator}.
- Version `{metadata["version"]}`, trained {metadata["trained_at"]}
  on {metadata["train_rows"]} rows.
- MLflow run `{mlflow.get("run_id")}`, registry version {mlflow.get("registered_version")}.

## Intended use
Predicts `{metadata["target"]}` ({card.predicts}) from the inputs below. It is a demonstration
and reference model: check it on data from your own setting before relying on it.

## Data
Data hash `{metadata["data_hash"]}`. Inputs:

{inputs}

## Results
{results_table(report, scoring)}

On the test split, the `{metadata["model"]}` {verdict}.

## Limitations
{limitations}
"""
