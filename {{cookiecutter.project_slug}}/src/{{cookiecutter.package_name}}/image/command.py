"""The image family's own commands: `export-digits` writes the bundled data as a folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def register(app: typer.Typer, run: Callable[..., Any]) -> None:
    """Add `export-digits` to the command line."""

    @app.command("export-digits")
    def export_digits(
        out_dir: Annotated[Path, typer.Argument(help="Folder to write <digit>/<n>.png into.")],
        per_class: Annotated[
            int | None, typer.Option(min=1, help="At most this many images per digit.")
        ] = None,
    ) -> None:
        """Write the bundled MNIST digits as PNG files in class folders (data/raw's layout).

        The folder is exactly what your own data must look like: point params.yaml's
        data.path at it (or at a copy with your images) and run the pipeline.
        """
        from .model.data import export_default

        count = run(export_default, out_dir, per_class)
        typer.echo(f"wrote {count} images to {out_dir}/<digit>/")
