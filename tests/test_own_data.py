"""The generated README's "Bring your own data" steps, run as written on a CSV the test writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from helpers import BIN, TASKS, install_editable, render, run, shrink_params

pytestmark = pytest.mark.slow

SECTION = "## Bring your own data"


def own_data_steps(readme: str) -> list[tuple[str, str]]:
    """The fenced blocks of the README's own-data section, in order, as (language, text)."""
    start = readme.index(SECTION)
    end = readme.find("\n## ", start + len(SECTION))
    section = readme[start : end if end != -1 else None]
    return re.findall(r"^```(\w+)\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)


def shell(script: str, cwd: Path) -> None:
    """Run a README block as a user would paste it, stopping at the first failing command."""
    run("bash", "-euo", "pipefail", "-c", script, cwd=cwd)


@pytest.mark.parametrize("task", [task for task in TASKS if task.startswith("tabular-")])
def test_readme_shows_one_data_step_of_each_kind(tmp_path: Path, task: str) -> None:
    project = render(tmp_path, task=task)
    steps = own_data_steps((project / "README.md").read_text(encoding="utf-8"))
    assert [language for language, _ in steps] == ["bash", "yaml", "bash"]
    data = yaml.safe_load(steps[1][1])["data"]
    assert set(data) == {"path", "target", "drop_columns"}
    assert f"dvc add {data['path']}" in steps[0][1]
    assert "dvc push" in steps[2][1]


def test_own_data_steps_run_verbatim(tmp_path: Path) -> None:
    from palmerpenguins import load_penguins

    project = render(tmp_path, project_name="Own Data Classifier")
    install_editable(project)
    default = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    track, settings, pipeline = (
        text for _, text in own_data_steps((project / "README.md").read_text(encoding="utf-8"))
    )
    data = yaml.safe_load(settings)["data"]

    # A table shaped as the README describes: the target under its name, an identifier column.
    table = load_penguins().drop(columns=default["data"]["drop_columns"]).iloc[::2]
    table = table.rename(columns={default["data"]["target"]: data["target"]})
    for column in data["drop_columns"]:
        table.insert(0, column, range(1000, 1000 + len(table)))
    csv = project / data["path"]
    table.to_csv(csv, index=False)

    shell(track, project)

    # params.yaml as the README says, shrunk so the real `dvc repro` below stays quick.
    params = shrink_params({**default, "data": {**default["data"], **data}})
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), "utf-8")

    shell(pipeline, project)

    # The data is in DVC and its pointer in Git; the commit holds everything the run changed.
    tracked = run("git", "ls-files", cwd=project).stdout.split()
    assert f"{data['path']}.dvc" in tracked
    assert data["path"] not in tracked
    assert {"dvc.lock", "params.yaml", "reports/metrics.json"} <= set(tracked)
    assert run("git", "status", "--porcelain", cwd=project).stdout == ""
    assert "up to date" in run(BIN / "dvc", "status", cwd=project).stdout

    # The model learned the README's target from the CSV's columns, the identifier left out.
    schema = yaml.safe_load((project / "models" / "schema.json").read_text(encoding="utf-8"))
    assert schema["target"] == data["target"]
    features = {feature["name"] for feature in schema["features"]}
    assert features == set(table.columns) - {data["target"], *data["drop_columns"]}

    # `dvc push` sent the CSV to the local remote beside the project.
    pointer = yaml.safe_load((project / f"{data['path']}.dvc").read_text(encoding="utf-8"))
    md5 = pointer["outs"][0]["md5"]
    storage = tmp_path / f"{project.name}-dvc-storage"
    assert (storage / "files" / "md5" / md5[:2] / md5[2:]).is_file()

    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "Run `make pipeline` to fill this section" not in readme
