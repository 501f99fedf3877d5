"""The whole pipeline on tiny params: every stage's outputs, the MLflow record, every model."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import mlflow
import pytest
import yaml
from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.core.reports import README_START, beats_baseline, update_readme
from {{ cookiecutter.package_name }}.image.model.data import DATASET_FILE
from {{ cookiecutter.package_name }}.image.model.family import FAMILY
from {{ cookiecutter.package_name }}.image.model.scoring import SCORING
from {{ cookiecutter.package_name }}.pipeline.evaluate import evaluate

from helpers import CLI, PROJECT_ROOT, run_pipeline, settings_for, shipped_params

CURVES = {"train_loss", "val_loss", "train_accuracy", "val_accuracy", "learning_rate"}


def test_metrics_compare_model_and_baseline(pipeline_run) -> None:
    report = json.loads((pipeline_run.reports_dir / "metrics.json").read_text(encoding="utf-8"))
    assert set(report) == {"model", "baseline", "cv", "split"}
    assert set(report["model"]) == set(report["baseline"]) == set(SCORING.metrics)
    better, summary = beats_baseline(report, SCORING)
    assert better, summary


def test_figures_plots_and_model_card_are_written(pipeline_run) -> None:
    figures = {path.name for path in (pipeline_run.reports_dir / "figures").glob("*.png")}
    assert figures == {
        "confusion_matrix.png", "per_class.png", "misclassified.png", "learning_curves.png",
        "saliency.png", "augmented_samples.png",
    }  # fmt: skip
    plots = {path.stem for path in (pipeline_run.reports_dir / "plots").glob("*.json")}
    assert plots == {"confusion_matrix", "per_class", "learning_curves"}
    curves = json.loads((pipeline_run.reports_dir / "plots" / "learning_curves.json").read_text())
    assert [row["epoch"] for row in curves] == [1]
    card = (pipeline_run.reports_dir / "model_card.md").read_text(encoding="utf-8")
    assert "dummy baseline" in card
    assert "8x8 grayscale" in card


def test_the_model_directory_holds_safetensors_and_json_only(pipeline_run) -> None:
    names = {path.name for path in pipeline_run.model_dir.iterdir()}
    assert names == {"metadata.json", "model.json", "model.safetensors", "spec.json"}
    spec = json.loads((pipeline_run.model_dir / "spec.json").read_text(encoding="utf-8"))
    assert spec["classes"] == [str(digit) for digit in range(10)]
    assert len(spec["examples"]) == 10
    assert not list(pipeline_run.params.train.checkpoint_dir.glob("*"))  # removed once done


def test_training_is_recorded_in_mlflow(pipeline_run) -> None:
    metadata = json.loads((pipeline_run.model_dir / "metadata.json").read_text(encoding="utf-8"))
    mlflow.set_tracking_uri(pipeline_run.settings.mlflow_tracking_uri)
    client = MlflowClient()
    run = client.get_run(metadata["mlflow"]["run_id"])
    assert run.data.params["train.model"] == "cnn"
    assert set(run.data.metrics) >= CURVES
    history = client.get_metric_history(run.info.run_id, "val_loss")
    assert [point.step for point in history] == [1]
    assert run.data.metrics["test_accuracy"] == pipeline_run.report["model"]["accuracy"]
    name = pipeline_run.settings.mlflow_registered_model_name
    versions = client.search_model_versions(f"name = '{name}'")
    assert [v.run_id for v in versions] == [run.info.run_id]
    artifacts = {item.path for item in client.list_artifacts(run.info.run_id, "model")}
    assert {"model/model.safetensors", "model/model.json", "model/spec.json"} <= artifacts


def test_report_fills_the_readme_results(pipeline_run, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    shutil.copy(PROJECT_ROOT / "README.md", readme)
    assert README_START in readme.read_text(encoding="utf-8")
    figures = sorted((pipeline_run.reports_dir / "figures").glob("*.png"))
    assert update_readme(readme, pipeline_run.report, SCORING, figures) is True
    text = readme.read_text(encoding="utf-8")
    assert f"**{pipeline_run.report['model']['accuracy']:.3f}**" in text
    assert text.count("<img src=") == len(figures)


def test_evaluating_a_model_on_other_data_is_refused(pipeline_run, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(pipeline_run.data_dir, data_dir)
    info = json.loads((data_dir / DATASET_FILE).read_text(encoding="utf-8"))
    info["data_hash"] = "0" * 16
    (data_dir / DATASET_FILE).write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"trained on other data .* run the train stage"):
        evaluate(FAMILY, pipeline_run.params, data_dir, pipeline_run.model_dir,
                 tmp_path / "reports", pipeline_run.settings)  # fmt: skip


@pytest.mark.parametrize("model", ["baseline", "pixels_logreg"])
def test_the_scikit_learn_models_train_and_evaluate(
    model: str, pipeline_run, tmp_path: Path
) -> None:
    raw = shipped_params()
    raw["train"]["model"] = model
    run = run_pipeline(tmp_path, raw, pipeline_run.data_dir)
    assert (run.model_dir / "model.skops").is_file()
    figures = {path.name for path in (run.reports_dir / "figures").glob("*.png")}
    assert ("saliency.png" in figures) == (model == "pixels_logreg")
    if model == "pixels_logreg":
        assert run.report["model"]["accuracy"] > run.report["baseline"]["accuracy"]


@pytest.mark.slow
def test_efficientnet_trains_its_head_then_fine_tunes(pipeline_run, tmp_path: Path) -> None:
    raw = shipped_params()
    raw["train"]["model"] = "efficientnet_lite0"
    run = run_pipeline(tmp_path, raw, pipeline_run.data_dir)
    metadata = json.loads((run.model_dir / "metadata.json").read_text(encoding="utf-8"))
    assert [record["stage"] for record in metadata["history"]] == ["head", "fine-tune"]
    assert [record["epoch"] for record in metadata["history"]] == [1, 2]
    description = json.loads((run.model_dir / "model.json").read_text(encoding="utf-8"))
    assert description["settings"]["input_size"] == 32


@pytest.mark.slow
def test_two_processes_train_one_model_like_one_process(pipeline_run, tmp_path: Path) -> None:
    """torchrun with 2 CPU processes (gloo): one model, one MLflow run, the same accuracy."""
    raw = shipped_params()
    raw["train"]["checkpoint_dir"] = str(tmp_path / "checkpoints")
    params_file = tmp_path / "params.yaml"
    params_file.write_text(yaml.safe_dump(raw), encoding="utf-8")
    env = {"MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}"}
    torchrun = Path(sys.executable).with_name("torchrun")
    command = [
        torchrun, "--standalone", "--nproc-per-node=2", "--no-python", *CLI,
        "train", "--params", params_file, "--data-dir", pipeline_run.data_dir,
        "--model-dir", tmp_path / "models",
    ]  # fmt: skip
    result = subprocess.run([str(part) for part in command], cwd=PROJECT_ROOT,
                            env={**os.environ, **env}, capture_output=True, text=True,
                            timeout=900, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    assert "process 1 of 2 joined the gloo process group" in result.stderr
    report = evaluate(FAMILY, pipeline_run.params, pipeline_run.data_dir, tmp_path / "models",
                      tmp_path / "reports", settings_for(tmp_path))  # fmt: skip
    mlflow.set_tracking_uri(env["MLFLOW_TRACKING_URI"])
    runs = MlflowClient().search_runs(
        [experiment.experiment_id for experiment in MlflowClient().search_experiments()]
    )
    assert len(runs) == 1
    single = pipeline_run.report["model"]["accuracy"]
    assert abs(report["model"]["accuracy"] - single) <= 0.1, (report, single)
