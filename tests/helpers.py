"""What the template's tests share: rendering projects, running commands and servers in them.

A plain module (conftest.py keeps only fixtures and pytest hooks); bench/ uses it too.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib.util
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# uv, from requirements-dev.txt: `make test` hands it pip's find-links folders and indexes.
UV = BIN / "uv"

# Every child process runs offline and quietly, with this environment's tools first on PATH.
ENV = {
    **os.environ,
    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DVC_NO_ANALYTICS": "1",
    "HF_HUB_OFFLINE": "1",
    "OMP_WAIT_POLICY": "PASSIVE",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


@functools.cache
def template_options() -> dict[str, Any]:
    """The template's cookiecutter.json: its options, their defaults and the task table."""
    options: dict[str, Any] = json.loads((TEMPLATE / "cookiecutter.json").read_text("utf-8"))
    return options


# The tasks a project can be generated for, the default first (cookiecutter.json lists them).
TASKS: tuple[str, ...] = tuple(template_options()["task"])


# task → {metric: bar} on the default data's held-out test split (test_generated.py; the
# default task's in test_workflows.py, where its CI jobs run).
QUALITY_BARS = {
    "tabular-classification": {"accuracy": 0.97, "f1_macro": 0.95},
    "tabular-regression": {"r2": 0.80},
    # The small CNN on the 5,000 MNIST digits (1,000 held out); the dummy scores 0.10.
    "image-classification": {"accuracy": 0.97, "f1_macro": 0.97},
    # TF-IDF + logistic regression on the ~12,750 Rotten Tomatoes snippets (2,551 held out);
    # the dummy scores 0.58.
    "text-classification": {"accuracy": 0.77, "f1_macro": 0.76, "roc_auc": 0.85},
}

# Answers that break naive rendering: quotes of both kinds, backslashes, accents, emoji. The
# answers tests render them; the generated CI's jobs run on a project of these answers.
ODD = {
    "project_name": 'The "Best" Café \\ Classifier 🐧',
    "description": 'Predict a penguin "species" — Ada\u2019s way, C:\\data\\ and all 😀',
    "author_name": 'Zoë O\'Brien "Z" \\',
}
ODD_SLUG = "the-best-cafe-classifier"


def task_defaults(task: str) -> dict[str, str]:
    """What cookiecutter.json says about a task: its family, default name and description."""
    defaults: dict[str, str] = template_options()["_tasks"][task]
    return defaults


def answers_context(**answers: Any) -> dict[str, Any]:
    """The context cookiecutter renders files with for these answers (defaults otherwise)."""
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    context = generate_context(str(TEMPLATE / "cookiecutter.json"), extra_context=answers)
    with template_importable():
        context["cookiecutter"] = prompt_for_config(context, no_input=True)
    return context


def render_hook(name: str, directory: Path, **answers: Any) -> ModuleType:
    """hooks/<name>.py as cookiecutter renders it for these answers, imported (not run)."""
    from cookiecutter.utils import create_env_with_context

    context = answers_context(**answers)
    with template_importable():
        source = (TEMPLATE / "hooks" / f"{name}.py").read_text(encoding="utf-8")
        text = create_env_with_context(context).from_string(source).render(**context)
    path = directory / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"rendered_{name}_{id(path)}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def template_importable() -> Iterator[None]:
    """The template's root on sys.path, as cookiecutter puts it for its local extensions."""
    sys.path.insert(0, str(TEMPLATE))
    try:
        yield
    finally:
        sys.path.remove(str(TEMPLATE))


def render(output_dir: Path, **answers: Any) -> Path:
    """Generate a project with the given answers (defaults otherwise); return its directory."""
    return Path(
        cookiecutter(
            str(TEMPLATE), no_input=True, output_dir=str(output_dir), extra_context=answers
        )
    )


