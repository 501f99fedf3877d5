"""Command line: each command parses its options and calls one plain function.

Heavy libraries (pandas, scikit-learn, MLflow, XGBoost) are imported inside the commands, so
`--help` answers at once. The stages get the task family from `task.load_family()`; `serve` and
`ui` come from the API and the app (`serving/api/command.py`, `serving/ui/command.py`), which a
project generated without them does not have.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from . import FAMILY_NAME, PROJECT
from .core.errors import ProjectError

app = typer.Typer(help=__doc__.splitlines()[0] if __doc__ else None, no_args_is_help=True)
log = logging.getLogger(PROJECT)

Result = TypeVar("Result")

ParamsOption = Annotated[Path, typer.Option("--params", help="Pipeline parameters (YAML).")]
DataDirOption = Annotated[
    Path, typer.Option("--data-dir", help="Prepared data: train/test splits and schema.json.")
]
ModelDirOption = Annotated[
    Path, typer.Option("--model-dir", help="Model directory: model, schema and metadata.")
]
ReportsDirOption = Annotated[
    Path, typer.Option("--reports-dir", help="Where metrics, plots and figures are written.")
]
MetricsOption = Annotated[Path, typer.Option("--metrics", help="The evaluation's metrics.json.")]


def _run(step: Callable[..., Result], *args: Any) -> Result:
    """Call a pipeline function; a user-fixable error ends the command with its message."""
    try:
        return step(*args)
    except ProjectError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug details.")] = False,
) -> None:
    """Train, evaluate and serve the model (run `COMMAND --help` for each command)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@app.command()
def params(params: ParamsOption = Path("params.yaml")) -> None:
    """Validate params.yaml and print the parameters, one `section.key = value` per line."""
    from .task import load_family

    for key, value in _run(load_family().load_params, params).flat().items():
        typer.echo(f"{key} = {value}")


@app.command()
def prepare(
    params: ParamsOption = Path("params.yaml"),
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Where the splits go.")] = Path(
        "data/processed"
    ),
) -> None:
    """Load and validate the raw data, split it, and record what describes it."""
    from .pipeline.prepare import prepare as prepare_data
    from .task import load_family

    family = load_family()
    _run(prepare_data, family, _run(family.load_params, params), out_dir)


@app.command()
def train(
    params: ParamsOption = Path("params.yaml"),
    data_dir: DataDirOption = Path("data/processed"),
    model_dir: ModelDirOption = Path("models"),
) -> None:
    """Fit the model chosen in params.yaml (cross-validated); log the run to MLflow."""
    from .core.settings import Settings
    from .pipeline.train import train as train_model
    from .task import load_family

    family = load_family()
    _run(train_model, family, _run(family.load_params, params), data_dir, model_dir, Settings())


@app.command()
def evaluate(
    params: ParamsOption = Path("params.yaml"),
    data_dir: DataDirOption = Path("data/processed"),
    model_dir: ModelDirOption = Path("models"),
    reports_dir: ReportsDirOption = Path("reports"),
) -> None:
    """Score the model and a dummy baseline on the test split; write reports and figures."""
    from .core.settings import Settings
    from .pipeline.evaluate import evaluate as evaluate_model
    from .task import load_family

    family = load_family()
    loaded = _run(family.load_params, params)
    _run(evaluate_model, family, loaded, data_dir, model_dir, reports_dir, Settings())


@app.command()
def tune(
    params: ParamsOption = Path("params.yaml"),
    data_dir: DataDirOption = Path("data/processed"),
    reports_dir: ReportsDirOption = Path("reports"),
    workers: Annotated[
        int, typer.Option(help="Local processes working on the study at once.", min=1)
    ] = 1,
    trials: Annotated[
        int | None,
        typer.Option(help="Trials for this command (default: params tune.trials).", min=1),
    ] = None,
) -> None:
    """Search the chosen model's hyperparameters (params tune.space) on the training split.

    The best values go to tuned.yaml beside params.yaml, which the pipeline lays over it.
    Set OPTUNA_STORAGE (e.g. a PostgreSQL URL) to share one study among machines.
    """
    from .core.settings import Settings
    from .pipeline.tune import tune as tune_model
    from .task import load_family

    family = load_family()
    loaded = _run(family.load_params, params)
    result = _run(
        tune_model, family, loaded, params, data_dir, reports_dir, Settings(), workers, trials
    )
    typer.echo(
        f"best {result.metric} {result.best_value:.4f} after {result.trials_in_study} trials "
        f"(params.yaml's values: "
        f"{'not scored' if result.defaults_value is None else f'{result.defaults_value:.4f}'})"
        f"; wrote {result.tuned_file}"
    )


