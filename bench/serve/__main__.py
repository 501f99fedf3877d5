"""Serving benchmark: the generated API against `mlflow models serve`, a minimal FastAPI endpoint
and a FastAPI hello-world, on the default project's trained model; and its explanations.

Each server gets the same closed-loop load: wrk, 1 thread, 8 connections, single-record POSTs,
for --duration seconds on loopback after a short warm-up. All four servers run at once (idle
when not under load) and --rounds passes go over them in turn, keeping each one's best run, so
that a change in the machine's background load does not favour one of them. It prints requests/s
and p50/p99 latency per server, the ratios of the API to the other three, the cost of POST
/explain against POST /predict under the same load (the same API process), the time of a
1000-record request against the model's raw `predict_proba` on the same rows, the time of a
1000-record explanation (in the API and in-process), and a --soak run of the API (errors and
resident memory growth). Everything stops by itself: wrk runs for a fixed
time and every server is terminated at the end.

Run from the template root, with the development environment and wrk installed:

    make env && apt-get install -y wrk
    .venv/bin/python bench/serve              # about 6 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import psutil
from cookiecutter.main import cookiecutter

# The template tests' helpers: a free port, a server started and stopped as a process group.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from helpers import free_port, serving

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE.parents[1]
BIN = Path(sys.executable).parent
# The default project's name; --project-name renders it under another (its own package).
PROJECT_NAME = "Penguin Species Classifier"

TARGETS = {
    "a/b": 10.0,
    "a/d": 0.5,
    "1000-record": 1.5,
    "rss-growth": 0.10,
    "explain/predict": 3.0,
    "1000-explain-s": 1.0,
}

WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"errors": %d, "non_2xx": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass(frozen=True)
class Load:
    """What one wrk run measured."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds


def environment(project: Path) -> dict[str, str]:
    """Offline, quiet, single-threaded native code; the project's package first on the path."""
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(project / "src"),
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DVC_NO_ANALYTICS": "1",
        "HF_HUB_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",
        "OMP_WAIT_POLICY": "PASSIVE",
        "MLFLOW_TRACKING_URI": "sqlite:///mlflow.db",
        "MODEL_DIR": "models",
        "BENCH_PACKAGE": package(project),
    }


def package(project: Path) -> str:
    """The generated project's package name (its folder name, as a Python name)."""
    return project.name.replace("-", "_")


def prepare_project(workdir: Path, reuse: bool, name: str) -> Path:
    """Generate the default project and run its pipeline (dvc repro), unless reusing one."""
    trained = sorted(workdir.glob("*/models/metadata.json"))
    if reuse and trained:
        return trained[0].parents[1]
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    project = Path(
        cookiecutter(
            str(TEMPLATE), no_input=True, output_dir=str(workdir),
            extra_context={"project_name": name},
        )
    )  # fmt: skip
    env = environment(project)
    print(f"running the default pipeline in {project} ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", "."],
        cwd=project, env=env, check=True,
    )  # fmt: skip
    subprocess.run([BIN / "dvc", "repro", "--quiet"], cwd=project, env=env, check=True)
    return project


@contextmanager
def server(command: list[str], project: Path, probe: str) -> Iterator[tuple[str, int]]:
    """Start a server on a free loopback port; yield (base URL, pid) once `probe` answers 200."""
    port = free_port()
    log = project / f"bench-server-{port}.log"
    env = environment(project)
    with serving(
        command, cwd=project, ready=probe, log=log, env=env, port=port, timeout=180
    ) as started:
        yield started.url, started.pid


def wrk(url: str, body: str, seconds: int, connections: int, workdir: Path) -> Load:
    """A closed-loop load of POSTs of `body`, for `seconds`."""
    script = workdir / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(body)}\n" + WRK_REPORT,
        encoding="utf-8",
    )
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(script), url],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    )  # fmt: skip
    line = next(line for line in result.stdout.splitlines() if line.startswith("BENCH "))
    report = json.loads(line.removeprefix("BENCH "))
    return Load(
        requests=report["requests"],
        seconds=report["duration_us"] / 1e6,
        p50_ms=report["p50_us"] / 1000,
        p99_ms=report["p99_us"] / 1000,
        errors=report["errors"] + report["non_2xx"],
    )


def rss(pid: int) -> int:
    """Resident memory of a process and its children, in bytes."""
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])


