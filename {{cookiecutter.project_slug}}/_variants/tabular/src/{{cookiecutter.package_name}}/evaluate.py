"""The `evaluate` stage: score the model against a dummy baseline on the held-out test split.

Writes reports/metrics.json ({"model", "baseline", "cv", "split"}), DVC plot data, PNG figures
and the model card, and adds the test metrics and figures to the training run in MLflow.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.inspection import permutation_importance
from sklearn.model_selection import learning_curve

from . import figures, metrics, plots, tracking
from .config import Params
from .data import SCHEMA_FILE, TEST_FILE, TRAIN_FILE, load_schema, load_split
from .files import write_json, write_text
from .models import build_model
from .predictor import Predictor
from .report import model_card
from .schema import DataValidationError, InputSchema, conform
from .settings import Settings

log = logging.getLogger(__name__)

METRICS_FILE = "metrics.json"
MODEL_CARD_FILE = "model_card.md"


def _sign(scorer: str) -> float:
    return -1.0 if scorer.startswith("neg_") else 1.0


def _importance(
    predictor: Predictor, features: Any, target: np.ndarray, params: Params
) -> dict[str, list[Any]]:
    """Permutation importance of each input column for the headline metric."""
    scorer = metrics.CV_SCORERS[metrics.HEADLINE]
    result = permutation_importance(
        predictor.model,
        features,
        target,
        scoring=scorer,
        n_repeats=params.evaluate.permutation_repeats,
        random_state=params.train.seed,
        n_jobs=1,
    )
    return {
        "names": list(features.columns),
        "means": [float(v) for v in result.importances_mean],
        "stds": [float(v) for v in result.importances_std],
    }


def _learning_curve(
    features: Any, target: np.ndarray, params: Params, schema: InputSchema
) -> dict[str, list[Any]]:
    """Training and cross-validation scores of the headline metric as the training set grows."""
    scorer = metrics.CV_SCORERS[metrics.HEADLINE]
    sizes, train_scores, test_scores = learning_curve(
        build_model(params.train.model, params, schema),
        features,
        target,
        train_sizes=np.linspace(0.2, 1.0, params.evaluate.learning_curve_points),
        cv=metrics.cv_splitter(params.train.cv_folds, params.train.seed),
        scoring=scorer,
        n_jobs=1,
    )
    sign = _sign(scorer)
    return {
        "sizes": [int(size) for size in sizes],
        "train": [float(v) for v in sign * train_scores.mean(axis=1)],
        "validation": [float(v) for v in sign * test_scores.mean(axis=1)],
    }


def evaluate(
    params: Params, data_dir: Path, model_dir: Path, reports_dir: Path, settings: Settings
) -> dict[str, Any]:
    """Score model and baseline on the test split; write every report; return metrics.json."""
    predictor = Predictor.load(model_dir)
    schema = load_schema(data_dir / SCHEMA_FILE)
    if predictor.schema.data_hash != schema.data_hash:
        raise DataValidationError(
            f"the model in '{model_dir}' was trained on other data (hash "
            f"{predictor.schema.data_hash}) than '{data_dir}' holds ({schema.data_hash}): "
            "run the train stage first"
        )
    test_features, test_labels = load_split(data_dir, TEST_FILE, schema)
    train_features, train_labels = load_split(data_dir, TRAIN_FILE, schema)
    classes = predictor.classes
    test_target = metrics.truth(test_labels, classes)
    train_target = metrics.truth(train_labels, classes)
    train_inputs = conform(train_features, schema)
    test_inputs = conform(test_features, schema)

    log.info(
        "scoring %s and the baseline on %d test rows", predictor.metadata["model"], len(test_target)
    )
    model_outputs = predictor.outputs(test_features)
    baseline = build_model("baseline", params, schema).fit(train_inputs, train_target)
    report = {
        "model": metrics.score(test_target, model_outputs, classes),
        "baseline": metrics.score(test_target, metrics.outputs(baseline, test_inputs), classes),
        "cv": predictor.metadata["cv"],
        # How much data the scores rest on: the README's limitations quote it.
        "split": {
            "train_rows": len(train_target),
            "test_rows": len(test_target),
            "cv_folds": params.train.cv_folds,
        },
    }

    plots_dir, figures_dir = reports_dir / "plots", reports_dir / "figures"
    importance = _importance(predictor, test_inputs, test_target, params)
    curve = _learning_curve(train_inputs, train_target, params, schema)
    plot_rows = metrics.plot_data(test_target, model_outputs, classes)
    plot_rows["feature_importance"] = [
        {"feature": name, "importance": round(mean, 6)}
        for name, mean in zip(importance["names"], importance["means"], strict=True)
    ]
    plot_rows["learning_curve"] = [
        {"train_rows": size, "train": round(a, 6), "validation": round(b, 6)}
        for size, a, b in zip(curve["sizes"], curve["train"], curve["validation"], strict=True)
    ]
    for name, rows in plot_rows.items():
        write_json(rows, plots_dir / f"{name}.json")
    pictures = plots.draw(test_target, model_outputs, classes, figures_dir)
    pictures.append(
        figures.feature_importance(
            importance["names"], importance["means"], importance["stds"],
            figures_dir / "feature_importance.png",
        )
    )  # fmt: skip
    pictures.append(
        figures.learning_curve(
            curve["sizes"], curve["train"], curve["validation"], metrics.HEADLINE,
            figures_dir / "learning_curve.png",
        )
    )  # fmt: skip

    write_json(report, reports_dir / METRICS_FILE)
    card = write_text(model_card(report, predictor.metadata, schema), reports_dir / MODEL_CARD_FILE)
    _record(settings, predictor.metadata, report, [*pictures, card])
    log.info(
        "test %s: model %.4f, baseline %.4f",
        metrics.HEADLINE,
        report["model"][metrics.HEADLINE],
        report["baseline"][metrics.HEADLINE],
    )
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
