"""The two comparison servers of the serving benchmark, run by uvicorn like the API itself.

- `minimal:app`: the smallest honest FastAPI endpoint around the same model: it loads the
  project's Predictor once and calls it once per request (no batching, untyped body).
- `hello`: a POST endpoint that parses the same JSON body and returns a constant: what HTTP
  and JSON cost on this machine, with no model at all. It is an `async def`, run on the event
  loop like the API's own endpoint: the fastest trivial endpoint, so the floor.
- `hello_sync`: the same as a plain `def`, which FastAPI runs in its thread pool: slower, shown
  only to say what the thread pool costs.

The model directory comes from MODEL_DIR; the project's package from BENCH_PACKAGE.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

hello = FastAPI()


@hello.post("/predict")
async def hello_world(body: dict[str, Any]) -> dict[str, str]:
    """Parse the body, ignore it, answer a constant, on the event loop."""
    return {"hello": "world"}


hello_sync = FastAPI()


@hello_sync.post("/predict")
def hello_world_in_a_thread(body: dict[str, Any]) -> dict[str, str]:
    """Parse the body, ignore it, answer a constant, in FastAPI's thread pool."""
    return {"hello": "world"}


@asynccontextmanager
async def _load(app: FastAPI) -> AsyncIterator[None]:
    task = importlib.import_module(f"{os.environ['BENCH_PACKAGE']}.task")
    app.state.predictor = task.load_serving().load(Path(os.environ["MODEL_DIR"]))
    yield


minimal = FastAPI(lifespan=_load)


@minimal.post("/predict")
def predict_one_by_one(body: dict[str, Any]) -> dict[str, Any]:
    """Call the model for this request's records alone (FastAPI runs it in its thread pool)."""
    predictor = minimal.state.predictor
    predictions = predictor.predict(body["records"])
    return {
        "predictions": [prediction.model_dump() for prediction in predictions],
        "model_version": predictor.version,
    }
