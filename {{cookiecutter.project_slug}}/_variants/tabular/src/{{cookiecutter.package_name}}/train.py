"""The `train` stage: cross-validate, fit on the whole training split, save and record the model."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import cross_validate

from . import PROJECT, artifacts, metrics, tracking
from .config import Params
from .data import SCHEMA_FILE, TRAIN_FILE, load_schema, load_split
from .models import TRUSTED_TYPES, build_model
from .schema import conform
from .settings import Settings

log = logging.getLogger(__name__)

# What the logged MLflow model needs to load: exact versions of this environment.
MODEL_REQUIREMENTS = ("numpy", "pandas", "scikit-learn", "skops", ("xgboost-cpu", "xgboost"))


@dataclass(frozen=True)
class TrainResult:
    """What `train` produced."""

    model_dir: Path
    version: str
    cv: dict[str, float]
    run_id: str


def cross_validation(
    model: Any, features: Any, target: np.ndarray, params: Params
) -> dict[str, float]:
    """Mean and standard deviation of each metric over the folds (errors reported positive)."""
    scores = cross_validate(
        model,
        features,
        target,
        cv=metrics.cv_splitter(params.train.cv_folds, params.train.seed),
        scoring=metrics.CV_SCORERS,
        n_jobs=1,
        error_score="raise",
    )
    summary: dict[str, float] = {}
    for name, scorer in metrics.CV_SCORERS.items():
        values = scores[f"test_{name}"] * (-1 if scorer.startswith("neg_") else 1)
        summary[f"{name}_mean"] = float(np.mean(values))
        summary[f"{name}_std"] = float(np.std(values))
    return summary


def pinned_requirements() -> list[str]:
    """`name==version` for each package the model needs, as installed here."""
    pins = []
    for requirement in MODEL_REQUIREMENTS:
        for name in (requirement,) if isinstance(requirement, str) else requirement:
            try:
                pins.append(f"{name}=={version(name)}")
                break
            except PackageNotFoundError:
                continue
    return pins


def train(params: Params, data_dir: Path, model_dir: Path, settings: Settings) -> TrainResult:
    """Cross-validate and fit `params.train.model`; write models/ and record an MLflow run."""
    schema = load_schema(data_dir / SCHEMA_FILE)
    raw_features, labels = load_split(data_dir, TRAIN_FILE, schema)
    features = conform(raw_features, schema)
    classes = metrics.classes_of(labels)
    target = metrics.truth(labels, classes)
    name = params.train.model
    model = build_model(name, params, schema)

    log.info(
        "cross-validating %s with %d folds on %d rows", name, params.train.cv_folds, len(target)
    )
    cv = cross_validation(model, features, target, params)
    log.info(
        "cv %s: %.4f ± %.4f",
        metrics.HEADLINE,
        *(cv[f"{metrics.HEADLINE}_{s}"] for s in ("mean", "std")),
    )
    model.fit(features, target)

    trained_at = datetime.now(UTC)
    with tracking.run(settings, model=name) as active:
        run_id = active.info.run_id
        tracking.log_values(params=params.flat(), metrics={f"cv_{k}": v for k, v in cv.items()})
        registry_version = tracking.log_sklearn_model(
            model,
            input_example=features.head(5),
            registered_name=settings.mlflow_registered_model_name,
            trusted_types=TRUSTED_TYPES,
            requirements=pinned_requirements(),
        )
        metadata: dict[str, Any] = {
            "project": PROJECT,
            "model": name,
            "version": f"{trained_at:%Y%m%d.%H%M%S}",
            "trained_at": trained_at.isoformat(timespec="seconds"),
            "target": schema.target,
            "classes": classes,
            "data_hash": schema.data_hash,
            "train_rows": len(target),
            "params": params.flat(),
            "cv": cv,
            "mlflow": {"run_id": run_id, "registered_version": registry_version},
        }
        artifacts.save(artifacts.SavedModel(model, schema, metadata), model_dir)
    log.info("saved %s model version %s to %s", name, metadata["version"], model_dir)
    return TrainResult(model_dir=model_dir, version=metadata["version"], cv=cv, run_id=run_id)
