"""The `compare` command: every model of the task, trained on the same split, side by side.

Each model is trained with the current params (tuned.yaml included) as `train` would train it,
saved to a scratch model directory (its size on disk is the saved files'), scored on the test
split and timed predicting one record and the whole test split as one batch. The leaderboard
goes to reports/leaderboard.{md,json} with a figure, and into MLflow: one run per model, nested
under the comparison's run. models/ is left alone: `train` still decides what is served.
"""

from __future__ import annotations

import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core import modeldir, tracking
from ..core.files import write_json, write_text
from ..core.reports import Scoring
from ..core.settings import Settings
from ..task import P, TaskFamily
from .train import model_metadata

log = logging.getLogger(__name__)

LEADERBOARD_MD = "leaderboard.md"
LEADERBOARD_JSON = "leaderboard.json"
LEADERBOARD_FIGURE = "leaderboard.png"
# Per-record latency: the median of this many single-record predictions (after one warm-up),
# or of as many as fit in the time budget.
RECORD_REPEATS = 20
BATCH_REPEATS = 3
TIMING_BUDGET_S = 1.0


@dataclass(frozen=True)
class Leaderboard:
    """The comparison: one entry per model, best headline score first."""

    entries: list[dict[str, Any]]
    markdown: str
    files: list[Path]


