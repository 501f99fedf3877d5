"""The naive comparison server of the image benchmark: one forward pass per request.

`naive:app` loads the project's image predictor once and calls it for each request's images
alone (FastAPI runs it in its thread pool): what the API's adaptive batching is measured
against. The model directory comes from MODEL_DIR; the project's package from BENCH_PACKAGE.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI


@asynccontextmanager
async def _load(app: FastAPI) -> AsyncIterator[None]:
    task = importlib.import_module(f"{os.environ['BENCH_PACKAGE']}.task")
    app.state.predictor = task.load_serving().load(Path(os.environ["MODEL_DIR"]))
    yield


naive = FastAPI(lifespan=_load)


@naive.post("/predict")
def predict_one_by_one(body: dict[str, Any]) -> dict[str, Any]:
    """Decode this request's base64 images and run the network on them alone."""
    predictor = naive.state.predictor
    predictions = predictor.predict(body["records"])
    return {
        "predictions": [prediction.model_dump() for prediction in predictions],
        "model_version": predictor.version,
    }
