"""Each task's generated project, run for real: its tests, the DVC pipeline, the quality bars.

The default task's project runs as its CI workflow's jobs instead (test_workflows.py): its
tests, its pipeline against its bars, the baseline gate. The DVC checks here cover its family
through tabular-regression.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from helpers import BIN, QUALITY_BARS, TASKS, install_editable, render, run, task_defaults

pytestmark = pytest.mark.slow

# A training parameter each task's third `dvc repro` changes (train and evaluate must re-run).
TRAIN_CHANGE = {
    "tabular-classification": ("cv_folds", 3),
    "tabular-regression": ("cv_folds", 3),
    "image-classification": ("epochs", 1),
    "text-classification": ("seed", 7),
}


def test_every_task_has_quality_bars_and_a_training_change() -> None:
    assert set(QUALITY_BARS) == set(TASKS)
    assert set(TRAIN_CHANGE) == set(TASKS)


@pytest.fixture(scope="module", params=TASKS[1:])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    task = request.param
    if task not in QUALITY_BARS:
        pytest.fail(f"QUALITY_BARS has no bars for the task {task!r}: add its metrics")
    if task not in TRAIN_CHANGE:
        pytest.fail(f"TRAIN_CHANGE has no training parameter for the task {task!r}: add one")
    bars = QUALITY_BARS[task]
    root = tmp_path_factory.mktemp(task)
    # Not the default project's name, so that the installed package is the one rendered here.
    name = f"Generated {task_defaults(task)['project_name']}"
    project = render(root, task=task, project_name=name)
    install_editable(project)
    return project, bars, root, task


def stage_lines(output: str) -> dict[str, str]:
    """'ran' or 'skipped' for each stage of a `dvc repro` output."""
    states = {}
    for stage in ("prepare", "train", "evaluate"):
        if re.search(rf"Stage '{stage}' didn't change, skipping", output):
            states[stage] = "skipped"
        elif re.search(rf"Running stage '{stage}'", output):
            states[stage] = "ran"
    return states


def test_generated_tests_pass(project) -> None:
    path, _, _, _ = project
    result = run(BIN / "pytest", "-q", "-p", "no:cacheprovider", cwd=path)
    assert re.search(r"\d+ passed", result.stdout)
    assert "failed" not in result.stdout


def test_dvc_pipeline_meets_the_bars_and_is_reproducible(project) -> None:
    path, bars, root, task = project
    first = run(BIN / "dvc", "repro", cwd=path)
    assert stage_lines(first.stdout) == {"prepare": "ran", "train": "ran", "evaluate": "ran"}

    report = json.loads((path / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert set(report) == {"model", "baseline", "cv", "split"}
    for metric, bar in bars.items():
        assert report["model"][metric] >= bar, (metric, report)
        assert report["baseline"][metric] < report["model"][metric]
    run(BIN / path.name, "check-baseline", cwd=path)

    # Nothing changed: nothing runs. Serving code is no stage's dependency: editing the API,
    # the app or the family's serving side re-runs nothing either.
    package = path / "src" / path.name.replace("-", "_")
    for serving_code in (
        sorted((package / "serving").rglob("*.py"))[:3] + sorted(package.glob("*/serving/*.py"))[:2]
    ):
        with serving_code.open("a", encoding="utf-8") as source:
            source.write("# an edit\n")
    second = run(BIN / "dvc", "repro", cwd=path)
    assert stage_lines(second.stdout) == {
        "prepare": "skipped", "train": "skipped", "evaluate": "skipped",
    }  # fmt: skip

    # A training parameter changed: train and evaluate would run again, prepare would not. A
    # dry run asks DVC which stages are out of date (the first run has shown that they run).
    params_file = path / "params.yaml"
    params = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    key, value = TRAIN_CHANGE[task]
    params["train"][key] = value
    params_file.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    third = run(BIN / "dvc", "repro", "--dry", cwd=path)
    assert stage_lines(third.stdout) == {"prepare": "skipped", "train": "ran", "evaluate": "ran"}

    # The local remote (a directory beside the project) receives data and model.
    run(BIN / "dvc", "push", cwd=path)
    storage = root / f"{path.name}-dvc-storage"
    assert sum(1 for item in storage.rglob("*") if item.is_file()) >= 3

    # The README's results table comes from metrics.json.
    run(BIN / path.name, "report", cwd=path)
    readme = (path / "README.md").read_text(encoding="utf-8")
    headline = next(iter(bars))
    current = json.loads((path / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert f"**{current['model'][headline]:.3f}**" in readme
    # The limitations come from the same file: the size of the test split, the CV spread.
    test_rows = current["split"]["test_rows"]
    assert test_rows > 0
    assert f"**{test_rows} test rows.**" in readme[readme.index("## Limitations") :]