def sample_records(project: Path, count: int) -> list[dict[str, Any]]:
    """`count` rows of the prepared data (drawn with replacement), features only, as JSON."""
    schema = json.loads((project / "models" / "schema.json").read_text(encoding="utf-8"))
    names = [feature["name"] for feature in schema["features"]]
    splits = sorted((project / "data" / "processed").glob("*.parquet"))
    rows = pd.concat([pd.read_parquet(path) for path in splits])[names]
    rows = rows.sample(n=count, replace=True, random_state=0)
    return json.loads(rows.to_json(orient="records"))


def big_requests(url: str, project: Path, repeats: int = 21) -> dict[str, float]:
    """Median seconds of 1000-record work: POST /predict and `predict_proba` on the same rows,
    POST /explain and the in-process explanation (`Predictor.explain_checked`)."""
    sys.path.insert(0, str(project / "src"))
    schema = importlib.import_module(f"{package(project)}.tabular.model.schema")
    task = importlib.import_module(f"{package(project)}.task")

    records = sample_records(project, 1000)
    predictor: Any = task.load_serving().load(project / "models")
    features = schema.conform(pd.DataFrame.from_records(records), predictor.schema)

    # The request is encoded once and the answer checked once: the timing is the API's, not
    # the client's JSON library's.
    body = json.dumps({"records": records}).encode()
    headers = {"Content-Type": "application/json"}
    with httpx.Client(base_url=url, timeout=60) as client:
        answer = client.post("/predict", content=body, headers=headers)
        answer.raise_for_status()
        if len(answer.json()["predictions"]) != len(records):
            raise RuntimeError("the API did not answer every record")

        def post() -> None:
            client.post("/predict", content=body, headers=headers).raise_for_status()

        def raw() -> None:
            predictor.model.predict_proba(features)

        def explain_post() -> None:
            client.post("/explain", content=body, headers=headers).raise_for_status()

        def explain_raw() -> None:
            predictor.explain_checked(records)

        # Alternate them, so that a change in the machine's load hits all alike.
        calls = {"api_s": post, "raw_s": raw, "explain_api_s": explain_post,
                 "explain_raw_s": explain_raw}  # fmt: skip
        times: dict[str, list[float]] = {name: [] for name in calls}
        for round_ in range(3 + repeats):
            for name, call in calls.items():
                start = time.perf_counter()
                call()
                if round_ >= 3:  # the first rounds warm up
                    times[name].append(time.perf_counter() - start)
    return {name: statistics.median(samples) for name, samples in times.items()}


