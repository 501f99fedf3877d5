"""Image benchmark: pixels logistic regression vs the small CNN vs EfficientNet-Lite0, then the
image API under load against the raw batched forward pass and a naive per-request endpoint.

Part 1 trains each model on the same split of the default digits (the generated project's own
commands) and prints accuracy, training time, model size and images/s at inference (batches of
256, one thread). Part 2 serves the CNN and EfficientNet-Lite0 (`serve`, with adaptive batching)
and a naive endpoint (`baselines:naive`, one forward pass per request), loads each with wrk
(1 thread, 8 connections, single-image base64 JSON POSTs), reads the mean batch the API's
batcher reached, and times the raw forward pass at that batch size in this process. Ratios:
API requests/s over raw images/s (target >= 0.7) and over the naive endpoint's requests/s.

Run from the template root with the development environment and wrk:

    .venv/bin/python bench/image                  # about 10 minutes on 2 cores
    .venv/bin/python bench/image --reuse --serve-only
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
NAME = "Bench Image Classifier"
SLUG = "bench-image-classifier"
PACKAGE = SLUG.replace("-", "_")
MODELS = ("pixels_logreg", "cnn", "efficientnet_lite0")
SERVED = ("cnn", "efficientnet_lite0")
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
        "OMP_NUM_THREADS": str(threads),
        "OMP_WAIT_POLICY": "PASSIVE",
        "MLFLOW_TRACKING_URI": "sqlite:///mlflow.db",
        "BENCH_PACKAGE": PACKAGE,
    }


def command(project: Path, *args: str | Path, threads: int = 2) -> float:
    """Run the project's CLI; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([BIN / SLUG, *map(str, args)], cwd=project,
                   env=environment(project, threads), check=True)  # fmt: skip
    return time.perf_counter() - started


def generate(workdir: Path, reuse: bool) -> Path:
    """The image project, generated and installed (editable), its data prepared."""
    project = workdir / SLUG
    if reuse and (project / "data" / "processed" / "train.npz").is_file():
        return project
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(workdir),
                 extra_context={"task": "image-classification", "project_name": NAME})  # fmt: skip
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", "."],
                   cwd=project, check=True)  # fmt: skip
    command(project, "prepare")
    return project


def params_for(project: Path, model: str, effnet_epochs: int) -> Path:
    """params.yaml with `train.model` set (EfficientNet: fewer fine-tuning epochs on a CPU)."""
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    params["train"]["model"] = model
    if model == "efficientnet_lite0":
        params["train"]["epochs"] = effnet_epochs
        params["models"]["efficientnet_lite0"]["head_epochs"] = 1
    path = project / f"params-{model}.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    return path


def images_per_second(project: Path, model_dir: Path, batch: int, repeats: int) -> float:
    """Forward passes on test images in batches of `batch`, one thread, in this process."""
    import numpy as np
    import torch

    torch.set_num_threads(1)
    sys.path.insert(0, str(project / "src"))
    core = __import__(f"{PACKAGE}.core.modeldir", fromlist=["load"])
    predictor_module = __import__(f"{PACKAGE}.image.model.predictor", fromlist=["ImageModel"])
    with np.load(project / "data" / "processed" / "test.npz") as arrays:
        images = arrays["images"]
    model = predictor_module.ImageModel(core.load(model_dir))
    chunk = np.resize(images, (batch, *images.shape[1:]))
    model.probabilities(chunk)  # warm-up
    started = time.perf_counter()
    for _ in range(repeats):
        model.probabilities(chunk)
    return batch * repeats / (time.perf_counter() - started)


def train_table(project: Path, models: list[str], effnet_epochs: int) -> list[dict[str, Any]]:
    """Part 1: each model trained and evaluated on the same split."""
    rows = []
    for model in models:
        params = params_for(project, model, effnet_epochs)
        model_dir, reports = project / f"models-{model}", project / f"reports-{model}"
        print(f"training {model} ...", flush=True)
        seconds = command(project, "train", "--params", params, "--model-dir", model_dir)
        command(project, "evaluate", "--params", params, "--model-dir", model_dir,
                "--reports-dir", reports)  # fmt: skip
        metrics = json.loads((reports / "metrics.json").read_text(encoding="utf-8"))["model"]
        size = sum(path.stat().st_size for path in model_dir.iterdir() if path.is_file())
        rows.append({
            "model": model, "accuracy": metrics["accuracy"], "f1_macro": metrics["f1_macro"],
            "train_s": seconds, "size_mb": size / 1e6,
            "images_per_s": images_per_second(project, model_dir, 256, 4),
        })  # fmt: skip
    return rows


