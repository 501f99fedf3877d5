"""Text benchmark: the dummy, TF-IDF, frozen MiniLM embeddings and fine-tuned MiniLM on one split,
then the text API under load against the raw batched forward pass and a naive endpoint.

Part 1 trains each model on the same split of the default Rotten Tomatoes reviews (the
generated project's own commands) and prints test accuracy, macro-F1, training time, model size
and texts/s at inference (batches of 64, two threads). Fine-tuning a transformer on two CPU cores
takes many minutes per epoch: `--finetune-train-limit N` fine-tunes on a stratified sample of N
training reviews (the test split is unchanged) and the table says so. Part 2 serves the
fine-tuned model (`serve`, adaptive batching), loads it with wrk (1 thread, 8 connections,
single-text POSTs), reads the mean batch the batcher reached, and times the raw forward pass at
that batch size; and loads a naive endpoint (`baselines:naive`: a `transformers` pipeline called
once per request). Ratios: API req/s over raw texts/s (target >= 0.7), and over the naive one.

Run from the template root with the development environment (and wrk for part 2):

    .venv/bin/python bench/text --finetune-train-limit 2000 --skip-serve
    .venv/bin/python bench/text --reuse --serve-only
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from cookiecutter.main import cookiecutter

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from helpers import serving

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE.parents[1]
BIN = Path(sys.executable).parent
NAME = "Bench Text Classifier"
SLUG = "bench-text-classifier"
PACKAGE = SLUG.replace("-", "_")
MODELS = ("baseline", "tfidf_logreg", "minilm_embeddings", "minilm_finetune")
TARGET = 0.7


def environment(project: Path, threads: int) -> dict[str, str]:
    """Offline, quiet; the project's package first on the path."""
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(project / "src"),
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DVC_NO_ANALYTICS": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "OMP_NUM_THREADS": str(threads),
        "OMP_WAIT_POLICY": "PASSIVE",
        "MLFLOW_TRACKING_URI": "sqlite:///mlflow.db",
    }


def command(project: Path, *args: str | Path, threads: int = 2) -> float:
    """Run the project's CLI; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"from {PACKAGE}.cli import app; app()",
                    *map(str, args)], cwd=project, env=environment(project, threads),
                   check=True)  # fmt: skip
    return time.perf_counter() - started


def generate(workdir: Path, reuse: bool) -> Path:
    """The text project, generated, its data prepared."""
    project = workdir / SLUG
    if reuse and (project / "data" / "processed" / "train.parquet").is_file():
        return project
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(workdir),
                 extra_context={"task": "text-classification", "project_name": NAME})  # fmt: skip
    command(project, "prepare")
    return project


def data_for(project: Path, model: str, limit: int | None) -> tuple[Path, str]:
    """The prepared data a model trains on: all of it, or (fine-tuning) a stratified sample
    of the training split beside the unchanged test split. Returns the folder and a note.
    """
    import pandas as pd

    source = project / "data" / "processed"
    train = pd.read_parquet(source / "train.parquet")
    if model != "minilm_finetune" or limit is None or limit >= len(train):
        return source, f"{len(train)} reviews"
    share = limit / len(train)
    sample = train.groupby("label", group_keys=False).sample(frac=share, random_state=0)
    target = project / "data" / f"processed-{limit}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    sample.to_parquet(target / "train.parquet", index=False)
    return target, f"{len(sample)} of {len(train)} reviews"


def params_for(project: Path, model: str, epochs: int) -> Path:
    """params.yaml with `train.model` set (fine-tuning: `epochs` epochs)."""
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    params["train"]["model"] = model
    params["train"]["epochs"] = epochs
    path = project / f"params-{model}.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    return path


def load_model(project: Path, model_dir: Path) -> Any:
    """The project's own loader (the one evaluate, the API and the app use)."""
    sys.path.insert(0, str(project / "src"))
    core = __import__(f"{PACKAGE}.core.modeldir", fromlist=["load"])
    predictor = __import__(f"{PACKAGE}.text.model.predictor", fromlist=["TextModel"])
    return predictor.TextModel(core.load(model_dir))


def texts_per_second(
    project: Path, model_dir: Path, batch: int, repeats: int, texts: list[str] | None = None
) -> float:
    """Predictions in batches of `batch`, two threads, in this process: of the test texts, or of
    `texts` (the API's request text, so that both sides pad to the same length)."""
    import pandas as pd
    import torch

    torch.set_num_threads(2)
    if texts is None:
        texts = pd.read_parquet(project / "data" / "processed" / "test.parquet")["text"].tolist()
    model = load_model(project, model_dir)
    chunk = (texts * (batch // len(texts) + 1))[:batch]
    model.probabilities(chunk)  # warm-up
    started = time.perf_counter()
    for step in range(repeats):
        offset = (step * batch) % len(texts)
        model.probabilities((texts[offset:] + texts)[:batch])
    return batch * repeats / (time.perf_counter() - started)


def train_table(project: Path, epochs: int, limit: int | None) -> list[dict[str, Any]]:
    """Part 1: each model trained and evaluated on the same test split."""
    rows = []
    for model in MODELS:
        params = params_for(project, model, epochs)
        data_dir, note = data_for(project, model, limit)
        model_dir, reports = project / f"models-{model}", project / f"reports-{model}"
        print(f"training {model} on {note} ...", flush=True)
        seconds = command(project, "train", "--params", params, "--data-dir", data_dir,
                          "--model-dir", model_dir)  # fmt: skip
        command(project, "evaluate", "--params", params, "--data-dir", data_dir,
                "--model-dir", model_dir, "--reports-dir", reports)  # fmt: skip
        metrics = json.loads((reports / "metrics.json").read_text(encoding="utf-8"))["model"]
        size = sum(path.stat().st_size for path in model_dir.iterdir() if path.is_file())
        rows.append({
            "model": model, "trained_on": note, "accuracy": metrics["accuracy"],
            "f1_macro": metrics["f1_macro"], "train_s": seconds, "size_mb": size / 1e6,
            "texts_per_s": texts_per_second(project, model_dir, 64, 10),
        })  # fmt: skip
        print(rows[-1], flush=True)
    return rows


def wrk(url: str, body: str, seconds: int, workdir: Path) -> float:
    """Requests/s of a closed-loop load of single-text POSTs (1 thread, 8 connections)."""
    script = workdir / "post.lua"
    script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                      f"wrk.body = {json.dumps(body)}\n", encoding="utf-8")  # fmt: skip
    result = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", "--timeout", "10s",
                             "-s", str(script), url], capture_output=True, text=True,
                            timeout=seconds + 60, check=True)  # fmt: skip
    if "Non-2xx" in result.stdout:
        raise RuntimeError(f"errors under load:\n{result.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))  # type: ignore[union-attr]


def export_pretrained(project: Path, model_dir: Path, target: Path) -> Path:
    """The fine-tuned model as a `save_pretrained` folder, for the naive pipeline endpoint."""
    model = load_model(project, model_dir)
    from transformers import PreTrainedTokenizerFast

    model.network.save_pretrained(target)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=model.tokenizer, pad_token="[PAD]",
                                        unk_token="[UNK]", cls_token="[CLS]",
                                        sep_token="[SEP]")  # fmt: skip
    tokenizer.save_pretrained(target)
    return target


