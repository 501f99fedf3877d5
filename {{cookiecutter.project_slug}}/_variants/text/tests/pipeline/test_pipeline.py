"""The whole pipeline on tiny params: every stage's outputs, the MLflow record, every model."""

import json
import shutil
from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.core.reports import README_START, update_readme
from {{ cookiecutter.package_name }}.pipeline.evaluate import evaluate
from {{ cookiecutter.package_name }}.text.model.data import DATASET_FILE
from {{ cookiecutter.package_name }}.text.model.family import FAMILY
from {{ cookiecutter.package_name }}.text.model.scoring import SCORING

from helpers import PROJECT_ROOT, run_pipeline, shipped_params

CURVES = {"train_loss", "val_loss", "train_accuracy", "val_accuracy", "learning_rate"}


def test_metrics_compare_model_and_baseline(pipeline_run) -> None:
    report = json.loads((pipeline_run.reports_dir / "metrics.json").read_text(encoding="utf-8"))
    assert set(report) == {"model", "baseline", "cv", "split"}
    assert set(report["model"]) == set(report["baseline"]) == set(SCORING.metrics)
    assert report["baseline"]["roc_auc"] == 0.5
    assert 0 <= report["model"]["accuracy"] <= 1


def test_figures_plots_and_model_card_are_written(pipeline_run) -> None:
    figures = {path.name for path in (pipeline_run.reports_dir / "figures").glob("*.png")}
    assert figures == {"confusion_matrix.png", "learning_curves.png", "attributions.png"}
    plots = {path.stem for path in (pipeline_run.reports_dir / "plots").glob("*.json")}
    assert plots == {"confusion_matrix", "per_class", "learning_curves", "confidently_wrong"}
    wrong = json.loads((pipeline_run.reports_dir / "plots" / "confidently_wrong.json").read_text())
    assert all(row["actual"] != row["predicted"] for row in wrong)
    assert [row["probability"] for row in wrong] == sorted(
        (row["probability"] for row in wrong), reverse=True
    )
    card = (pipeline_run.reports_dir / "model_card.md").read_text(encoding="utf-8")
    assert "dummy baseline" in card
    assert "first 32 tokens" in card


def test_the_model_directory_holds_safetensors_and_json_only(pipeline_run) -> None:
    names = {path.name for path in pipeline_run.model_dir.iterdir()}
    assert names == {"metadata.json", "model.json", "model.safetensors", "spec.json",
                     "tokenizer.json"}  # fmt: skip
    spec = json.loads((pipeline_run.model_dir / "spec.json").read_text(encoding="utf-8"))
    assert spec["classes"] == ["fresh", "rotten"]
    assert {example["label"] for example in spec["examples"]} == {"fresh", "rotten"}
    assert not list(pipeline_run.params.train.checkpoint_dir.glob("*"))  # removed once done


def test_training_is_recorded_in_mlflow(pipeline_run) -> None:
    metadata = json.loads((pipeline_run.model_dir / "metadata.json").read_text(encoding="utf-8"))
    mlflow.set_tracking_uri(pipeline_run.settings.mlflow_tracking_uri)
    client = MlflowClient()
    run = client.get_run(metadata["mlflow"]["run_id"])
    assert run.data.params["train.model"] == "minilm_finetune"
    assert set(run.data.metrics) >= CURVES
    assert [point.step for point in client.get_metric_history(run.info.run_id, "val_loss")] == [1]
    assert run.data.metrics["test_accuracy"] == pipeline_run.report["model"]["accuracy"]
    artifacts = {item.path for item in client.list_artifacts(run.info.run_id, "model")}
    assert {"model/model.safetensors", "model/tokenizer.json", "model/spec.json"} <= artifacts


def test_report_fills_the_readme_results(pipeline_run, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    shutil.copy(PROJECT_ROOT / "README.md", readme)
    assert README_START in readme.read_text(encoding="utf-8")
    figures = sorted((pipeline_run.reports_dir / "figures").glob("*.png"))
    assert update_readme(readme, pipeline_run.report, SCORING, figures) is True
    text = readme.read_text(encoding="utf-8")
    assert f"**{pipeline_run.report['model']['accuracy']:.3f}**" in text


def test_evaluating_a_model_on_other_data_is_refused(pipeline_run, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(pipeline_run.data_dir, data_dir)
    info = json.loads((data_dir / DATASET_FILE).read_text(encoding="utf-8"))
    info["data_hash"] = "0" * 16
    (data_dir / DATASET_FILE).write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"trained on other data .* run the train stage"):
        evaluate(FAMILY, pipeline_run.params, data_dir, pipeline_run.model_dir,
                 tmp_path / "reports", pipeline_run.settings)  # fmt: skip


@pytest.mark.parametrize(
    ("model", "files", "figures"),
    [
        ("baseline", {"model.skops"}, {"confusion_matrix.png"}),
        ("tfidf_logreg", {"model.skops"},
         {"confusion_matrix.png", "learning_curve.png", "top_ngrams.png", "attributions.png"}),
        ("minilm_embeddings",
         {"encoder.safetensors", "encoder.json", "classifier.skops", "tokenizer.json"},
         {"confusion_matrix.png", "learning_curve.png", "attributions.png"}),
    ],
)  # fmt: skip
def test_the_other_models_train_and_evaluate(
    model: str, files: set[str], figures: set[str], pipeline_run, tmp_path: Path
) -> None:
    raw = shipped_params()
    raw["train"]["model"] = model
    run = run_pipeline(tmp_path, raw, pipeline_run.data_dir)
    names = {path.name for path in run.model_dir.iterdir()}
    assert names == {"metadata.json", "model.json", "spec.json", *files}
    assert {path.name for path in (run.reports_dir / "figures").glob("*.png")} == figures


def test_frozen_lower_layers_do_not_change(pipeline_run, tmp_path: Path) -> None:
    from safetensors.torch import load_file

    raw = shipped_params()
    raw["models"]["minilm_finetune"]["freeze_layers"] = 1
    run = run_pipeline(tmp_path, raw, pipeline_run.data_dir)
    tuned = load_file(str(run.model_dir / "model.safetensors"))
    pretrained = load_file(str(Path(raw["encoder"]["name"]) / "model.safetensors"))
    frozen = "encoder.layer.0.attention.self.query.weight"
    trained = "encoder.layer.1.attention.self.query.weight"
    assert (tuned[f"bert.{frozen}"] == pretrained[frozen]).all()
    assert not (tuned[f"bert.{trained}"] == pretrained[trained]).all()