def wrk(url: str, body: str, seconds: int, workdir: Path) -> float:
    """Requests/s of a closed-loop load of single-image POSTs (1 thread, 8 connections)."""
    script = workdir / "post.lua"
    script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                      f"wrk.body = {json.dumps(body)}\n", encoding="utf-8")  # fmt: skip
    result = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", "--timeout", "10s",
                             "-s", str(script), url], capture_output=True, text=True,
                            timeout=seconds + 60, check=True)  # fmt: skip
    if "Non-2xx" in result.stdout:
        raise RuntimeError(f"errors under load:\n{result.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))  # type: ignore[union-attr]


def serve_table(project: Path, seconds: int) -> list[dict[str, Any]]:
    """Part 2: the API, the raw forward pass at the API's batch size, the naive endpoint."""
    spec = json.loads((project / "models-cnn" / "spec.json").read_text(encoding="utf-8"))
    example = spec["examples"][0]
    body = json.dumps({"records": [{"name": example["name"], "data": example["data"]}]})
    rows = []
    for model in SERVED:
        model_dir = project / f"models-{model}"
        env = {**environment(project, 1), "MODEL_DIR": str(model_dir)}
        log = project / f"bench-api-{model}.log"
        api = [BIN / SLUG, "serve", "--model-dir", model_dir, "--no-access-log",
               "--host", "127.0.0.1", "--port", "{port}"]  # fmt: skip
        with serving(api, cwd=project, ready="/ready", log=log, env=env, timeout=180) as server:
            wrk(f"{server.url}/predict", body, 2, project)  # warm-up
            api_rate = wrk(f"{server.url}/predict", body, seconds, project)
        answered = re.findall(r"answered (\d+) prediction requests with (\d+) model calls",
                              log.read_text(encoding="utf-8"))  # fmt: skip
        requests, calls = map(int, answered[-1])
        batch = max(1, round(requests / calls))
        naive = [BIN / "uvicorn", "baselines:naive", "--app-dir", HERE, "--no-access-log",
                 "--host", "127.0.0.1", "--port", "{port}"]  # fmt: skip
        with serving(naive, cwd=project, ready="/docs", log=project / "bench-naive.log",
                     env=env, timeout=180) as server:  # fmt: skip
            wrk(f"{server.url}/predict", body, 2, project)
            naive_rate = wrk(f"{server.url}/predict", body, seconds, project)
        raw = images_per_second(project, model_dir, batch, max(20, 400 // batch))
        rows.append({"model": model, "api_rps": api_rate, "batch": batch, "raw_ips": raw,
                     "naive_rps": naive_rate, "api/raw": api_rate / raw,
                     "api/naive": api_rate / naive_rate})  # fmt: skip
    return rows


def main() -> None:
    """Run both parts and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=TEMPLATE / "build" / "bench-image")
    parser.add_argument("--reuse", action="store_true", help="reuse a generated project")
    parser.add_argument("--serve-only", action="store_true", help="skip training (with --reuse)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per server")
    parser.add_argument("--effnet-epochs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    project = generate(args.workdir, args.reuse)
    results: dict[str, Any] = {}
    if not args.serve_only:
        results["models"] = train_table(project, list(MODELS), args.effnet_epochs)
        print("\n| model | test accuracy | macro-F1 | train s | size MB | images/s (batch 256) |")
        print("|---|---:|---:|---:|---:|---:|")
        for row in results["models"]:
            cells = (
                row["model"],
                f"{row['accuracy']:.4f}",
                f"{row['f1_macro']:.4f}",
                f"{row['train_s']:.0f}",
                f"{row['size_mb']:.2f}",
                f"{row['images_per_s']:.0f}",
            )
            print("| " + " | ".join(cells) + " |")
    results["serve"] = serve_table(project, args.duration)
    print("\n| model | API req/s | batch reached | raw forward images/s at that batch | "
          "API/raw (target >= 0.7) | naive req/s | API/naive |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in results["serve"]:
        cells = (
            row["model"],
            f"{row['api_rps']:.0f}",
            str(row["batch"]),
            f"{row['raw_ips']:.0f}",
            f"{row['api/raw']:.2f}",
            f"{row['naive_rps']:.0f}",
            f"{row['api/naive']:.2f}",
        )
        print("| " + " | ".join(cells) + " |")
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
