"""The naive text endpoint the API is compared with: one `transformers` pipeline call per request.

What a first version of a model server often is: a text-classification pipeline built from the
fine-tuned model's folder, called once for each request, with no batching across requests.
The bench points BENCH_MODEL_DIR at a folder written with `save_pretrained`.
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from pydantic import BaseModel
from transformers import pipeline


class Record(BaseModel):
    text: str


class Body(BaseModel):
    records: list[Record]


classifier = pipeline("text-classification", model=os.environ["BENCH_MODEL_DIR"], device="cpu")
naive = FastAPI()


@naive.post("/predict")
def predict(body: Body) -> dict[str, list[dict[str, object]]]:
    """One pipeline call per request."""
    answers = classifier([record.text for record in body.records], top_k=None)
    return {"predictions": [{"scores": answer} for answer in answers]}
