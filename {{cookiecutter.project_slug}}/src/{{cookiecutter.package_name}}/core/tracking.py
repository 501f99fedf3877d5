"""A thin layer over MLflow: where runs go, and what a training run records.

The files under models/ and reports/ are the source of truth; MLflow is the searchable record
of every run. MLflow is imported here only, and only when a run starts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .settings import Settings

if TYPE_CHECKING:
    from mlflow import ActiveRun

log = logging.getLogger(__name__)


def _artifact_location(tracking_uri: str) -> str | None:
    """Artifacts beside a local sqlite store (no server to hold them); None defers to a server."""
    if tracking_uri.startswith("sqlite:///"):
        # sqlite:///relative.db or sqlite:////absolute/path.db
        database = Path(tracking_uri.removeprefix("sqlite:///"))
        return (database.resolve().parent / "mlartifacts").as_uri()
    return None


@contextmanager
def run(settings: Settings, run_id: str | None = None, **tags: str) -> Iterator[ActiveRun]:
    """Start (or, with `run_id`, resume) a run in the project's experiment."""
    import mlflow

    mlflow.set_tracking_uri(settings.mlflow_tracking_uri)
    name = settings.mlflow_experiment_name
    experiment = mlflow.get_experiment_by_name(name)
    if experiment is None:
        experiment_id = mlflow.create_experiment(
            name, artifact_location=_artifact_location(settings.mlflow_tracking_uri)
        )
    else:
        experiment_id = experiment.experiment_id
    with mlflow.start_run(run_id=run_id, experiment_id=experiment_id, tags=tags or None) as active:
        yield active


def log_values(
    params: dict[str, Any] | None = None, metrics: dict[str, float] | None = None
) -> None:
    """Log flat parameters and metrics to the active run."""
    import mlflow

    if params:
        mlflow.log_params(
            {key: "null" if value is None else value for key, value in params.items()}
        )
    if metrics:
        mlflow.log_metrics(metrics)


def log_files(paths: list[Path], folder: str) -> None:
    """Attach files (figures, reports) to the active run."""
    import mlflow

    for path in paths:
        mlflow.log_artifact(str(path), artifact_path=folder)


def log_sklearn_model(
    model: Any,
    input_example: Any,
    registered_name: str,
    trusted_types: list[str],
    requirements: list[str],
) -> str | None:
    """Log a scikit-learn pipeline (skops format) and register it; return the registry version.

    The pip requirements are given explicitly: inferring them costs seconds per model.
    """
    import mlflow
    from mlflow.models import infer_signature

    signature = infer_signature(input_example, model.predict(input_example))
    info = mlflow.sklearn.log_model(
        model,
        name="model",
        serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_SKOPS,
        skops_trusted_types=trusted_types,
        signature=signature,
        input_example=input_example,
        pip_requirements=requirements,
        registered_model_name=registered_name,
    )
    version = info.registered_model_version
    log.info("logged the model to MLflow run %s (registry version %s)", info.run_id, version)
    return None if version is None else str(version)
