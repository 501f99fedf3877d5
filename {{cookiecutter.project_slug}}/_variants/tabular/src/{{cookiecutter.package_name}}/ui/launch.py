"""Start the app under `streamlit run`, for the `ui` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..errors import ProjectError

APP = Path(__file__).with_name("app.py")
# artifacts.SCHEMA_FILE, named here so that starting the app does not wait on the model's imports.
SCHEMA_FILE = "schema.json"


def streamlit_command(host: str, port: int) -> list[str]:
    """The command line that serves the app on host:port, without opening a browser."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]


def run_app(host: str, port: int, model_dir: Path, reports_dir: Path) -> int:
    """Serve the app until it is stopped (Ctrl+C); return streamlit's exit status.

    The app reads MODEL_DIR and REPORTS_DIR (and its other settings) from the environment.

    Raises:
        ProjectError: `model_dir` holds no model schema.
    """
    if not (model_dir / SCHEMA_FILE).is_file():
        raise ProjectError(
            f"no trained model in '{model_dir}': run the pipeline (make pipeline) first"
        )
    env = {**os.environ, "MODEL_DIR": str(model_dir), "REPORTS_DIR": str(reports_dir)}
    print(f"Starting the app on http://{host}:{port} (Ctrl+C stops it)", file=sys.stderr)
    try:
        return subprocess.run(streamlit_command(host, port), env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0