def run(
    *command: str | Path, cwd: Path, timeout: float = 900, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure, fail the test showing its output."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result


def install_editable(project: Path) -> None:
    """Install a generated project into this environment without touching its dependencies."""
    run(UV, "pip", "install", "--quiet", "--python", sys.executable, "--no-deps", "-e", ".",
        cwd=project)  # fmt: skip


def lock(project: Path) -> Path:
    """The project's uv.lock, as its `make setup` writes it (resolved from the index once)."""
    run(UV, "lock", "--quiet", cwd=project, timeout=600)
    return project / "uv.lock"


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerError(RuntimeError):
    """A server exited or did not answer in time; the message holds the end of its log."""


@dataclass(frozen=True)
class Server:
    """A running server: its base URL, process id and start-up time."""

    url: str
    pid: int
    startup_s: float


def answers_ok(url: str) -> bool:
    """Whether GET `url` answers 200 now."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def serving(
    command: Sequence[str | Path],
    *,
    cwd: Path,
    ready: str,
    log: Path,
    env: Mapping[str, str] | None = None,
    port: int | None = None,
    timeout: float = 120,
) -> Iterator[Server]:
    """Start a server; yield it once GET `ready` (a path) answers 200; stop it on exit.

    Every `{port}` in `command` becomes `port` (a free port when not given). The server's
    output goes to `log`. It runs in its own process group, which is stopped as a whole
    (SIGTERM, then SIGKILL): servers such as `mlflow server` start children of their own.

    Raises:
        ServerError: the server exited or did not answer within `timeout` seconds.
    """
    port = free_port() if port is None else port
    argv = [str(part).replace("{port}", str(port)) for part in command]
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log.open("w") as output:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**ENV, **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            while not answers_ok(url + ready):
                if process.poll() is not None or time.perf_counter() - started > timeout:
                    raise ServerError(
                        f"{Path(argv[0]).name} did not answer {url}{ready} "
                        f"(exit {process.poll()}):\n{log.read_text(errors='replace')[-4000:]}"
                    )
                time.sleep(0.25)
            yield Server(url, process.pid, time.perf_counter() - started)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# A quick training: two CV folds, few trees (also in the search spaces), one permutation
# repeat, two learning-curve points.
SMALL_PARAMS = {
    "train": {"cv_folds": 2},
    "models": {"random_forest": {"n_estimators": 10}, "xgboost": {"n_estimators": 20}},
    "evaluate": {"permutation_repeats": 1, "learning_curve_points": 2},
    "tune": {
        "space": {
            "random_forest": {"n_estimators": {"low": 5, "high": 20}},
            "xgboost": {"n_estimators": {"low": 5, "high": 20}},
        }
    },
}


def shrink_params(params: dict[str, Any]) -> dict[str, Any]:
    """A copy of a project's params.yaml content, shrunk for a quick training.

    Only the keys that `params` has are changed, so the result validates like the original.
    """

    def shrink(values: dict[str, Any], small: Mapping[str, Any]) -> None:
        for key, value in small.items():
            if key not in values:
                continue
            if isinstance(value, Mapping):
                shrink(values[key], value)
            else:
                values[key] = value

    shrunk = copy.deepcopy(params)
    shrink(shrunk, SMALL_PARAMS)
    return shrunk


def write_small_params(project: Path, path: Path) -> Path:
    """Write the project's params.yaml, shrunk, to `path`; return `path`."""
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(shrink_params(params), sort_keys=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class TrainedModel:
    """A model trained on shrunk params, with its reports, outside the project directory."""

    project: Path
    root: Path
    model_dir: Path
    reports_dir: Path
    data_dir: Path


def train_small(project: Path, root: Path) -> TrainedModel:
    """Run prepare → train → evaluate of `project` on shrunk params, writing under `root`."""
    params_file = write_small_params(project, root / "params.yaml")
    data_dir, model_dir, reports_dir = root / "data", root / "models", root / "reports"
    env = {"MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlflow.db'}"}
    cli = project.name
    run(cli, "prepare", "--params", params_file, "--out-dir", data_dir, cwd=project, env=env)
    common = ("--params", params_file, "--data-dir", data_dir, "--model-dir", model_dir)
    run(cli, "train", *common, cwd=project, env=env)
    run(cli, "evaluate", *common, "--reports-dir", reports_dir, cwd=project, env=env)
    return TrainedModel(project, root, model_dir, reports_dir, data_dir)


# PostgreSQL for the tests that need a real database server (shared Optuna studies, an MLflow
# server's backend store): Debian's `postgresql` package, started by the tests themselves.
POSTGRES_USER = "mlfolio"
POSTGRES_PASSWORD = "local-test-only"


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl (Debian keeps them out of PATH), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if found:
        return found[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def postgres_missing() -> str | None:
    """Why a PostgreSQL server cannot be started here, or None when it can."""
    if postgres_bin() is None:
        return "PostgreSQL is not installed (`make system-packages`, or apt-get install postgresql)"
    if os.geteuid() == 0:
        # initdb refuses to run as root: the server runs as Debian's `postgres` user.
        if shutil.which("runuser") is None:
            return "running as root without runuser, and initdb refuses root"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run the server as"
    return None


@contextlib.contextmanager
def postgres_server(*databases: str) -> Iterator[str]:
    """A throwaway PostgreSQL server on a loopback port; yields its SQLAlchemy URL base.

    The cluster lives in a fresh temporary directory (owned by `postgres` when run as root),
    accepts password logins on 127.0.0.1 only, and is stopped and deleted on exit. `databases`
    are created; the yielded URL ends in `/` (append a database name).
    """
    bindir = postgres_bin()
    reason = postgres_missing()
    if bindir is None or reason:
        pytest.skip(reason or "PostgreSQL is not installed")
    root = Path(tempfile.mkdtemp(prefix="mlfolio-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, log, secret = root / "data", root / "server.log", root / "password"
    port = free_port()

    def pg(*command: str | Path) -> None:
        result = subprocess.run([*as_user, *map(str, command)], capture_output=True, text=True,
                                timeout=120, check=False)  # fmt: skip
        if result.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise ServerError(f"{' '.join(map(str, command))}: {result.stderr[-2000:]}\n{tail}")

    try:
        pg("sh", "-c", f"umask 077; printf %s '{POSTGRES_PASSWORD}' > '{secret}'")
        pg(bindir / "initdb", "--pgdata", data, "--username", POSTGRES_USER, "--pwfile", secret,
           "--auth-local", "trust", "--auth-host", "scram-sha-256", "--no-sync")  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
        pg(bindir / "pg_ctl", "--pgdata", data, "--log", log, "--options", options, "--wait",
           "--timeout", "60", "start")  # fmt: skip
        try:
            for database in databases:
                pg(bindir / "createdb", "--host", root, "--port", str(port),
                   "--username", POSTGRES_USER, database)  # fmt: skip
            yield f"postgresql+psycopg://{POSTGRES_USER}:{POSTGRES_PASSWORD}@127.0.0.1:{port}/"
        finally:
            pg(bindir / "pg_ctl", "--pgdata", data, "--mode", "fast", "--wait", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
