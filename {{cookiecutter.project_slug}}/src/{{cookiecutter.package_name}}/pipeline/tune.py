"""The `tune` command: an Optuna study of the chosen model's hyperparameters, on the training split.

Each trial trains the model with sampled values through the family's objective (cross-validation
folds or a validation split, never the test split), reporting each fold's or epoch's score so
the pruner can stop a hopeless trial early. The study lives in an RDB storage (a SQLite file by
default, PostgreSQL through OPTUNA_STORAGE): `workers` local processes, and `tune` commands on
other machines, share its trials. The first trial of a new study is params.yaml's own values,
so the result never loses to them on the same folds.

The command records one MLflow run with every trial it ran nested under it, writes the study's
figures and summary to reports/tuning/, and the best values to tuned.yaml, which `load_params`
lays over params.yaml (review it with `git diff tuned.yaml`; discard it with
`git checkout tuned.yaml`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from .. import PROJECT
from ..core import study as studies
from ..core import tracking
from ..core.errors import ParamsError, ProjectError
from ..core.files import write_json, write_text
from ..core.params import TUNED_FILE, deep_merge
from ..core.settings import Settings
from ..task import P, TaskFamily, load_family

if TYPE_CHECKING:
    import optuna

log = logging.getLogger(__name__)

TUNING_DIR = "tuning"
HISTORY_FIGURE = "optimization_history.png"
IMPORTANCE_FIGURE = "param_importances.png"
SUMMARY_FILE = "study.json"
# The user attribute marking the trial that holds params.yaml's own values.
DEFAULTS_ATTRIBUTE = "params_yaml_values"
# The thread counts of native libraries, set in each spawned worker.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# Settings that decide neither a trial's score nor which trials a study holds.
_BOOKKEEPING = ("tune.trials", "tune.timeout", "tune.storage", "tune.startup_trials")


@dataclass(frozen=True)
class Tuned:
    """What a `tune` command did, and the study's best result so far."""

    study: str
    storage: str  # the URL with its password masked
    model: str
    metric: str
    trials_run: int  # by this command (all its workers)
    trials_in_study: int  # finished trials of every command that worked on the study
    best_value: float
    best_values: dict[str, Any]
    defaults_value: float | None  # params.yaml's own values, scored the same way
    tuned_file: Path
    mlflow_run_id: str


