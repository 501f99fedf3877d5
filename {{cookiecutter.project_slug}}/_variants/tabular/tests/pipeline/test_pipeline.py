"""The whole pipeline on shrunk params: every stage's outputs, and the MLflow record."""

import json
import shutil
import struct
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.core.errors import DataValidationError
from {{ cookiecutter.package_name }}.core.reports import (
    APP_END,
    APP_START,
    LIMITATIONS_START,
    README_END,
    README_START,
    beats_baseline,
    update_readme,
)
from {{ cookiecutter.package_name }}.pipeline.evaluate import evaluate
from {{ cookiecutter.package_name }}.tabular.model import objective
from {{ cookiecutter.package_name }}.tabular.model.data import TEST_FILE, TRAIN_FILE
from {{ cookiecutter.package_name }}.tabular.model.family import FAMILY
from {{ cookiecutter.package_name }}.tabular.model.schema import SCHEMA_FILE

from helpers import PROJECT_ROOT


def test_metrics_compare_model_baseline_and_cv(pipeline_run) -> None:
    report = json.loads((pipeline_run.reports_dir / "metrics.json").read_text(encoding="utf-8"))
    assert set(report) == {"model", "baseline", "cv", "split"}
    assert set(report["model"]) == set(report["baseline"]) == set(objective.SCORING.metrics)
    assert set(report["cv"]) == {
        f"{m}_{s}" for m in objective.SCORING.metrics for s in ("mean", "std")
    }
    assert report["split"] == {
        "train_rows": len(pd.read_parquet(pipeline_run.data_dir / TRAIN_FILE)),
        "test_rows": len(pd.read_parquet(pipeline_run.data_dir / TEST_FILE)),
        "cv_folds": pipeline_run.params.train.cv_folds,
    }
    better, summary = beats_baseline(report, objective.SCORING)
    assert better, summary


def test_figures_plots_and_model_card_are_written(pipeline_run) -> None:
    figures = {path.name for path in (pipeline_run.reports_dir / "figures").glob("*.png")}
    assert {"feature_importance.png", "learning_curve.png", "shap_summary.png"} <= figures
    assert len(figures) == 5
    for path in (pipeline_run.reports_dir / "plots").glob("*.json"):
        rows = json.loads(path.read_text(encoding="utf-8"))
        assert rows, f"{path.name} is empty"
    card = (pipeline_run.reports_dir / "model_card.md").read_text(encoding="utf-8")
    assert "dummy baseline" in card
    assert pipeline_run.params.data.target in card
    assert f"**{pipeline_run.report['split']['test_rows']} test rows.**" in card


