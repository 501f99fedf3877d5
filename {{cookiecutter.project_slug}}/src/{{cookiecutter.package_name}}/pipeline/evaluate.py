"""The `evaluate` stage: the model against a dummy baseline on the held-out test split.

Writes reports/metrics.json ({"model", "baseline", "cv", "split"}), DVC plot data, PNG figures
and the model card, and adds the test metrics and figures to the training run in MLflow.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..core import modeldir, tracking
from ..core.files import write_json, write_text
from ..core.reports import FIGURES_DIR, METRICS_FILE, MODEL_CARD_FILE, PLOTS_DIR, model_card
from ..core.settings import Settings
from ..task import P, TaskFamily

log = logging.getLogger(__name__)


def evaluate(
    family: TaskFamily[P],
    params: P,
    data_dir: Path,
    model_dir: Path,
    reports_dir: Path,
    settings: Settings,
) -> dict[str, Any]:
    """Score model and baseline on the test split; write every report; return metrics.json."""
    model = modeldir.load(model_dir)
    log.info("scoring %s and the dummy baseline on the test split", model.metadata["model"])
    evaluation = family.evaluate(params, data_dir, model, reports_dir / FIGURES_DIR)
    report = {
        "model": evaluation.model,
        "baseline": evaluation.baseline,
        "cv": model.metadata["cv"],
        "split": evaluation.split,
    }
    for name, rows in evaluation.plots.items():
        write_json(rows, reports_dir / PLOTS_DIR / f"{name}.json")
    write_json(report, reports_dir / METRICS_FILE)
    card = write_text(
        model_card(report, model.metadata, family.scoring, family.model_card(model)),
        reports_dir / MODEL_CARD_FILE,
    )
    _record(settings, model.metadata, report, [*evaluation.figures, card])
    headline = family.scoring.headline
    log.info(
        "test %s: model %.4f, baseline %.4f",
        headline, report["model"][headline], report["baseline"][headline],
    )  # fmt: skip
    return report


def _record(
    settings: Settings, metadata: dict[str, Any], report: dict[str, Any], files: list[Path]
) -> None:
    """Add test metrics and figures to the MLflow run that trained the model."""
    run_id = (metadata.get("mlflow") or {}).get("run_id")
    if not run_id:
        log.warning("the model has no MLflow run id; the evaluation is not recorded in MLflow")
        return
    with tracking.run(settings, run_id=run_id):
        tracking.log_values(
            metrics={
                **{f"test_{k}": v for k, v in report["model"].items()},
                **{f"baseline_{k}": v for k, v in report["baseline"].items()},
            }
        )
        tracking.log_files(files, folder="evaluation")