@app.command()
def compare(
    params: ParamsOption = Path("params.yaml"),
    data_dir: DataDirOption = Path("data/processed"),
    reports_dir: ReportsDirOption = Path("reports"),
) -> None:
    """Train every model on the same split; write the leaderboard (reports/leaderboard.md)."""
    from .core.settings import Settings
    from .pipeline.compare import compare as compare_models
    from .task import load_family

    family = load_family()
    loaded = _run(family.load_params, params)
    board = _run(compare_models, family, loaded, data_dir, reports_dir, Settings())
    typer.echo(board.markdown)


@app.command()
def predict(
    input_path: Annotated[Path, typer.Argument(help="CSV or parquet file of records.")],
    output_path: Annotated[Path, typer.Argument(help="CSV file to write the predictions to.")],
    model_dir: ModelDirOption = Path("models"),
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Add each row's explanation: the output explained, its base value and one "
            "contribution_<column> per input column (base value + contributions = that output).",
        ),
    ] = False,
    target: Annotated[
        str | None,
        typer.Option(help="With --explain: the output to explain (a class), not each row's own."),
    ] = None,
) -> None:
    """Predict every row of INPUT and write it, with its prediction, to OUTPUT (CSV).

    A warnings column names each input outside what the model saw in training.
    """
    from .serving.batch import predict_file
    from .task import WARNINGS_COLUMN

    if target is not None and not explain:
        typer.secho("error: --target needs --explain", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2)
    rows, flagged = _run(predict_file, input_path, output_path, model_dir, explain, target)
    typer.echo(f"wrote {rows} {'explained ' if explain else ''}predictions to {output_path}")
    if flagged:
        typer.echo(
            f"{flagged} of {rows} rows have inputs outside the training data: see their "
            f"{WARNINGS_COLUMN} column"
        )


@app.command()
def report(
    metrics: MetricsOption = Path("reports/metrics.json"),
    readme: Annotated[Path, typer.Option(help="README whose results section is rewritten.")] = Path(
        "README.md"
    ),
    model_dir: ModelDirOption = Path("models"),
) -> None:
    """Print the results table; write it, the figures and the limitations into the README.

    A screenshot of the app beside metrics.json (app.png, from `make screenshot`) is shown too.
    """
    from .core.errors import ProjectError
    from .core.modeldir import read_metadata
    from .core.reports import APP_PICTURE, FIGURES_DIR, read_metrics, results_table, update_readme
    from .task import load_serving

    scoring = load_serving().scoring
    results = _run(read_metrics, metrics)
    typer.echo(results_table(results, scoring))
    figures = sorted((metrics.parent / FIGURES_DIR).glob("*.png"))
    picture = metrics.parent / APP_PICTURE
    shown = picture if picture.is_file() else None
    try:
        metadata = read_metadata(model_dir)
    except ProjectError:
        metadata = None  # no model yet: nothing to say about its data
    changed = _run(update_readme, readme, results, scoring, figures, shown, metadata)
    typer.echo(f"{readme}: {'updated' if changed else 'already up to date'}")


@app.command("check-baseline")
def check_baseline(metrics: MetricsOption = Path("reports/metrics.json")) -> None:
    """Fail (exit 1) unless the model beats the dummy baseline on the headline metric."""
    from .core.reports import beats_baseline, read_metrics
    from .task import load_serving

    better, summary = beats_baseline(_run(read_metrics, metrics), load_serving().scoring)
    typer.echo(summary)
    if not better:
        raise typer.Exit(code=1)


# The optional parts' commands, and the family's own, registered where the project has them.
for _part in ("serving.api.command", "serving.ui.command", f"{FAMILY_NAME}.command"):
    if (
        find_spec(f"{__package__}.{_part.rpartition('.')[0]}") is not None
        and find_spec(f"{__package__}.{_part}") is not None
    ):
        import_module(f"{__package__}.{_part}").register(app, _run)
