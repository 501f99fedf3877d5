"""The `train` stage: the family fits the model; this records it and saves models/ whole."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import PROJECT
from ..core import modeldir, tracking
from ..core.settings import Settings
from ..task import P, StageParams, TaskFamily, Trained

log = logging.getLogger(__name__)


def model_metadata(
    trained: Trained,
    params: StageParams,
    trained_at: datetime,
    run_id: str | None,
    registry_version: str | None,
) -> dict[str, Any]:
    """What metadata.json records about a fitted model, beside its files' hashes."""
    return {
        **trained.description,
        "project": PROJECT,
        "model": params.model_name,
        "version": f"{trained_at:%Y%m%d.%H%M%S}",
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "params": params.flat(),
        "cv": trained.cv,
        "mlflow": {"run_id": run_id, "registered_version": registry_version},
    }


def train(
    family: TaskFamily[P], params: P, data_dir: Path, model_dir: Path, settings: Settings
) -> modeldir.ModelDir | None:
    """Fit `params.model_name`, log the run to MLflow, and swap the new model into `model_dir`.

    Under `torchrun`, every process trains and only the primary one records and saves (the
    others return None).
    """
    name = params.model_name
    trained = family.train(params, data_dir)
    if not trained.primary:
        return None
    headline = family.scoring.headline
    if f"{headline}_mean" in trained.cv:
        log.info(
            "cv %s: %.4f ± %.4f", headline, trained.cv[f"{headline}_mean"],
            trained.cv[f"{headline}_std"],
        )  # fmt: skip
    trained_at = datetime.now(UTC)
    with tracking.run(settings, model=name) as active:
        run_id = active.info.run_id
        tracking.log_values(
            params=params.flat(), metrics={f"cv_{k}": v for k, v in trained.cv.items()}
        )
        registry_version = family.log_model(trained, settings.mlflow_registered_model_name)
        metadata = model_metadata(trained, params, trained_at, run_id, registry_version)
        saved = modeldir.save(
            model_dir, lambda directory: family.write_model(trained, directory), metadata
        )
    log.info("saved %s model version %s to %s", name, metadata["version"], model_dir)
    return saved