def _share(total: int, workers: int) -> list[int]:
    """`total` trials split as evenly as possible among `workers`."""
    return [total // workers + (1 if index < total % workers else 0) for index in range(workers)]


def _fixed_settings(params: P, space: studies.SearchSpace) -> dict[str, Any]:
    """The settings a trial's score depends on, besides the values it samples."""
    tuned = {_params_key(space.model, name) for name in space.distributions}
    return {
        key: value
        for key, value in params.flat().items()
        if key not in _BOOKKEEPING
        and key not in tuned
        and not (key.startswith("models.") and not key.startswith(f"models.{space.model}."))
        and not key.startswith("tune.space.")
    } | {f"tune.space.{space.model}": str(sorted(params.tune.space[space.model].items()))}


def _params_key(model: str, name: str) -> str:
    """Where a hyperparameter lives in params.yaml: `train.<key>` or `models.<model>.<key>`."""
    return name if "." in name else f"models.{model}.{name}"


def as_params(model: str, values: dict[str, Any]) -> dict[str, Any]:
    """Hyperparameter values in params.yaml's shape, e.g. {"models": {"xgboost": {...}}}."""
    tree: dict[str, Any] = {}
    for name, value in values.items():
        *sections, key = _params_key(model, name).split(".")
        node = tree
        for section in sections:
            node = node.setdefault(section, {})
        node[key] = value
    return tree


def _space(family: TaskFamily[P], params: P) -> studies.SearchSpace:
    """`tune.space` of the model params.yaml trains, checked against what the family accepts."""
    model = params.model_name
    return studies.search_space(
        params.tune,
        model,
        family.hyperparameters(params, model),
        lambda values: family.configure(params, model, values),
    )


def _objective(
    family: TaskFamily[P], params: P, data_dir: Path, space: studies.SearchSpace, marker: str
) -> Any:
    """The Optuna objective: sample, configure, train on the training split, score."""
    import optuna

    score = family.objective(params, data_dir)
    headline = family.scoring.headline

    def run(trial: optuna.Trial) -> float:
        trial.set_user_attr(studies.RUN_ATTRIBUTE, marker)
        values = space.suggest(trial)
        configured = family.configure(params, space.model, values)

        def report(step: int, value: float) -> None:
            trial.report(value, step)
            if trial.should_prune():
                raise optuna.TrialPruned(f"pruned at step {step} ({headline} {value:.4f})")

        scores = dict(score(configured, report))
        trial.set_user_attr("scores", scores)
        return float(scores[headline])

    return run


def _log_trial(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
    """One line per finished trial of this worker."""
    shown = trial.value if trial.value is not None else _last(trial)
    try:
        best = f"{study.best_value:.4f}"
    except ValueError:
        best = "none yet"
    log.info(
        "trial %d %s: %s (best %s)",
        trial.number,
        trial.state.name.lower(),
        "-" if shown is None else f"{shown:.4f}",
        best,
    )


def _last(trial: optuna.trial.FrozenTrial) -> float | None:
    """A pruned trial's last reported score."""
    return (
        trial.intermediate_values[max(trial.intermediate_values)]
        if trial.intermediate_values
        else None
    )


def work(
    params: Any,
    data_dir: Path,
    url: str,
    name: str,
    trials: int,
    marker: str,
    worker: int,
    log_level: int | None = None,
) -> None:
    """Run `trials` trials of study `name`: one worker (in this process, or a spawned one)."""
    import optuna

    if log_level is not None:  # a spawned worker process: configure its logging like the CLI
        logging.basicConfig(level=log_level, format=f"%(asctime)s worker {worker}: %(message)s")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    family = load_family()
    space = _space(family, params)
    study = optuna.load_study(
        study_name=name,
        storage=studies.open_storage(url),
        sampler=studies.sampler(params.tune, worker),
        pruner=studies.pruner(params.tune),
    )
    study.optimize(
        _objective(family, params, data_dir, space, marker),
        n_trials=trials,
        timeout=params.tune.timeout,
        callbacks=[_log_trial],
        gc_after_trial=False,
    )


def _work_in_process(threads: int, *args: Any) -> None:
    """A spawned worker: a user-fixable error ends it with its message and exit code 2.

    Its native libraries (BLAS, OpenMP, PyTorch) get `threads` threads, this machine's cores
    shared among the workers, instead of each taking every core.
    """
    for variable in THREAD_VARIABLES:
        os.environ.setdefault(variable, str(threads))
    try:
        work(*args)
    except ProjectError as error:
        logging.getLogger(__name__).error("error: %s", error)
        raise SystemExit(2) from None


def tune(
    family: TaskFamily[P],
    params: P,
    params_file: Path,
    data_dir: Path,
    reports_dir: Path,
    settings: Settings,
    workers: int = 1,
    trials: int | None = None,
) -> Tuned:
    """Tune `params.model_name`; write tuned.yaml (beside `params_file`) and reports/tuning/.

    `trials` (default params `tune.trials`) is this command's share of the study, split among
    `workers` processes.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if workers < 1:
        raise ParamsError(f"--workers must be 1 or more (got {workers})")
    total = params.tune.trials if trials is None else trials
    if total < 1:
        raise ParamsError(f"--trials must be 1 or more (got {total})")
    model = params.model_name
    space = _space(family, params)
    url = settings.optuna_storage or params.tune.storage
    storage = studies.open_storage(url)
    name = studies.study_name(
        PROJECT, model, _fixed_settings(params, space), studies.directory_digest(data_dir)
    )
    headline = family.scoring.headline
    maximize = family.scoring.metrics[headline].greater_is_better
    direction: Literal["maximize", "minimize"] = "maximize" if maximize else "minimize"
    study = optuna.create_study(
        study_name=name,
        storage=storage,
        direction=direction,
        load_if_exists=True,
        sampler=studies.sampler(params.tune, 0),
        pruner=studies.pruner(params.tune),
    )
    if not study.trials and space.defaults:
        study.enqueue_trial(space.encode(space.defaults), user_attrs={DEFAULTS_ATTRIBUTE: True})
    marker = uuid.uuid4().hex
    shares = [share for share in _share(total, workers) if share]
    log.info(
        "tuning %s: %d trials (%s) on study %s at %s",
        model,
        total,
        f"{len(shares)} workers" if len(shares) > 1 else "1 worker",
        name,
        studies.masked(url),
    )
    started = time.perf_counter()
    if len(shares) == 1:
        work(params, data_dir, url, name, shares[0], marker, 0)
    else:
        _run_workers(params, data_dir, url, name, shares, marker)
    elapsed = time.perf_counter() - started
    study = optuna.load_study(study_name=name, storage=storage)
    ours = [t for t in study.trials if t.user_attrs.get(studies.RUN_ATTRIBUTE) == marker]
    finished = [t for t in study.trials if t.state.is_finished()]
    try:
        best = study.best_trial
    except ValueError:
        raise studies.StudyError(
            f"study {name} has no completed trial yet ({len(finished)} finished, all pruned or "
            "failed): run more trials, or widen tune.space"
        ) from None
    best_values = space.decode(best.params)
    best_value = float(best.value) if best.value is not None else float("nan")
    defaults = next(
        (
            t.value
            for t in study.trials
            if t.user_attrs.get(DEFAULTS_ATTRIBUTE) and t.value is not None
        ),
        None,
    )
    tuned_file = _write_tuned(
        params_file.with_name(TUNED_FILE),
        model,
        best_values,
        headline,
        best.value,
        defaults,
        name,
        studies.masked(url),
        len(finished),
    )
    tuning_dir = reports_dir / TUNING_DIR
    summary = {
        "study": name,
        "storage": studies.masked(url),
        "model": model,
        "metric": headline,
        "direction": direction,
        "best": {"trial": best.number, "value": best_value, "values": best_values},
        "params_yaml_value": defaults,
        "trials": {
            "in_study": len(finished),
            "this_run": len(ours),
            **{
                state: sum(t.state.name == state.upper() for t in ours)
                for state in ("complete", "pruned", "fail")
            },
        },
        "seconds": round(elapsed, 2),
    }
    figures = _figures(study, space, headline, tuning_dir)
    write_json(summary, tuning_dir / SUMMARY_FILE)
    run_id = _record(settings, summary, ours, space, headline, [*figures, tuned_file])
    log.info(
        "best %s %.4f (trial %d; params.yaml's values: %s) → %s",
        headline,
        best.value,
        best.number,
        "not scored" if defaults is None else f"{defaults:.4f}",
        tuned_file,
    )
    return Tuned(
        study=name,
        storage=studies.masked(url),
        model=model,
        metric=headline,
        trials_run=len(ours),
        trials_in_study=len(finished),
        best_value=best_value,
        best_values=best_values,
        defaults_value=defaults,
        tuned_file=tuned_file,
        mlflow_run_id=run_id,
    )


def _run_workers(
    params: Any, data_dir: Path, url: str, name: str, shares: list[int], marker: str
) -> None:
    """Run one worker process per share and wait for them all."""
    context = multiprocessing.get_context("spawn")
    level = logging.getLogger().getEffectiveLevel()
    threads = max(1, (os.cpu_count() or 1) // len(shares))
    processes = [
        context.Process(
            target=_work_in_process,
            name=f"tune-worker-{index}",
            args=(threads, params, data_dir, url, name, share, marker, index, level),
        )
        for index, share in enumerate(shares)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = [f"worker {i} (exit code {p.exitcode})" for i, p in enumerate(processes) if p.exitcode]
    if failed:
        raise studies.StudyError(
            f"{len(failed)} of {len(processes)} tune workers failed: {', '.join(failed)}; "
            "their errors are logged above"
        )


def _write_tuned(
    path: Path,
    model: str,
    values: dict[str, Any],
    metric: str,
    best: float | None,
    defaults: float | None,
    name: str,
    storage: str,
    trials: int,
) -> Path:
    """Lay the best values over what tuned.yaml already holds (other models' results stay)."""
    current: dict[str, Any] = {}
    if path.is_file():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        current = loaded if isinstance(loaded, dict) else {}
    merged = deep_merge(current, as_params(model, values))
    baseline = "not scored" if defaults is None else f"{defaults:.4f}"
    header = (
        f"# Tuned hyperparameters, laid over params.yaml when the pipeline loads it.\n"
        f"# {model}: best {metric} {best:.4f} tuning on the training split only "
        f"(params.yaml's values: {baseline}),\n"
        f"# {trials} trials of Optuna study {name} in {storage}.\n"
        "# Keep: `git add tuned.yaml && dvc repro`. Discard: `git checkout tuned.yaml`.\n"
    )
    return write_text(header + yaml.safe_dump(merged, sort_keys=True), path)


def _figures(
    study: optuna.Study, space: studies.SearchSpace, metric: str, directory: Path
) -> list[Path]:
    """The optimisation history and, with enough trials, the hyperparameters' importances."""
    import optuna

    from ..core.figures import optimization_history, param_importances

    trials = [t for t in study.trials if t.state.is_finished()]
    points: list[tuple[int, float, str]] = []
    for trial in trials:
        value = trial.value if trial.value is not None else _last(trial)
        if value is not None:
            points.append((trial.number, value, trial.state.name.lower()))
    drawn = [
        optimization_history(
            points,
            metric,
            study.direction == optuna.study.StudyDirection.MAXIMIZE,
            directory / HISTORY_FIGURE,
        )
    ]
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    if len(complete) >= 2 and len(space.distributions) >= 1:
        try:
            importances = optuna.importance.get_param_importances(study)
        except (RuntimeError, ValueError) as error:
            log.warning("no importance figure: %s", error)
        else:
            drawn.append(param_importances(importances, directory / IMPORTANCE_FIGURE))
    return drawn


def _record(
    settings: Settings,
    summary: dict[str, Any],
    trials: list[optuna.trial.FrozenTrial],
    space: studies.SearchSpace,
    metric: str,
    files: list[Path],
) -> str:
    """The command's MLflow run: the study's best; its trials as nested runs."""
    best = summary["best"]
    status = {"COMPLETE": "FINISHED", "PRUNED": "KILLED", "FAIL": "FAILED"}
    children = []
    for trial in trials:
        if not trial.state.is_finished() or trial.datetime_start is None:
            continue
        end = trial.datetime_complete or trial.datetime_start
        metrics = {key: float(v) for key, v in (trial.user_attrs.get("scores") or {}).items()}
        last = _last(trial)
        if trial.state.name == "PRUNED" and last is not None:
            metrics[f"last_{metric}"] = float(last)
            metrics["pruned_at_step"] = float(max(trial.intermediate_values))
        metrics["duration_s"] = (end - trial.datetime_start).total_seconds()
        children.append(
            tracking.Child(
                name=f"trial-{trial.number}",
                start_ms=int(trial.datetime_start.timestamp() * 1000),
                end_ms=int(end.timestamp() * 1000),
                status=status.get(trial.state.name, "FINISHED"),
                params={k: str(v) for k, v in space.decode(trial.params).items()},
                metrics=metrics,
                tags={
                    "optuna.study": summary["study"],
                    "optuna.trial": str(trial.number),
                    "optuna.state": trial.state.name.lower(),
                },
            )
        )
    with tracking.run(
        settings, run_name=f"tune-{summary['model']}", study=summary["study"], stage="tune"
    ) as active:
        tracking.log_values(
            params={
                "model": summary["model"],
                "study": summary["study"],
                "storage": summary["storage"],
                **{f"best.{k}": v for k, v in best["values"].items()},
            },
            metrics={
                f"best_{metric}": best["value"],
                **(
                    {f"params_yaml_{metric}": summary["params_yaml_value"]}
                    if summary["params_yaml_value"] is not None
                    else {}
                ),
                "trials_in_study": summary["trials"]["in_study"],
                "trials_this_run": summary["trials"]["this_run"],
                "seconds": summary["seconds"],
            },
        )
        tracking.log_files(files, folder="tuning")
        run_id = active.info.run_id
    tracking.log_children(settings, run_id, children)
    return run_id