def test_the_shap_summary_ranks_every_input_column(pipeline_run) -> None:
    rows = json.loads(
        (pipeline_run.reports_dir / "plots" / "shap_importance.json").read_text(encoding="utf-8")
    )
    schema = json.loads((pipeline_run.model_dir / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert [row["feature"] for row in rows] == [f["name"] for f in schema["features"]]
    assert all(row["mean_abs_shap"] >= 0 for row in rows)
    assert any(row["mean_abs_shap"] > 0 for row in rows)


def test_training_is_recorded_in_mlflow(pipeline_run) -> None:
    metadata = json.loads((pipeline_run.model_dir / "metadata.json").read_text(encoding="utf-8"))
    mlflow.set_tracking_uri(pipeline_run.settings.mlflow_tracking_uri)
    client = MlflowClient()
    run = client.get_run(metadata["mlflow"]["run_id"])
    assert run.data.params["train.model"] == pipeline_run.params.train.model
    headline = objective.SCORING.headline
    assert run.data.metrics[f"test_{headline}"] == pipeline_run.report["model"][headline]
    assert run.data.metrics[f"baseline_{headline}"] == pipeline_run.report["baseline"][headline]
    assert f"cv_{headline}_mean" in run.data.metrics
    name = pipeline_run.settings.mlflow_registered_model_name
    versions = client.search_model_versions(f"name = '{name}'")
    assert [v.run_id for v in versions] == [run.info.run_id]
    loaded = mlflow.sklearn.load_model(f"models:/{name}/{versions[0].version}")
    assert hasattr(loaded, "predict")


def test_report_fills_the_readme_results(pipeline_run, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    shutil.copy(PROJECT_ROOT / "README.md", readme)
    assert README_START in readme.read_text(encoding="utf-8")
    figures = sorted((pipeline_run.reports_dir / "figures").glob("*.png"))
    assert update_readme(readme, pipeline_run.report, objective.SCORING, figures) is True
    text = readme.read_text(encoding="utf-8")
    assert f"**{pipeline_run.report['model'][objective.SCORING.headline]:.3f}**" in text
    assert text.count("<img src=") == len(figures) == 5
    # The limitations quote the test-set size and the cross-validation spread.
    limits = text[text.index(LIMITATIONS_START) :]
    split, cv = pipeline_run.report["split"], pipeline_run.report["cv"]
    assert f"**{split['test_rows']} test rows.**" in limits
    headline = objective.SCORING.headline
    spread = f"{cv[f'{headline}_mean']:.3f} ± {cv[f'{headline}_std']:.3f}"
    assert f"over the {split['cv_folds']} folds" in limits
    assert spread in limits
    assert "Run `make pipeline` to fill" not in text
    assert update_readme(readme, pipeline_run.report, objective.SCORING, figures) is False


def test_report_shows_a_picture_of_the_app(pipeline_run, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# Demo\n\n{APP_START}\n{APP_END}\n\n## Results\n{README_START}\n{README_END}\n",
        encoding="utf-8",
    )
    picture = tmp_path / "reports" / "app.png"
    picture.parent.mkdir()
    shutil.copy(next((pipeline_run.reports_dir / "figures").glob("*.png")), picture)
    assert update_readme(readme, pipeline_run.report, objective.SCORING, (), picture) is True
    text = readme.read_text(encoding="utf-8")
    app = text[text.index(APP_START) : text.index(APP_END)]
    assert '<img src="reports/app.png"' in app
    assert "app.png" not in text[text.index(README_START) :]
    assert update_readme(readme, pipeline_run.report, objective.SCORING, (), picture) is False


def test_evaluating_a_model_on_other_data_is_refused(pipeline_run, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(pipeline_run.data_dir, data_dir)
    schema = json.loads((data_dir / SCHEMA_FILE).read_text(encoding="utf-8"))
    schema["data_hash"] = "0" * 16
    (data_dir / SCHEMA_FILE).write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"trained on other data .* run the train stage"):
        evaluate(
            FAMILY,
            pipeline_run.params,
            data_dir,
            pipeline_run.model_dir,
            tmp_path / "reports",
            pipeline_run.settings,
        )
    assert not (tmp_path / "reports").exists()


def test_the_learning_curve_follows_the_trained_model_not_params_yaml(
    pipeline_run, tmp_path: Path
) -> None:
    # Other hyper-parameters in params.yaml than the model was trained with: the curve (and
    # so the figure and card) still describes the trained model, which evaluate refits.
    changed = pipeline_run.params.model_copy(
        update={"train": pipeline_run.params.train.model_copy(update={"model": "baseline"})}
    )
    report = evaluate(
        FAMILY, changed, pipeline_run.data_dir, pipeline_run.model_dir, tmp_path / "reports",
        pipeline_run.settings,
    )  # fmt: skip
    curve = json.loads((tmp_path / "reports" / "plots" / "learning_curve.json").read_text())
    expected = json.loads((pipeline_run.reports_dir / "plots" / "learning_curve.json").read_text())
    assert curve == expected
    assert report["model"] == pipeline_run.report["model"]


def test_report_asks_to_rewrite_the_problem_once_trained_on_own_data(
    pipeline_run, tmp_path: Path
) -> None:
    readme = tmp_path / "README.md"
    shutil.copy(PROJECT_ROOT / "README.md", readme)
    metadata = json.loads((pipeline_run.model_dir / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["data_source"] is None  # the bundled data: the README describes it
    update_readme(readme, pipeline_run.report, objective.SCORING, metadata=metadata)
    assert "**To rewrite:**" not in readme.read_text(encoding="utf-8")

    own = {**metadata, "data_source": "data/raw/my_data.csv"}
    assert update_readme(readme, pipeline_run.report, objective.SCORING, metadata=own) is True
    text = readme.read_text(encoding="utf-8")
    problem = text[text.index("## The problem") : text.index("## Results")]
    assert "**To rewrite:**" in problem
    assert "`data/raw/my_data.csv`" in problem


def test_figures_stay_sharp_on_high_density_screens(pipeline_run) -> None:
    for figure in (pipeline_run.reports_dir / "figures").glob("*.png"):
        (width,) = struct.unpack(">I", figure.read_bytes()[16:20])  # the PNG header
        assert width >= 1200, f"{figure.name} is {width} px wide"
