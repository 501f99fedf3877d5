"""`tune` scales out on PostgreSQL: separate processes, and local workers, share one study.

A throwaway PostgreSQL server (helpers.postgres_server) holds the study, as a team's database
would; each `tune` process is what another machine would run, with its own checkout (params
and tuned.yaml) and its own MLflow store.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest
from helpers import BIN, ENV, run, write_small_params

pytestmark = pytest.mark.slow

TRIALS = 4


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The server's URL base: append `optuna` (the study's database) or `race` (left empty)."""
    from helpers import postgres_server

    with postgres_server("optuna", "race") as url:
        yield url


@pytest.fixture(scope="module")
def storage(server: str) -> str:
    return server + "optuna"


def tune_command(project: Path, checkout: Path, data: Path, *options: str) -> list[str]:
    """A `tune` command run from its own copy of the small params (as on another machine)."""
    checkout.mkdir(parents=True)
    params = write_small_params(project, checkout / "params.yaml")
    return [
        str(BIN / project.name),
        "tune",
        "--params",
        str(params),
        "--data-dir",
        str(data),
        "--reports-dir",
        str(checkout / "reports"),
        "--trials",
        str(TRIALS),
        *options,
    ]


def test_tune_processes_and_workers_share_one_study_on_postgresql(
    default_project: Path, storage: str, tmp_path: Path
) -> None:
    cli = BIN / default_project.name
    data = tmp_path / "data"
    small = write_small_params(default_project, tmp_path / "params.yaml")
    run(cli, "prepare", "--params", small, "--out-dir", data, cwd=default_project)

    # Two processes at once, as on two machines; the second with two local workers.
    checkouts = {"machine-a": (), "machine-b": ("--workers", "2")}
    parallel = [
        subprocess.Popen(
            tune_command(default_project, tmp_path / name, data, *options),
            cwd=default_project,
            env={
                **ENV,
                "OPTUNA_STORAGE": storage,
                "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / name / 'mlflow.db'}",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, options in checkouts.items()
    ]
    outputs = [process.communicate(timeout=600) for process in parallel]
    for process, (_, errors) in zip(parallel, outputs, strict=True):
        assert process.returncode == 0, errors[-4000:]

    summaries = optuna.get_all_study_summaries(storage)
    assert len(summaries) == 1, [summary.study_name for summary in summaries]
    study = optuna.load_study(study_name=summaries[0].study_name, storage=storage)
    trials = study.trials
    # Exactly the trials asked for, each once: numbered 0..n-1, all finished, none failed.
    assert len(trials) == 2 * TRIALS
    assert sorted(trial.number for trial in trials) == list(range(2 * TRIALS))
    states = Counter(trial.state.name for trial in trials)
    assert set(states) <= {"COMPLETE", "PRUNED"}, states
    assert study.best_trial.state.name == "COMPLETE"
    # Each command ran its own share: TRIALS trials per command, whatever its workers.
    per_command = Counter(trial.user_attrs["tune_run"] for trial in trials)
    assert sorted(per_command.values()) == [TRIALS] * 2
    for checkout in checkouts:
        tuned = (tmp_path / checkout / "tuned.yaml").read_text(encoding="utf-8")
        assert study.study_name in tuned
        assert "local-test-only" not in tuned, "the storage password was written out"


OPEN_AT_ONCE = """
import sys, time
from {package}.core.study import open_storage
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
storage = open_storage(sys.argv[1])
print(storage.get_current_version())
"""


def test_processes_opening_a_new_storage_at_once_all_open_it(
    default_project: Path, server: str
) -> None:
    """The first processes on an empty database race to create its tables; none fails."""
    package = default_project.name.replace("-", "_")
    start = time.time() + 8  # after every process has imported optuna
    command = [sys.executable, "-c", OPEN_AT_ONCE.format(package=package), server + "race"]
    racing = [
        subprocess.Popen(
            [*command, str(start)],
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outputs = [process.communicate(timeout=120) for process in racing]
    for process, (_, errors) in zip(racing, outputs, strict=True):
        assert process.returncode == 0, errors[-3000:]
    versions = {out.strip() for out, _ in outputs}
    assert len(versions) == 1, versions
    assert versions != {""}
