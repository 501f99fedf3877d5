"""Serving benchmark: the generated API against `mlflow models serve`, a minimal FastAPI endpoint
and FastAPI hello-worlds, on the default project's trained model.

Each server gets the same closed-loop load: wrk, 1 thread, 8 connections, single-record POSTs,
for --duration seconds on loopback after a short warm-up. All servers run at once (idle when not
under load) and --rounds passes go over them in turn, keeping each one's best run, so that a
change in the machine's background load does not favour one of them. It prints requests/s and
p50/p99 latency per server, the ratios of the API to the others (to the HTTP floor: the faster
of the two hello-worlds, named in the output), the time of a 1000-record request against the
model's raw `predict_proba` on the same rows, and a --soak run of the API (errors and resident
memory growth). Everything stops by itself: wrk runs for a fixed time and every server is
terminated at the end.

Run from the template root, with the development environment and wrk installed:

    make env && apt-get install -y wrk
    .venv/bin/python bench/serve              # about 6 minutes on 2 cores
"""

from __future__ import annotations

import argparse
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
SLUG = "penguin-species-classifier"
PACKAGE = SLUG.replace("-", "_")

TARGETS = {"a/b": 10.0, "a/floor": 0.5, "1000-record": 1.5, "rss-growth": 0.10}
# The trivial endpoints; the faster of the two is the HTTP floor the API is measured against.
FLOORS = ("d", "e")

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


def launchers(project: Path) -> Path:
    """Where the project's command is: a launcher of its src/, beside the project."""
    return project.parent / "bin"


def environment(project: Path) -> dict[str, str]:
    """Offline, quiet, single-threaded native code; the project's package first on the path."""
    path = os.pathsep.join((str(launchers(project)), str(BIN), os.environ.get("PATH", "")))
    return {
        **os.environ,
        "PATH": path,
        "PYTHONPATH": str(project / "src"),
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DVC_NO_ANALYTICS": "1",
        "HF_HUB_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",
        "OMP_WAIT_POLICY": "PASSIVE",
        "MLFLOW_TRACKING_URI": "sqlite:///mlflow.db",
        "MODEL_DIR": "models",
        "BENCH_PACKAGE": PACKAGE,
    }


def prepare_project(workdir: Path, reuse: bool) -> Path:
    """Generate the default project and run its pipeline (dvc repro), unless reusing one."""
    project = workdir / SLUG
    launcher = launchers(project) / SLUG
    if reuse and (project / "models" / "metadata.json").is_file() and launcher.is_file():
        return project
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(workdir))
    # The project's command runs its src/ (PYTHONPATH, see environment()) with this interpreter,
    # without installing the project: the environment stays as it was.
    launcher.parent.mkdir()
    launcher.write_text(
        f"#!{sys.executable}\nimport sys\n\nfrom {PACKAGE}.cli import app\n\nsys.exit(app())\n",
        encoding="utf-8",
    )
    launcher.chmod(0o755)
    print(f"running the default pipeline in {project} ...", flush=True)
    subprocess.run(
        [BIN / "dvc", "repro", "--quiet"], cwd=project, env=environment(project), check=True
    )
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


def big_request_ratio(url: str, project: Path, repeats: int = 21) -> tuple[float, float]:
    """Median seconds of a 1000-record POST, and of `predict_proba` on the same rows."""
    sys.path.insert(0, str(project / "src"))
    from penguin_species_classifier.tabular.model.schema import conform
    from penguin_species_classifier.tabular.serving.predictor import TabularPredictor

    records = sample_records(project, 1000)
    predictor = TabularPredictor.load(project / "models")
    features = conform(pd.DataFrame.from_records(records), predictor.schema)

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

        # Alternate the two, so that a change in the machine's load hits both alike.
        times: dict[Any, list[float]] = {post: [], raw: []}
        for round_ in range(3 + repeats):
            for call, samples in times.items():
                start = time.perf_counter()
                call()
                if round_ >= 3:  # the first rounds warm up
                    samples.append(time.perf_counter() - start)
    return statistics.median(times[post]), statistics.median(times[raw])


