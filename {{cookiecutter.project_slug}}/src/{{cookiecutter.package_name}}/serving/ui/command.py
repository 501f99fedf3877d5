"""The `ui` command: the Streamlit app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def register(app: typer.Typer, run: Callable[..., Any]) -> None:
    """Add `ui` to the command line."""

    @app.command()
    def ui(
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
        model_dir: Annotated[
            Path, typer.Option("--model-dir", help="Model directory: model, schema and metadata.")
        ] = Path("models"),
        reports_dir: Annotated[
            Path, typer.Option("--reports-dir", help="Metrics, figures and model card to show.")
        ] = Path("reports"),
    ) -> None:
        """Start the Streamlit app on http://HOST:PORT.

        It predicts from a form or a CSV file and shows the model's results.
        """
        from .launch import run_app

        run(run_app, host, port, model_dir, reports_dir)
