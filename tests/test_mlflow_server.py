"""Training against a real MLflow tracking server on loopback (SQL store, proxied artifacts).

The server's backend store is a PostgreSQL database on a throwaway server, as a team would run
it (a SQLite file where PostgreSQL is not installed).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from helpers import BIN, postgres_missing, postgres_server, run, serving, write_small_params

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def backend_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server's backend store URI: PostgreSQL where installed (CI installs it), else SQLite.

    One training either way, to keep the suite's time down.
    """
    if postgres_missing():
        yield f"sqlite:///{tmp_path_factory.mktemp('mlflow-store') / 'mlflow.db'}"
        return
    with postgres_server("mlflow") as url:
        yield url + "mlflow"


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory, backend_store: str) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mlflow-server")
    command = [
        BIN / "mlflow", "server",
        "--backend-store-uri", backend_store,
        "--artifacts-destination", root / "artifacts",
        "--host", "127.0.0.1", "--port", "{port}", "--workers", "1",
    ]  # fmt: skip
    with serving(command, cwd=root, ready="/health", log=root / "server.log", timeout=90) as server:
        yield server.url


def test_training_is_recorded_on_a_remote_server(default_project: Path, mlflow_server: str) -> None:
    small = write_small_params(default_project, default_project / "params-small.yaml")
    env = {"MLFLOW_TRACKING_URI": mlflow_server}
    cli = BIN / default_project.name
    out = default_project / "remote"
    for command in (
        ("prepare", "--params", small, "--out-dir", out / "data"),
        ("train", "--params", small, "--data-dir", out / "data", "--model-dir", out / "models"),
        (
            "evaluate", "--params", small, "--data-dir", out / "data",
            "--model-dir", out / "models", "--reports-dir", out / "reports",
        ),
    ):  # fmt: skip
        run(cli, *command, cwd=default_project, env=env)
    assert not (default_project / "mlflow.db").exists(), "a local store was used"

    probe = f"""
import json, mlflow
from mlflow import MlflowClient
mlflow.set_tracking_uri({mlflow_server!r})
client = MlflowClient()
metadata = json.load(open({str(out / "models" / "metadata.json")!r}))
run = client.get_run(metadata["mlflow"]["run_id"])
versions = client.search_model_versions("name = 'penguin-species-classifier'")
model = mlflow.sklearn.load_model(f"models:/penguin-species-classifier/{{versions[0].version}}")
artifacts = [a.path for a in client.list_artifacts(run.info.run_id, "evaluation")]
print(json.dumps({{
    "accuracy": run.data.metrics["test_accuracy"],
    "baseline": run.data.metrics["baseline_accuracy"],
    "versions": len(versions),
    "model": type(model).__name__,
    "artifacts": artifacts,
}}))
"""
    result = run(BIN / "python", "-c", probe, cwd=default_project)
    record = yaml.safe_load(result.stdout.strip().splitlines()[-1])
    assert record["accuracy"] > record["baseline"]
    assert record["versions"] == 1
    assert record["model"] == "Pipeline"
    assert "evaluation/confusion_matrix.png" in record["artifacts"]
    assert "evaluation/model_card.md" in record["artifacts"]
