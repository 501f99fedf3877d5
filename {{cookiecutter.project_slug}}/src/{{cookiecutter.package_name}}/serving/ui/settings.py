"""The app's settings, read from the environment like every other setting."""

from __future__ import annotations

from pathlib import Path

from ...core.settings import Settings


class UISettings(Settings):
    """Settings of the Streamlit app (MODEL_DIR and the rest come from `Settings`)."""

    # Metrics, figures and the model card shown on the Model tab (written by `evaluate`).
    reports_dir: Path = Path("reports")
