"""Command line: each command parses its options and calls one plain function.

Heavy libraries (pandas, scikit-learn, MLflow, XGBoost) are imported inside the commands, so
`--help` answers at once.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from . import PROJECT
from .errors import ProjectError

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
    from .config import load_params

    for key, value in _run(load_params, params).flat().items():
        typer.echo(f"{key} = {value}")


@app.command()
def prepare(
    params: ParamsOption = Path("params.yaml"),
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Where the splits go.")] = Path(
        "data/processed"
    ),
) -> None:
    """Load and validate the raw data, split it, and record its input schema."""
    from .config import load_params
    from .data import prepare as prepare_data

    _run(prepare_data, _run(load_params, params), out_dir)


@app.command()
def train(
    params: ParamsOption = Path("params.yaml"),
    data_dir: DataDirOption = Path("data/processed"),
    model_dir: ModelDirOption = Path("models"),
) -> None:
    """Cross-validate and fit the model chosen in params.yaml; log the run to MLflow."""
    from .config import load_params
    from .settings import Settings
    from .train import train as train_model

    _run(train_model, _run(load_params, params), data_dir, model_dir, Settings())


@app.command()
def evaluate(
    params: ParamsOption = Path("params.yaml"),
    data_dir: DataDirOption = Path("data/processed"),
    model_dir: ModelDirOption = Path("models"),
    reports_dir: ReportsDirOption = Path("reports"),
) -> None:
    """Score the model and a dummy baseline on the test split; write reports and figures."""
    from .config import load_params
    from .evaluate import evaluate as evaluate_model
    from .settings import Settings

    _run(evaluate_model, _run(load_params, params), data_dir, model_dir, reports_dir, Settings())


@app.command()
def predict(
    input_path: Annotated[Path, typer.Argument(help="CSV or parquet file of records.")],
    output_path: Annotated[Path, typer.Argument(help="CSV file to write the predictions to.")],
    model_dir: ModelDirOption = Path("models"),
) -> None:
    """Predict every row of INPUT and write it, with its prediction, to OUTPUT (CSV)."""
    from .batch import predict_file

    rows = _run(predict_file, input_path, output_path, model_dir)
    typer.echo(f"wrote {rows} predictions to {output_path}")
{%- if cookiecutter.include_api == "yes" %}


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 in a container).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            envvar="WEB_CONCURRENCY",
            help="Worker processes, each with its own copy of the model.",
        ),
    ] = 1,
    model_dir: Annotated[
        Path, typer.Option("--model-dir", envvar="MODEL_DIR", help="Model directory to serve.")
    ] = Path("models"),
    access_log: Annotated[bool, typer.Option(help="Log one line per request.")] = True,
) -> None:
    """Serve the model over HTTP with uvicorn (API docs at http://HOST:PORT/docs)."""
    import os

    import uvicorn

    # Each worker builds the app from the environment, so the model directory travels there.
    os.environ["MODEL_DIR"] = str(model_dir)
    uvicorn.run(
        f"{__package__}.api:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
    )
{%- endif %}


@app.command()
def report(
    metrics: MetricsOption = Path("reports/metrics.json"),
    readme: Annotated[Path, typer.Option(help="README whose results section is rewritten.")] = Path(
        "README.md"
    ),
) -> None:
    """Print the results table; write it, the figures and the limitations into the README.

    A screenshot of the app beside metrics.json (app.png, from `make screenshot`) is shown too.
    """
    from .report import read_metrics, results_table, update_readme

    results = _run(read_metrics, metrics)
    typer.echo(results_table(results))
    figures = sorted((metrics.parent / "figures").glob("*.png"))
    picture = metrics.parent / "app.png"
    changed = _run(update_readme, readme, results, figures, picture if picture.is_file() else None)
    typer.echo(f"{readme}: {'updated' if changed else 'already up to date'}")


@app.command("check-baseline")
def check_baseline(metrics: MetricsOption = Path("reports/metrics.json")) -> None:
    """Fail (exit 1) unless the model beats the dummy baseline on the headline metric."""
    from .report import beats_baseline, read_metrics

    better, summary = beats_baseline(_run(read_metrics, metrics))
    typer.echo(summary)
    if not better:
        raise typer.Exit(code=1)
{%- if cookiecutter.include_ui == "yes" %}


@app.command()
def ui(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    model_dir: ModelDirOption = Path("models"),
    reports_dir: Annotated[
        Path, typer.Option("--reports-dir", help="Metrics, figures and model card to show.")
    ] = Path("reports"),
) -> None:
    """Start the Streamlit app on http://HOST:PORT.

    It predicts from a form or a CSV file and shows the model's results{% if cookiecutter.include_api == "yes" %}; set API_URL to
    predict through a running prediction API instead of loading the model{% endif %}.
    """
    from .ui.launch import run_app

    raise typer.Exit(code=_run(run_app, host, port, model_dir, reports_dir))
{%- endif %}
