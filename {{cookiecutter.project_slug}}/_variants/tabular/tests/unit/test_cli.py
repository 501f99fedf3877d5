import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.cli import app

from helpers import training_imports

runner = CliRunner()
HEAVY = ("torch", "mlflow", "xgboost", "sklearn", "pandas", "matplotlib")


def test_help_imports_no_heavy_library() -> None:
    probe = (
        "import sys\n"
        "from {{ cookiecutter.package_name }}.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "prepare" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_params_command_validates_and_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "params.yaml"
    bad.write_text("data: {target: y}\ntrain: {cv_folds: 1}\n", encoding="utf-8")
    result = runner.invoke(app, ["params", "--params", str(bad)])
    assert result.exit_code == 1
    assert "train.cv_folds: Input should be greater than or equal to 2" in result.output


def test_predict_writes_predictions(pipeline_run, tmp_path: Path) -> None:
    records = tmp_path / "records.csv"
    schema = json.loads((pipeline_run.model_dir / "schema.json").read_text(encoding="utf-8"))
    pd.DataFrame([schema["example"]] * 3).to_csv(records, index=False)
    output = tmp_path / "predictions.csv"
    result = runner.invoke(
        app, ["predict", str(records), str(output), "--model-dir", str(pipeline_run.model_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "wrote 3 predictions" in result.output
    predictions = pd.read_csv(output)
    assert len(predictions) == 3
    assert predictions["prediction"].notna().all()


def test_predict_explain_adds_a_contribution_column_per_input_column(
    pipeline_run, tmp_path: Path
) -> None:
    records = tmp_path / "records.csv"
    schema = json.loads((pipeline_run.model_dir / "schema.json").read_text(encoding="utf-8"))
    pd.DataFrame([schema["example"]] * 2).to_csv(records, index=False)
    output = tmp_path / "explained.csv"
    result = runner.invoke(
        app,
        ["predict", str(records), str(output), "--model-dir", str(pipeline_run.model_dir),
         "--explain"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "wrote 2 explained predictions" in result.output
    explained = pd.read_csv(output, keep_default_na=False)
    names = [feature["name"] for feature in schema["features"]]
    contributions = [f"contribution_{name}" for name in names]
    assert list(explained.columns[-len(contributions) :]) == contributions
    assert explained["warnings"].tolist() == ["", ""]
    assert explained["base_value"].notna().all()


def test_predict_names_inputs_outside_the_training_range(pipeline_run, tmp_path: Path) -> None:
    schema = json.loads((pipeline_run.model_dir / "schema.json").read_text(encoding="utf-8"))
    number = next(feature for feature in schema["features"] if feature["kind"] == "number")
    far = number["maximum"] + 1000
    records = tmp_path / "records.csv"
    pd.DataFrame([schema["example"], {**schema["example"], number["name"]: far}]).to_csv(
        records, index=False
    )
    output = tmp_path / "predictions.csv"
    result = runner.invoke(
        app, ["predict", str(records), str(output), "--model-dir", str(pipeline_run.model_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "1 of 2 rows have inputs outside the training data: see their warnings column" in (
        result.output
    )
    warnings = pd.read_csv(output, keep_default_na=False)["warnings"].tolist()
    assert warnings == [
        "",
        f"{number['name']} = {far:g} is outside the training range "
        f"{number['minimum']:g} to {number['maximum']:g}",
    ]


def test_predict_target_needs_explain(pipeline_run, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["predict", "in.csv", str(tmp_path / "out.csv"), "--target", "anything"]
    )
    assert result.exit_code == 2
    assert "--target needs --explain" in result.output


def test_predict_names_a_missing_column(pipeline_run, tmp_path: Path) -> None:
    records = tmp_path / "records.csv"
    pd.DataFrame({"unrelated": [1, 2]}).to_csv(records, index=False)
    output = tmp_path / "out.csv"
    result = runner.invoke(
        app, ["predict", str(records), str(output), "--model-dir", str(pipeline_run.model_dir)]
    )
    assert result.exit_code == 1
    assert f"error: input file {records}: missing column(s): " in result.output
    assert "unknown column(s): unrelated" in result.output
    assert not output.exists()


def test_predict_loads_no_training_code(pipeline_run, tmp_path: Path) -> None:
    records = tmp_path / "records.csv"
    schema = json.loads((pipeline_run.model_dir / "schema.json").read_text(encoding="utf-8"))
    pd.DataFrame([schema["example"]] * 3).to_csv(records, index=False)
    code = (
        "from {{ cookiecutter.package_name }}.serving.batch import predict_file\n"
        f"assert predict_file(Path({str(records)!r}), Path({str(tmp_path / 'out.csv')!r}), "
        "model_dir, explain=True) == (3, 0)\n"
    )
    assert training_imports(code, pipeline_run.model_dir) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("model.skops", b"PK\x03\x04 not a zip", r"model\.skops' is not a readable skops model"),
        ("metadata.json", b"{half", r"metadata\.json' could not be read"),
        ("schema.json", b"[]", r"schema\.json' is not valid"),
    ],
)
def test_predict_from_a_corrupt_model_is_one_line_naming_the_file(
    pipeline_run, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    model_dir = tmp_path / "models"
    shutil.copytree(pipeline_run.model_dir, model_dir)
    (model_dir / name).write_bytes(content)
    if name != "metadata.json":  # the hash updated: the file itself is what is wrong
        metadata = json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))
        metadata["files"][name] = hashlib.sha256(content).hexdigest()
        (model_dir / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    records = tmp_path / "records.csv"
    schema = json.loads((pipeline_run.model_dir / "schema.json").read_text(encoding="utf-8"))
    pd.DataFrame([schema["example"]]).to_csv(records, index=False)
    result = runner.invoke(
        app, ["predict", str(records), str(tmp_path / "out.csv"), "--model-dir", str(model_dir)]
    )
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert re.search(message, line), line
    assert line.endswith("run the pipeline (dvc repro) or the train command again")
