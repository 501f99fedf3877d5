"""A thin layer over MLflow: where runs go, and what a training run records.

The files under models/ and reports/ are the source of truth; MLflow is the searchable record
of every run. MLflow is imported here only, and only when a run starts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def _experiment_id(settings: Settings) -> str:
    """The project's experiment, created on first use."""
    import mlflow

    mlflow.set_tracking_uri(settings.mlflow_tracking_uri)
    name = settings.mlflow_experiment_name
    experiment = mlflow.get_experiment_by_name(name)
    if experiment is None:
        return mlflow.create_experiment(
            name, artifact_location=_artifact_location(settings.mlflow_tracking_uri)
        )
    return str(experiment.experiment_id)


@contextmanager
def run(
    settings: Settings, run_id: str | None = None, run_name: str | None = None, **tags: str
) -> Iterator[ActiveRun]:
    """Start (or, with `run_id`, resume) a run in the project's experiment.

    Started inside another run, it is nested under it (a study's trials, a leaderboard's
    entries).
    """
    import mlflow

    experiment_id = _experiment_id(settings)
    nested = mlflow.active_run() is not None
    with mlflow.start_run(
        run_id=run_id, experiment_id=experiment_id, run_name=run_name, nested=nested,
        tags=tags or None,
    ) as active:  # fmt: skip
        yield active


@dataclass(frozen=True)
class Child:
    """A finished piece of work recorded after the fact as a run nested under a parent."""

    name: str
    start_ms: int
    end_ms: int
    status: str  # FINISHED, FAILED or KILLED
    params: dict[str, Any]
    metrics: dict[str, float]
    tags: dict[str, str]


def log_children(settings: Settings, parent_run_id: str, children: list[Child]) -> list[str]:
    """Record `children` as runs nested under `parent_run_id`; return their run ids.

    Used for a study's trials, which worker processes run without touching MLflow: the
    command that started them records them all at the end, with their own start and end times.
    """
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param
    from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID, MLFLOW_RUN_NAME

    experiment_id = _experiment_id(settings)
    client = MlflowClient(settings.mlflow_tracking_uri)
    ids = []
    for child in children:
        created = client.create_run(
            experiment_id,
            start_time=child.start_ms,
            tags={**child.tags, MLFLOW_PARENT_RUN_ID: parent_run_id, MLFLOW_RUN_NAME: child.name},
            run_name=child.name,
        )
        run_id = created.info.run_id
        client.log_batch(
            run_id,
            metrics=[Metric(k, float(v), child.end_ms, 0) for k, v in child.metrics.items()],
            params=[Param(k, "null" if v is None else str(v)) for k, v in child.params.items()],
        )
        client.set_terminated(run_id, status=child.status, end_time=child.end_ms)
        ids.append(run_id)
    return ids


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
