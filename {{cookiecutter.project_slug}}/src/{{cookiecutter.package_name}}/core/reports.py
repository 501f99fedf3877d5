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
LIMITATIONS_START = "<!-- limitations:start -->"
LIMITATIONS_END = "<!-- limitations:end -->"
DATA_NOTE_START = "<!-- data-note:start -->"
DATA_NOTE_END = "<!-- data-note:end -->"
APP_START = "<!-- app:start -->"
APP_END = "<!-- app:end -->"
# A screenshot of the app beside metrics.json (`make screenshot`), shown near the README's top.
APP_PICTURE = "app.png"
# metrics.json: test-split scores of the model and of the dummy baseline, cross-validation, and
# (optional, for older files) "split": the rows and folds the scores rest on.
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


def limitations(report: dict[str, Any], scoring: Scoring) -> str:
    """Markdown bullets on how far the scores carry: the test-set size and the CV spread."""
    headline = scoring.headline
    label = scoring.metrics[headline].label
    bullets = []
    split = report.get("split") or {}
    if "test_rows" in split:
        bullets.append(
            f"- **{split['test_rows']} test rows.** Every test score comes from "
            f"{split['test_rows']} held-out rows (the model was trained on "
            f"{split['train_rows']}). On so few rows even a perfect score is not a claim about "
            "the real world: a few more rows could move it."
        )
    mean, std = report["cv"].get(f"{headline}_mean"), report["cv"].get(f"{headline}_std")
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


def data_note(metadata: dict[str, Any] | None) -> str:
    """A call to rewrite the README's data-dependent text, when the model learnt the user's data.

    The README's problem statement and data citation describe the bundled default data; once
    training records another `data_source` (the user's file), they no longer say what is true.
    """
    source = (metadata or {}).get("data_source")
    if not source or metadata is None:
        return ""
    return (
        f"> **To rewrite:** this section and *Data and licence* describe the bundled default "
        f"data, but the model was trained on `{source}` ({metadata.get('train_rows')} training "
        f"rows, predicting `{metadata.get('target')}`). Describe your problem and cite your "
        "data's source and licence."
    )


def _fill(text: str, start: str, end: str, body: str) -> str | None:
    """`text` with the part between the `start` and `end` markers replaced; None if absent."""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        return None
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text, count=1)


def update_readme(
    readme: Path,
    report: dict[str, Any],
    scoring: Scoring,
    figures: Sequence[Path] = (),
    picture: Path | None = None,
    metadata: dict[str, Any] | None = None,
) -> bool:
    """Replace the README's results and limitations sections; True if the file changed.

    `picture`, a screenshot of the app, goes into the README's app section when it has one;
    `metadata`, the trained model's, says whether the data-dependent text needs rewriting.
    """
    text = readme.read_text(encoding="utf-8")

    def source(path: Path) -> str:
        return Path(os.path.relpath(path, readme.parent)).as_posix()

    images = "\n".join(
        f'<img src="{source(figure)}" alt="{figure.stem.replace("_", " ")}" width="49%">'
        for figure in figures
    )
    section = "\n\n".join(part for part in (results_table(report, scoring), images) if part)
    updated = _fill(text, README_START, README_END, section)
    if updated is None:
        raise ReportError(f"{readme} has no '{README_START}' … '{README_END}' section")
    # Optional: a README without the limitations markers keeps its own text there.
    bullets = limitations(report, scoring)
    updated = _fill(updated, LIMITATIONS_START, LIMITATIONS_END, bullets) or updated
    updated = _fill(updated, DATA_NOTE_START, DATA_NOTE_END, data_note(metadata)) or updated
    if picture is not None:
        shot = f'<img src="{source(picture)}" alt="The demo app showing a prediction" width="85%">'
        updated = _fill(updated, APP_START, APP_END, f'<p align="center">{shot}</p>') or updated
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
    bullets = "\n".join([limitations(report, scoring), *(f"- {line}" for line in card.limitations)])
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
{bullets}
"""
