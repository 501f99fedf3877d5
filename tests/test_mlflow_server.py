"""Training against a real MLflow tracking server on loopback (SQL store, proxied artifacts)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import BIN, ENV, run

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (root / "server.log").open("w")
    server = subprocess.Popen(
        [
            str(BIN / "mlflow"), "server",
            "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
            "--artifacts-destination", str(root / "artifacts"),
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        ],
        env=ENV, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"mlflow server did not start:\n{(root / 'server.log').read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_training_is_recorded_on_a_remote_server(default_project: Path, mlflow_server: str) -> None:
    params = yaml.safe_load((default_project / "params.yaml").read_text(encoding="utf-8"))
    params["train"]["cv_folds"] = 2
    params["models"]["xgboost"]["n_estimators"] = 20
    params["evaluate"].update(permutation_repeats=1, learning_curve_points=2)
    small = default_project / "params-small.yaml"
    small.write_text(yaml.safe_dump(params), encoding="utf-8")
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
