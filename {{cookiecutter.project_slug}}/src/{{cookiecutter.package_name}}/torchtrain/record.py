"""What a PyTorch training adds to its MLflow run: the learning curves and the model files.

Called inside the run that the shared `train` stage opens, by the primary process only. The
per-epoch metrics are logged with their epoch as the step and their original timestamps, so
MLflow draws the same curves as if they had been logged live.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from .trainer import EpochRecord

log = logging.getLogger(__name__)

CURVES = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate")


def log_history(history: Sequence[EpochRecord]) -> None:
    """Each epoch's losses, accuracies and learning rate, stepped by epoch."""
    import mlflow
    from mlflow.entities import Metric

    metrics = [
        Metric(
            key=name,
            value=float(getattr(record, name)),
            timestamp=record.timestamp_ms,
            step=record.epoch,
        )
        for record in history
        for name in CURVES
    ]
    run = mlflow.active_run()
    if run is None:
        raise RuntimeError("log_history needs an active MLflow run")
    mlflow.MlflowClient().log_batch(run.info.run_id, metrics=metrics)


def log_model_files(write: Callable[[Path], None], registered_name: str) -> str | None:
    """Log the files `write(directory)` makes as the run's `model` and register them.

    The registered version points at those files (safetensors and JSON), not at a pickled
    MLflow flavour; `Predictor.load` on a downloaded copy serves them.
    """
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    run = mlflow.active_run()
    if run is None:
        raise RuntimeError("log_model_files needs an active MLflow run")
    with tempfile.TemporaryDirectory() as directory:
        write(Path(directory))
        mlflow.log_artifacts(directory, artifact_path="model")
    client = MlflowClient()
    try:
        client.create_registered_model(registered_name)
    except MlflowException as error:
        if error.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    version = client.create_model_version(
        registered_name, source=f"{run.info.artifact_uri}/model", run_id=run.info.run_id
    )
    log.info("logged the model to MLflow run %s (registry version %s)", run.info.run_id,
             version.version)  # fmt: skip
    return str(version.version)
