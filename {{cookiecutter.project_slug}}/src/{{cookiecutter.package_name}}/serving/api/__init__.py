"""The prediction API: `app.create_app()` builds the FastAPI app; `serve` runs it under uvicorn."""