def _median_seconds(call: Callable[[], object], repeats: int) -> float:
    """The median wall time of `call`, after one warm-up call, within the time budget."""
    call()
    times: list[float] = []
    deadline = time.perf_counter() + TIMING_BUDGET_S
    while len(times) < repeats and (not times or time.perf_counter() < deadline):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _size(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def _entry(
    family: TaskFamily[P], params: P, name: str, data_dir: Path, scratch: Path, settings: Settings
) -> dict[str, Any]:
    """Train, save, score and time one model inside its own MLflow run."""
    configured = family.configure(params, name, {})
    with tracking.run(settings, run_name=f"compare-{name}", model=name, stage="compare") as run:
        log.info("training %s", name)
        started = time.perf_counter()
        trained = family.train(configured, data_dir)
        fit_s = time.perf_counter() - started
        metadata = model_metadata(trained, configured, datetime.now(UTC), run.info.run_id, None)
        saved = modeldir.save(
            scratch / name, lambda directory: family.write_model(trained, directory), metadata
        )
        test = family.test_split(configured, data_dir, saved)
        record_s = _median_seconds(lambda: test.predict(1), RECORD_REPEATS)
        batch_s = _median_seconds(lambda: test.predict(test.rows), BATCH_REPEATS)
        entry: dict[str, Any] = {
            "model": name,
            "test": test.scores,
            "cv": trained.cv,
            "fit_seconds": round(fit_s, 3),
            "size_bytes": _size(saved.path),
            "latency_ms": {
                "record": round(record_s * 1000, 3),
                "batch": round(batch_s * 1000, 3),
                "batch_rows": test.rows,
                "per_record_in_batch": round(batch_s * 1000 / max(test.rows, 1), 4),
            },
            "mlflow_run_id": run.info.run_id,
        }
        tracking.log_values(
            params=configured.flat(),
            metrics={
                **{f"test_{k}": v for k, v in test.scores.items()},
                **{f"cv_{k}": v for k, v in trained.cv.items()},
                "fit_seconds": fit_s,
                "size_bytes": float(entry["size_bytes"]),
                "latency_record_ms": entry["latency_ms"]["record"],
                "latency_batch_ms": entry["latency_ms"]["batch"],
            },
        )
    return entry


def compare(
    family: TaskFamily[P],
    params: P,
    data_dir: Path,
    reports_dir: Path,
    settings: Settings,
    models: tuple[str, ...] | None = None,
) -> Leaderboard:
    """Train and score every model (or `models`); write the leaderboard; return it."""
    names = models or family.models
    scoring = family.scoring
    entries = []
    with (
        tempfile.TemporaryDirectory(prefix="compare-") as scratch,
        tracking.run(settings, run_name="compare", stage="compare") as parent,
    ):
        for name in names:
            entries.append(_entry(family, params, name, data_dir, Path(scratch), settings))
        headline = scoring.headline
        reverse = scoring.metrics[headline].greater_is_better
        # Best test score first; ties broken by the CV score, then by the models' order.
        entries.sort(
            key=lambda e: (e["test"][headline], e["cv"].get(f"{headline}_mean", 0.0)),
            reverse=reverse,
        )
        report = {
            "headline": headline,
            "chosen": params.model_name,
            "baseline": names[0],
            "entries": entries,
        }
        markdown = leaderboard_markdown(report, scoring)
        files = [
            write_json(report, reports_dir / LEADERBOARD_JSON),
            write_text(markdown, reports_dir / LEADERBOARD_MD),
            leaderboard_figure(entries, scoring, reports_dir / LEADERBOARD_FIGURE),
        ]
        tracking.log_files(files, folder="leaderboard")
        log.info(
            "compared %d models (MLflow run %s): %s",
            len(entries),
            parent.info.run_id,
            reports_dir / LEADERBOARD_MD,
        )
    return Leaderboard(entries, markdown, files)


def _bytes(size: int) -> str:
    """A size on disk, readable: 812 B, 41.3 KB, 2.4 MB."""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    return f"{value:.1f} {unit}"


def leaderboard_markdown(report: dict[str, Any], scoring: Scoring) -> str:
    """The leaderboard as a Markdown table, best headline score first."""
    metrics = list(scoring.metrics)
    headline = report["headline"]
    has_cv = any(f"{headline}_mean" in entry["cv"] for entry in report["entries"])
    header = ["model", *(f"test {scoring.metrics[m].label}" for m in metrics)]
    if has_cv:
        header.append(f"CV {scoring.metrics[headline].label} (mean ± std)")
    header += ["fit (s)", "size", "latency: 1 record (ms)", "batch (ms per record)"]
    lines = [
        "# Leaderboard: every model on the same split",
        "",
        f"Test split scores, best {scoring.metrics[headline].label} first. "
        f"`train.model` is **{report['chosen']}**; **{report['baseline']}** is the dummy "
        "baseline every model must beat. Fit time includes cross-validation where there is "
        "some; latency is the saved model's predictor, one record, then the whole test split "
        "as one batch. Regenerate with `make compare`.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|",
    ]
    for entry in report["entries"]:
        name = entry["model"]
        shown = f"**{name}** (train.model)" if name == report["chosen"] else name
        if name == report["baseline"]:
            shown += " (dummy)"
        cells = [shown, *(f"{entry['test'][m]:.4f}" for m in metrics)]
        if has_cv:
            cv = entry["cv"]
            cells.append(
                f"{cv[f'{headline}_mean']:.4f} ± {cv[f'{headline}_std']:.4f}"
                if f"{headline}_mean" in cv
                else "n/a"
            )
        latency = entry["latency_ms"]
        cells += [
            f"{entry['fit_seconds']:.2f}",
            _bytes(entry["size_bytes"]),
            f"{latency['record']:.2f}",
            f"{latency['per_record_in_batch']:.4f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def leaderboard_figure(entries: list[dict[str, Any]], scoring: Scoring, path: Path) -> Path:
    """The headline test score of each model (with its CV mean ± std where there is CV)."""
    from ..core.figures import new_figure, save

    headline = scoring.headline
    label = scoring.metrics[headline].label
    ordered = list(reversed(entries))  # best on top
    names = [entry["model"] for entry in ordered]
    figure, axes = new_figure(f"Models on the same split: {label}")
    positions = range(len(names))
    axes.barh(
        [p + 0.2 for p in positions],
        [e["test"][headline] for e in ordered],
        height=0.4,
        label="test split",
    )
    if any(f"{headline}_mean" in e["cv"] for e in ordered):
        axes.barh(
            [p - 0.2 for p in positions],
            [e["cv"].get(f"{headline}_mean", 0.0) for e in ordered],
            xerr=[e["cv"].get(f"{headline}_std", 0.0) for e in ordered],
            height=0.4,
            label="CV mean ± std (training split)",
        )
    axes.set_yticks(list(positions), names)
    axes.set_xlabel(label)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    return save(figure, path)