def row(name: str, load: Load) -> str:
    return f"  {name:<42} {load.rate:9.1f} {load.p50_ms:9.1f} {load.p99_ms:9.1f} {load.errors:7d}"


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "MISSES the target"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per server (>= 10)")
    parser.add_argument("--soak", type=int, default=60, help="seconds of the API soak run")
    parser.add_argument(
        "--quick", action="store_true", help="only the API and the hello-worlds, no soak"
    )
    parser.add_argument("--rounds", type=int, default=2, help="runs per server, best kept")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=TEMPLATE / "build" / "bench-serve")
    parser.add_argument("--reuse", action="store_true", help="reuse a trained project in workdir")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian/Ubuntu: apt-get install -y wrk)", file=sys.stderr)
        return 2
    args.workdir = args.workdir.resolve()
    project = prepare_project(args.workdir, args.reuse)
    record = sample_records(project, 1)
    api_body = json.dumps({"records": record})
    mlflow_body = json.dumps({"dataframe_records": record})
    uvicorn = [str(BIN / "python"), "-m", "uvicorn", "--app-dir", str(HERE), "--host",
               "127.0.0.1", "--port", "{port}", "--workers", "1", "--log-level", "warning",
               "--no-access-log"]  # fmt: skip
    mlflow_command = [
        str(BIN / "mlflow"), "models", "serve", "-m", f"models:/{SLUG}/1",
        "--env-manager", "local", "-h", "127.0.0.1", "-p", "{port}", "-w", "1",
    ]  # fmt: skip
    # key: (label, command, readiness probe, load path, body)
    servers = {
        "a": ("(a) this API (adaptive batching)",
              [str(launchers(project) / SLUG), "serve", "--port", "{port}", "--no-access-log"],
              "/ready", "/predict", api_body),
        "b": ("(b) mlflow models serve", mlflow_command, "/ping", "/invocations", mlflow_body),
        "c": ("(c) minimal FastAPI endpoint", [*uvicorn, "baselines:minimal"], "/docs",
              "/predict", api_body),
        "d": ("(d) FastAPI hello-world, async def", [*uvicorn, "baselines:hello"], "/docs",
              "/predict", api_body),
        "e": ("(e) FastAPI hello-world, def (thread pool)", [*uvicorn, "baselines:hello_sync"],
              "/docs", "/predict", api_body),
    }  # fmt: skip
    if args.quick:
        servers = {key: servers[key] for key in ("a", *FLOORS)}
        args.rounds = 1

    print(
        f"load: wrk, 1 thread, {args.connections} connections, {args.duration} s, "
        f"1 record/POST; {args.rounds} round(s) over all servers, the best of each kept"
    )
    with ExitStack() as stack:
        started = {
            key: stack.enter_context(server(command, project, probe))
            for key, (_, command, probe, _, _) in servers.items()
        }
        for key, (_, _, _, path, body) in servers.items():
            wrk(started[key][0] + path, body, 2, args.connections, args.workdir)  # warm-up
        rounds: dict[str, list[Load]] = {key: [] for key in servers}
        for _ in range(args.rounds):
            for key, (_, _, _, path, body) in servers.items():
                url = started[key][0] + path
                rounds[key].append(wrk(url, body, args.duration, args.connections, args.workdir))
        results = {key: max(loads, key=lambda load: load.rate) for key, loads in rounds.items()}
        floor = max(FLOORS, key=lambda key: results[key].rate)
        floor_line = (
            f"  a/floor = {results['a'].rate / results[floor].rate:6.2f}   "
            f"(the floor, the faster hello-world: {servers[floor][0]}; target >= 0.5: "
            f"{verdict(results['a'].rate / results[floor].rate >= TARGETS['a/floor'])})"
        )
        thread_pool_line = f"  a/e = {results['a'].rate / results['e'].rate:6.2f}   (thread pool)"
        if args.quick:
            print(f"\n  {'server':<42} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
            for key, (label, *_) in servers.items():
                print(row(label, results[key]))
            print(floor_line)
            print(thread_pool_line)
            return 0
        # The other servers stay up, idle, so the API runs alone from here.
        url, pid = started["a"]
        api_seconds, raw_seconds = big_request_ratio(url, project)
        rss_start = rss(pid)
        soak = wrk(url + "/predict", api_body, args.soak, args.connections, args.workdir)
        rss_end = rss(pid)

    a, b, c = (results[key] for key in "abc")
    print(f"\n  {'server':<42} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
    for key, (label, *_) in servers.items():
        print(row(label, results[key]))
    ratios = {
        "a/b": a.rate / b.rate,
        "a/c": a.rate / c.rate,
        **{f"a/{key}": a.rate / results[key].rate for key in FLOORS},
        "a/floor": a.rate / results[floor].rate,
    }
    print()
    print(f"  a/b = {ratios['a/b']:6.2f}   (target >= 10: {verdict(ratios['a/b'] >= 10)})")
    print(f"  a/c = {ratios['a/c']:6.2f}")
    print(floor_line)
    print(thread_pool_line)
    big = api_seconds / raw_seconds
    print(
        f"\n  1000-record request: API {api_seconds * 1000:.1f} ms, raw predict_proba "
        f"{raw_seconds * 1000:.1f} ms, ratio {big:.2f} (target <= 1.5: {verdict(big <= 1.5)})"
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
        "floor": floor,
        "big_request": {"api_s": api_seconds, "raw_s": raw_seconds, "ratio": big},
        "soak": {**vars(soak), "rss_start": rss_start, "rss_end": rss_end, "growth": growth},
    }
    out = args.workdir / "results.json"
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\n  results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
