"""The app's settings, read from the environment like every other setting."""

from __future__ import annotations

from pathlib import Path
{%- if cookiecutter.include_api == "yes" %}

from pydantic import Field
{%- endif %}

from ..settings import Settings


class UISettings(Settings):
    """Settings of the Streamlit app (MODEL_DIR and the rest come from `Settings`)."""

    # Metrics, figures and the model card shown on the Model tab (written by `evaluate`).
    reports_dir: Path = Path("reports")
{%- if cookiecutter.include_api == "yes" %}
    # Set API_URL (e.g. http://127.0.0.1:8000) to predict through a running API instead of
    # loading the model in the app.
    api_url: str | None = None
    api_timeout_s: float = Field(default=10.0, gt=0)
    # Records per request when a CSV is predicted through the API (its limit is 1000).
    api_batch_size: int = Field(default=500, ge=1)
{%- endif %}
