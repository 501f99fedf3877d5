"""Time `tune` and `compare` on the default project, and two tuning workers against one.

Usage (from the template root, after `make env`; the PostgreSQL part needs Debian's
`postgresql`, as the tests do):

    .venv/bin/python bench/tune             # everything below
    .venv/bin/python bench/tune scale-out   # step 3 only

It generates the default project into build/bench-tune/, installs it into this environment
without its dependencies, prepares the data and measures, each against a named baseline:

1. `train` with params.yaml's values (the baseline: one training with its cross-validation);
2. `tune` with the shipped settings (30 trials, SQLite study): wall time against the 2-minute
   budget and against the baseline training, and the CV score it reaches against params.yaml's
   values; then `train` again with tuned.yaml laid over params.yaml, and its CV score;
3. 20 trials on a PostgreSQL study by one `tune` process (the baseline), then by two processes
   at once (10 trials each, as two machines would) on a fresh study: the wall-time ratio;
4. `compare` (every model on the same split): wall time against the 1-minute budget.

Wall times include each command's start-up (imports). Nothing here is a pass/fail test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TEMPLATE / "tests"))

from helpers import BIN, ENV, postgres_missing, postgres_server, run  # noqa: E402

TUNE_BUDGET_S = 120.0
COMPARE_BUDGET_S = 60.0
SCALE_TRIALS = 20


def timed(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> float:
    """Run a command (stopping with its output if it fails); return its wall time in seconds."""
    start = time.perf_counter()
    run(*command, cwd=cwd, env=env)
    return time.perf_counter() - start


def timed_together(commands: list[list[str]], cwd: Path, envs: list[dict[str, str]]) -> float:
    """Start the commands at once; return the wall time until the last one ends."""
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            command,
            cwd=cwd,
            env={**ENV, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command, env in zip(commands, envs, strict=True)
    ]
    for process in processes:
        out, err = process.communicate()
        if process.returncode != 0:
            sys.exit(f"{' '.join(process.args)} failed:\n{out}\n{err}")  # type: ignore[arg-type]
    return time.perf_counter() - start


def generate(root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    timed(BIN / "cookiecutter", "--no-input", "-o", root, TEMPLATE, cwd=TEMPLATE)
    project = root / "penguin-species-classifier"
    timed(
        BIN / "uv",
        "pip",
        "install",
        "-q",
        "--python",
        sys.executable,
        "--no-deps",
        "-e",
        ".",
        cwd=project,
    )
    return project


def cv_accuracy(project: Path) -> float:
    metadata = json.loads((project / "models" / "metadata.json").read_text(encoding="utf-8"))
    return float(metadata["cv"]["accuracy_mean"])


def main() -> None:
    project = generate(TEMPLATE / "build" / "bench-tune")
    if sys.argv[1:] == ["scale-out"]:
        timed(BIN / project.name, "prepare", cwd=project)
        scale_out(project)
        return
    cli = BIN / project.name
    print(f"project: {project} ({os.cpu_count()} cores)")
    timed(cli, "prepare", cwd=project)

    train_s = timed(cli, "train", cwd=project)
    default_cv = cv_accuracy(project)
    tune_s = timed(cli, "tune", cwd=project)
    study = json.loads((project / "reports" / "tuning" / "study.json").read_text("utf-8"))
    tuned_train_s = timed(cli, "train", cwd=project)
    tuned_cv = cv_accuracy(project)
    compare_s = timed(cli, "compare", cwd=project)

    print()
    print(f"train, params.yaml's values (baseline): {train_s:6.1f} s, CV accuracy {default_cv:.4f}")
    trials = study["trials"]
    print(
        f"tune, {trials['this_run']} trials ({trials['complete']} complete, {trials['pruned']} "
        f"pruned): {tune_s:6.1f} s = {tune_s / TUNE_BUDGET_S:.2f} x the {TUNE_BUDGET_S:.0f} s "
        f"budget = {tune_s / train_s:.1f} x the baseline training"
    )
    print(
        f"  study's best CV accuracy {study['best']['value']:.4f} vs params.yaml's values "
        f"{study['params_yaml_value']:.4f} (same folds)"
    )
    print(
        f"train with tuned.yaml: {tuned_train_s:6.1f} s, CV accuracy {tuned_cv:.4f} "
        f"(params.yaml's values: {default_cv:.4f})"
    )
    print(
        f"compare, every model: {compare_s:6.1f} s = {compare_s / COMPARE_BUDGET_S:.2f} x the "
        f"{COMPARE_BUDGET_S:.0f} s budget"
    )

    scale_out(project)


def study_span(url: str) -> float:
    """Seconds from the study's first trial start to its last trial end (no start-up)."""
    import optuna

    (summary,) = optuna.get_all_study_summaries(url)
    trials = optuna.load_study(study_name=summary.study_name, storage=url).trials
    starts = [t.datetime_start for t in trials if t.datetime_start]
    ends = [t.datetime_complete for t in trials if t.datetime_complete]
    return (max(ends) - min(starts)).total_seconds()


def scale_out(project: Path) -> None:
    """20 trials by one process (the baseline), then by two at once, each on a fresh study."""
    reason = postgres_missing()
    if reason:
        print(f"\nPostgreSQL scale-out not measured: {reason}")
        return
    cli = BIN / project.name
    with postgres_server("one", "two") as url:
        env = {"MLFLOW_TRACKING_URI": f"sqlite:///{project / 'mlflow.db'}"}
        one = timed(
            cli,
            "tune",
            "--trials",
            SCALE_TRIALS,
            cwd=project,
            env={**env, "OPTUNA_STORAGE": url + "one"},
        )
        half = str(SCALE_TRIALS // 2)
        command = [str(cli), "tune", "--trials", half]
        two = timed_together(
            [command, command],
            project,
            [
                {
                    "OPTUNA_STORAGE": url + "two",
                    "MLFLOW_TRACKING_URI": f"sqlite:///{project / f'mlflow-{i}.db'}",
                }
                for i in range(2)
            ],
        )
        one_span, two_span = study_span(url + "one"), study_span(url + "two")
    print(
        f"\n{SCALE_TRIALS} trials on PostgreSQL, wall time: one process (baseline) {one:.1f} s, "
        f"two processes at once {two:.1f} s: ratio two / one = {two / one:.2f}"
    )
    print(
        f"  first trial start to last trial end: one {one_span:.1f} s, two {two_span:.1f} s: "
        f"ratio {two_span / one_span:.2f} (the rest is each process's start-up)"
    )


if __name__ == "__main__":
    main()
