"""The `serve` command: the prediction API under uvicorn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def register(app: typer.Typer, run: Callable[..., Any]) -> None:
    """Add `serve` to the command line."""

    @app.command()
    def serve(
        host: Annotated[
            str, typer.Option(help="Address to listen on (0.0.0.0 in a container).")
        ] = "127.0.0.1",
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
            f"{__package__}.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
        )