def serve_table(project: Path, seconds: int) -> dict[str, Any]:
    """Part 2: the API, the raw forward pass at the API's batch size, the naive endpoint."""
    model_dir = project / "models-minilm_finetune"
    spec = json.loads((model_dir / "spec.json").read_text(encoding="utf-8"))
    text = spec["examples"][0]["text"]
    body = json.dumps({"records": [{"text": text}]})
    env = {**environment(project, 2), "MODEL_DIR": str(model_dir)}
    log = project / "bench-api.log"
    api = [sys.executable, "-c", f"from {PACKAGE}.cli import app; app()", "serve",
           "--model-dir", model_dir, "--no-access-log", "--host", "127.0.0.1",
           "--port", "{port}"]  # fmt: skip
    with serving(api, cwd=project, ready="/ready", log=log, env=env, timeout=180) as server:
        wrk(f"{server.url}/predict", body, 2, project)  # warm-up
        api_rate = wrk(f"{server.url}/predict", body, seconds, project)
    answered = re.findall(r"answered (\d+) prediction requests with (\d+) model calls",
                          log.read_text(encoding="utf-8"))  # fmt: skip
    requests, calls = map(int, answered[-1])
    batch = max(1, round(requests / calls))
    exported = export_pretrained(project, model_dir, project / "bench-pretrained")
    naive = [BIN / "uvicorn", "baselines:naive", "--app-dir", HERE, "--no-access-log",
             "--host", "127.0.0.1", "--port", "{port}"]  # fmt: skip
    with serving(naive, cwd=project, ready="/docs", log=project / "bench-naive.log",
                 env={**env, "BENCH_MODEL_DIR": str(exported)}, timeout=180) as server:  # fmt: skip
        wrk(f"{server.url}/predict", body, 2, project)
        naive_rate = wrk(f"{server.url}/predict", body, seconds, project)
    raw = texts_per_second(project, model_dir, batch, max(20, 400 // batch), [text])
    return {"api_rps": api_rate, "batch": batch, "raw_tps": raw, "naive_rps": naive_rate,
            "api/raw": api_rate / raw, "api/naive": api_rate / naive_rate}  # fmt: skip


def main() -> None:
    """Run the parts asked for and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=TEMPLATE / "build" / "bench-text")
    parser.add_argument("--reuse", action="store_true", help="reuse a generated project")
    parser.add_argument("--serve-only", action="store_true", help="skip training (with --reuse)")
    parser.add_argument("--skip-serve", action="store_true", help="part 1 only (no wrk needed)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per server")
    parser.add_argument("--epochs", type=int, default=1, help="fine-tuning epochs")
    parser.add_argument(
        "--finetune-train-limit",
        type=int,
        default=None,
        help="fine-tune on a stratified sample of this many training reviews",
    )
    args = parser.parse_args()
    if not args.skip_serve and shutil.which("wrk") is None:
        sys.exit("wrk is needed for part 2: apt-get install -y wrk (or pass --skip-serve)")
    project = generate(args.workdir, args.reuse)
    results: dict[str, Any] = {}
    if not args.serve_only:
        results["models"] = train_table(project, args.epochs, args.finetune_train_limit)
        print("\n| model | trained on | test accuracy | macro-F1 | train s | size MB | "
              "texts/s (batch 64) |")  # fmt: skip
        print("|---|---|---:|---:|---:|---:|---:|")
        for row in results["models"]:
            print(f"| {row['model']} | {row['trained_on']} | {row['accuracy']:.4f} | "
                  f"{row['f1_macro']:.4f} | {row['train_s']:.0f} | {row['size_mb']:.1f} | "
                  f"{row['texts_per_s']:.0f} |")  # fmt: skip
    if not args.skip_serve:
        row = results["serve"] = serve_table(project, args.duration)
        print("\n| API req/s | batch reached | raw texts/s at that batch | API/raw (target >= "
              f"{TARGET}) | naive req/s | API/naive |")  # fmt: skip
        print("|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {row['api_rps']:.0f} | {row['batch']} | {row['raw_tps']:.0f} | "
            f"{row['api/raw']:.2f} | {row['naive_rps']:.0f} | {row['api/naive']:.2f} |"
        )
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