def row(name: str, load: Load) -> str:
    return f"  {name:<34} {load.rate:9.1f} {load.p50_ms:9.1f} {load.p99_ms:9.1f} {load.errors:7d}"


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "MISSES the target"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per server (>= 10)")
    parser.add_argument("--soak", type=int, default=60, help="seconds of the API soak run")
    parser.add_argument(
        "--quick", action="store_true", help="only the API and hello-world (a/d), no soak"
    )
    parser.add_argument("--rounds", type=int, default=2, help="runs per server, best kept")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=TEMPLATE / "build" / "bench-serve")
    parser.add_argument("--reuse", action="store_true", help="reuse a trained project in workdir")
    parser.add_argument(
        "--project-name", default=PROJECT_NAME,
        help="render the project under this name (its own package, installed in editable mode)",
    )  # fmt: skip
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian/Ubuntu: apt-get install -y wrk)", file=sys.stderr)
        return 2
    args.workdir = args.workdir.resolve()
    project = prepare_project(args.workdir, args.reuse, args.project_name)
    slug = project.name
    record = sample_records(project, 1)
    api_body = json.dumps({"records": record})
    mlflow_body = json.dumps({"dataframe_records": record})
    uvicorn = [str(BIN / "python"), "-m", "uvicorn", "--app-dir", str(HERE), "--host",
               "127.0.0.1", "--port", "{port}", "--workers", "1", "--log-level", "warning",
               "--no-access-log"]  # fmt: skip
    mlflow_command = [
        str(BIN / "mlflow"), "models", "serve", "-m", f"models:/{slug}/1",
        "--env-manager", "local", "-h", "127.0.0.1", "-p", "{port}", "-w", "1",
    ]  # fmt: skip
    # key: (label, command, readiness probe, load path, body)
    servers = {
        "a": ("(a) this API (adaptive batching)",
              [str(BIN / slug), "serve", "--port", "{port}", "--no-access-log"],
              "/ready", "/predict", api_body),
        "b": ("(b) mlflow models serve", mlflow_command, "/ping", "/invocations", mlflow_body),
        "c": ("(c) minimal FastAPI endpoint", [*uvicorn, "baselines:minimal"], "/docs",
              "/predict", api_body),
        "d": ("(d) hello-world, async def (the floor)", [*uvicorn, "baselines:hello"], "/docs",
              "/predict",
              api_body),
    }  # fmt: skip
    if args.quick:
        servers = {key: servers[key] for key in "ad"}
        args.rounds = 1

    print(
        f"load: wrk, 1 thread, {args.connections} connections, {args.duration} s, "
        f"1 record/POST; {args.rounds} round(s) over all servers, the best of each kept"
    )
    # key: (label, server, path, body); (e) is the API of (a), asked for explanations.
    loads = {key: (label, key, path, body) for key, (label, _, _, path, body) in servers.items()}
    loads["e"] = ("(e) this API, POST /explain", "a", "/explain", api_body)
    with ExitStack() as stack:
        started = {
            key: stack.enter_context(server(command, project, probe))
            for key, (_, command, probe, _, _) in servers.items()
        }
        for _, key, path, body in loads.values():
            wrk(started[key][0] + path, body, 2, args.connections, args.workdir)  # warm-up
        rounds: dict[str, list[Load]] = {key: [] for key in loads}
        for _ in range(args.rounds):
            for load, (_, key, path, body) in loads.items():
                url = started[key][0] + path
                rounds[load].append(wrk(url, body, args.duration, args.connections, args.workdir))
        results = {key: max(runs, key=lambda run: run.rate) for key, runs in rounds.items()}
        explain_cost = results["a"].rate / results["e"].rate
        explain_line = (
            f"  /explain costs {explain_cost:.2f}x /predict at {args.connections} connections "
            f"(target <= 3: {verdict(explain_cost <= TARGETS['explain/predict'])})"
        )
        if args.quick:
            for key, (label, *_) in loads.items():
                print(row(label, results[key]))
            print(f"  a/d = {results['a'].rate / results['d'].rate:.2f}")
            print(explain_line)
            return 0
        # The other servers stay up, idle, so the API runs alone from here.
        url, pid = started["a"]
        big = big_requests(url, project)
        rss_start = rss(pid)
        soak = wrk(url + "/predict", api_body, args.soak, args.connections, args.workdir)
        rss_end = rss(pid)

    a, b, c, d = (results[key] for key in "abcd")
    print(f"\n  {'server':<34} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
    for key, (label, *_) in loads.items():
        print(row(label, results[key]))
    ratios = {"a/b": a.rate / b.rate, "a/c": a.rate / c.rate, "a/d": a.rate / d.rate}
    print()
    print(f"  a/b = {ratios['a/b']:6.2f}   (target >= 10: {verdict(ratios['a/b'] >= 10)})")
    print(f"  a/c = {ratios['a/c']:6.2f}")
    print(f"  a/d = {ratios['a/d']:6.2f}   (target >= 0.5: {verdict(ratios['a/d'] >= 0.5)})")
    print(explain_line)
    ratios["e/a cost"] = explain_cost
    big["ratio"] = big["api_s"] / big["raw_s"]
    print(
        f"\n  1000-record request: API {big['api_s'] * 1000:.1f} ms, raw predict_proba "
        f"{big['raw_s'] * 1000:.1f} ms, ratio {big['ratio']:.2f} "
        f"(target <= 1.5: {verdict(big['ratio'] <= TARGETS['1000-record'])})"
    )
    print(
        f"  1000-record explanation: API {big['explain_api_s'] * 1000:.1f} ms, in-process "
        f"{big['explain_raw_s'] * 1000:.1f} ms "
        f"(target < 1 s: {verdict(big['explain_api_s'] < TARGETS['1000-explain-s'])})"
    )
    growth = (rss_end - rss_start) / rss_start
    soak_ok = soak.errors == 0 and growth < 0.10
    print(
        f"  {args.soak} s soak: {soak.requests} requests ({soak.rate:.0f}/s), {soak.errors} "
        f"errors, RSS {rss_start / 2**20:.0f} -> {rss_end / 2**20:.0f} MiB ({growth:+.1%}) "
        f"(target: 0 errors, growth < 10%: {verdict(soak_ok)})"
    )
    summary = {
        "servers": {key: {**vars(load), "rate": load.rate} for key, load in results.items()},
        "ratios": ratios,
        "big_request": big,
        "soak": {**vars(soak), "rss_start": rss_start, "rss_end": rss_end, "growth": growth},
    }
    out = args.workdir / "results.json"
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\n  results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
