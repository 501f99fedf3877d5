"""Deployment settings and secrets, read from the environment (or a git-ignored .env file).

Pipeline parameters live in params.yaml (see `config.py`); URIs, tokens and service limits
live here so they never end up in Git.
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from .. import PROJECT


class Settings(BaseSettings):
    """Environment-driven settings; each field reads the variable of the same name, uppercased."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    mlflow_tracking_uri: str = "sqlite:///mlflow.db"
    mlflow_experiment_name: str = PROJECT
    mlflow_registered_model_name: str = PROJECT
    model_dir: Path = Path("models")
    # The Optuna study's storage (an RDB URL); unset: params.yaml's `tune.storage`.
    optuna_storage: str | None = None
