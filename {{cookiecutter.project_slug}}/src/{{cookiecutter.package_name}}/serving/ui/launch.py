"""Start the app under `streamlit run`, for the `ui` command."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

from ...core.errors import ProjectError
from ...core.modeldir import METADATA_FILE

APP = Path(__file__).with_name("app.py")
# The upload limit in MB (the app states it; space/.streamlit/config.toml sets the same).
MAX_UPLOAD_MB = 10


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
        # Uploads are predicted in memory: a CSV of this size is plenty for a demo.
        "--server.maxUploadSize",
        str(MAX_UPLOAD_MB),
    ]


def run_app(host: str, port: int, model_dir: Path, reports_dir: Path) -> NoReturn:
    """Replace this process with the Streamlit server; it runs until stopped.

    Streamlit takes over this process (exec), so SIGTERM from `kill`, `docker stop` or systemd
    reaches the server itself and nothing is left running. The app reads MODEL_DIR and
    REPORTS_DIR (and its other settings) from the environment.

    Raises:
        ProjectError: `model_dir` holds no trained model.
    """
    if not (model_dir / METADATA_FILE).is_file():
        raise ProjectError(
            f"no trained model in '{model_dir}': run the pipeline (make pipeline) first"
        )
    env = {**os.environ, "MODEL_DIR": str(model_dir), "REPORTS_DIR": str(reports_dir)}
    print(f"Starting the app on http://{host}:{port} (Ctrl+C stops it)", file=sys.stderr)
    sys.stderr.flush()
    command = streamlit_command(host, port)
    os.execve(command[0], command, env)
