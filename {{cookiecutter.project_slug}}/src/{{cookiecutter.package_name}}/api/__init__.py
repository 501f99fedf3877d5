"""The prediction API: `create_app()` builds the FastAPI app; `serve` runs it under uvicorn."""

from .app import create_app

__all__ = ["create_app"]
