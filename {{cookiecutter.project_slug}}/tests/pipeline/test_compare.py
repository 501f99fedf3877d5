"""`compare`: models trained on the same split, side by side in a leaderboard and in MLflow."""

from __future__ import annotations

import json

from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.pipeline import compare as comparing
from {{ cookiecutter.package_name }}.task import load_family

FAMILY = load_family()


def test_compare_writes_a_leaderboard_of_the_baseline_and_the_chosen_model(
    pipeline_run, tmp_path
) -> None:
    params = pipeline_run.params
    baseline = FAMILY.models[0]
    models = (baseline, params.model_name)
    settings = pipeline_run.settings
    reports = tmp_path / "reports"

    board = comparing.compare(
        FAMILY, params, pipeline_run.data_dir, reports, settings, models=models
    )

    written = json.loads((reports / comparing.LEADERBOARD_JSON).read_text(encoding="utf-8"))
    assert written["entries"] == board.entries
    assert (written["chosen"], written["baseline"]) == (params.model_name, baseline)
    headline = FAMILY.scoring.headline
    scores = [entry["test"][headline] for entry in board.entries]
    greater_is_better = FAMILY.scoring.metrics[headline].greater_is_better
    assert scores == sorted(scores, reverse=greater_is_better)
    assert sorted(entry["model"] for entry in board.entries) == sorted(models)
    chosen = next(entry for entry in board.entries if entry["model"] == params.model_name)
    # The chosen model's test scores are the evaluate stage's, on the same split and params.
    for name, value in pipeline_run.report["model"].items():
        assert abs(chosen["test"][name] - value) < 1e-9, name
    for entry in board.entries:
        assert set(entry["test"]) == set(FAMILY.scoring.metrics)
        assert entry["size_bytes"] > 0
        assert entry["fit_seconds"] > 0
        assert entry["latency_ms"]["record"] > 0
        assert entry["latency_ms"]["batch_rows"] == pipeline_run.report["split"]["test_rows"]
    markdown = (reports / comparing.LEADERBOARD_MD).read_text(encoding="utf-8")
    assert markdown == board.markdown
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + len(models)  # the header and one row per model
    assert (reports / comparing.LEADERBOARD_FIGURE).stat().st_size > 0

    client = MlflowClient(settings.mlflow_tracking_uri)
    experiment = client.get_run(board.entries[0]["mlflow_run_id"]).info.experiment_id
    runs = {run.info.run_id: run for run in client.search_runs([experiment])}
    for entry in board.entries:
        run = runs[entry["mlflow_run_id"]]
        assert run.data.tags["mlflow.parentRunId"] in runs
        assert run.data.metrics[f"test_{headline}"] == entry["test"][headline]


def test_compare_leaves_the_trained_model_alone(pipeline_run, tmp_path) -> None:
    before = (pipeline_run.model_dir / "metadata.json").read_bytes()

    comparing.compare(
        FAMILY,
        pipeline_run.params,
        pipeline_run.data_dir,
        tmp_path,
        pipeline_run.settings,
        models=(FAMILY.models[0],),
    )

    assert (pipeline_run.model_dir / "metadata.json").read_bytes() == before
