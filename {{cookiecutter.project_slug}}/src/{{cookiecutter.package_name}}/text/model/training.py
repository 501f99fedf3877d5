"""Fitting each of the family's models on the training split.

The scikit-learn models fit in one call: the dummy baseline, and TF-IDF word and character
n-grams with a logistic regression. `minilm_embeddings` embeds every text once with the frozen
pretrained transformer and fits a logistic regression on the embeddings. `minilm_finetune`
trains the transformer with a new classification layer through the shared PyTorch trainer
(`torchtrain`): a validation split held out of the training split, per-epoch curves, early
stopping, checkpoints, DDP under `torchrun`; its batches are length-bucketed and padded only
to their own longest text.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedShuffleSplit, learning_curve
from sklearn.pipeline import Pipeline, make_union
from torch.utils.data import Dataset

from ...task import Report
from ...torchtrain.runtime import Runtime, runtime
from ...torchtrain.trainer import EpochRecord, TrainConfig, fit
from ...torchtrain.validation import best_epoch_scores, validation_split
from . import encoder as enc
from .params import Params
from .scoring import score

log = logging.getLogger(__name__)


@dataclass
class Fit:
    """A fitted model, what it is (model.json), and what training recorded about it."""

    model: Any
    description: dict[str, Any]
    history: list[EpochRecord] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False
    # Training-set size → training and cross-validated accuracy (scikit-learn models).
    learning_curve: dict[str, list[float]] | None = None


def baseline(params: Params) -> DummyClassifier:
    """The dummy classifier of params `models.baseline` (it looks at no text)."""
    return DummyClassifier(strategy=params.models.baseline.strategy, random_state=params.train.seed)


def tfidf_logreg(params: Params) -> Pipeline:
    """TF-IDF of word and character n-grams (sublinear counts) into a logistic regression."""
    settings = params.models.tfidf_logreg
    common: dict[str, Any] = {"sublinear_tf": True, "min_df": settings.min_df,
                              "max_features": settings.max_features}  # fmt: skip
    features = make_union(
        TfidfVectorizer(ngram_range=settings.word_ngrams, **common),
        TfidfVectorizer(analyzer="char_wb", ngram_range=settings.char_ngrams, **common),
    )
    classifier = LogisticRegression(C=settings.C, max_iter=settings.max_iter,
                                    random_state=params.train.seed)  # fmt: skip
    return Pipeline([("features", features), ("classifier", classifier)])


def curve(
    estimator: Any, features: Any, labels: np.ndarray, params: Params
) -> dict[str, list[float]]:
    """Accuracy on the training rows and on a held-out fifth of them, by training-set size.

    One stratified held-out split, not cross-validation: the curve's point is its shape, and
    on texts every fit is costly.
    """
    points = params.evaluate.learning_curve_points
    splitter = StratifiedShuffleSplit(1, test_size=0.2, random_state=params.train.seed)
    sizes, train, validation = learning_curve(
        estimator, features, labels, train_sizes=np.linspace(0.1, 1.0, points), cv=splitter,
        scoring="accuracy",
    )  # fmt: skip
    return {"sizes": [int(s) for s in sizes], "train": train.mean(axis=1).tolist(),
            "validation": validation.mean(axis=1).tolist()}  # fmt: skip


def fit_sklearn(params: Params, texts: list[str], labels: np.ndarray) -> Fit:
    """The dummy baseline or TF-IDF + logistic regression, with its learning curve."""
    name = params.train.model
    if name == "baseline":
        model = baseline(params).fit(np.zeros((len(labels), 1)), labels)
        return Fit(model, {"kind": "sklearn", "architecture": name})
    pipeline = tfidf_logreg(params)
    features = np.asarray(texts, dtype=object)
    log.info("learning curve of %s (%d points)", name, params.evaluate.learning_curve_points)
    points = curve(pipeline, features, labels, params)
    model = pipeline.fit(features, labels)
    for _, vectorizer in model.named_steps["features"].transformer_list:
        # Plain ints: NumPy integers in the vocabulary make the skops file many times slower.
        vectorizer.vocabulary_ = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
    return Fit(model, {"kind": "sklearn", "architecture": name}, learning_curve=points)


def fit_embeddings(params: Params, texts: list[str], labels: np.ndarray, rt: Runtime) -> Fit:
    """Embed the texts with the frozen encoder, then fit a logistic regression on them."""
    tokenizer, encoder, pad_id = enc.load_pretrained(params.encoder.name)
    enc.configure(tokenizer, params.encoder.max_length)
    encoder = encoder.to(rt.device).eval()
    settings = params.models.minilm_embeddings
    log.info("embedding %d texts with the frozen encoder", len(texts))
    vectors = enc.embed(encoder, tokenizer, texts, pad_id, settings.batch_size, rt.device)
    classifier = LogisticRegression(C=settings.C, max_iter=settings.max_iter,
                                    random_state=params.train.seed)  # fmt: skip
    points = curve(classifier, vectors, labels, params)
    classifier.fit(vectors, labels)
    description = {
        "kind": "embeddings", "architecture": "minilm_embeddings",
        "encoder": {"architecture": "encoder", "config": encoder.config.to_dict()},
        "encoder_source": params.encoder.name or enc.DEFAULT_ENCODER,
        "max_length": params.encoder.max_length, "pad_id": pad_id,
    }  # fmt: skip
    return Fit((encoder.to("cpu"), tokenizer, classifier), description, learning_curve=points)


class Buckets(Dataset[tuple[list[list[int]], list[int]]]):
    """Batches of texts of similar length: one item is one batch (the trainer shuffles them).

    Texts are sorted by token count within windows of `window` batches of a seeded shuffle,
    so a batch holds texts of about one length (little padding) and the batches still mix.
    """

    def __init__(
        self, ids: list[list[int]], labels: np.ndarray, batch_size: int, seed: int,
        window: int = 50,
    ) -> None:  # fmt: skip
        order = np.random.default_rng(seed).permutation(len(ids))
        span = batch_size * window
        self.batches: list[np.ndarray] = []
        for start in range(0, len(order), span):
            chunk = order[start : start + span]
            chunk = chunk[np.argsort([len(ids[i]) for i in chunk], kind="stable")]
            self.batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
        self.ids = ids
        self.labels = labels

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, index: int) -> tuple[list[list[int]], list[int]]:
        rows = self.batches[index]
        return [self.ids[i] for i in rows], [int(self.labels[i]) for i in rows]


def collate_for(pad_id: int) -> Any:
    """Turn a list of one bucket into (padded inputs, labels)."""

    def collate(
        items: list[tuple[list[list[int]], list[int]]],
    ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        ids = [row for bucket, _ in items for row in bucket]
        labels = [label for _, bucket_labels in items for label in bucket_labels]
        return enc.pad(ids, pad_id), torch.tensor(labels, dtype=torch.long)

    return collate


def freeze_lower(model: Any, layers: int) -> None:
    """Freeze the embeddings and the `layers` lowest transformer layers (0: freeze nothing)."""
    if layers <= 0:
        return
    base = getattr(model, model.base_model_prefix)
    for parameter in base.embeddings.parameters():
        parameter.requires_grad = False
    for layer in base.encoder.layer[:layers]:
        for parameter in layer.parameters():
            parameter.requires_grad = False


def fingerprint(params: Params, data_hash: str) -> str:
    """What a checkpoint must match to be resumed: the data and every training parameter."""
    relevant = {key: value for key, value in params.flat().items()
                if key.split(".")[0] in {"encoder", "train", "models"}}  # fmt: skip
    text = json.dumps({"data": data_hash, **relevant}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def checkpoint_path(params: Params) -> Path:
    """Where the fine-tuning saves its checkpoint."""
    return params.train.checkpoint_dir / f"{params.train.model}.safetensors"


def fit_finetune(
    params: Params, texts: list[str], labels: np.ndarray, classes: list[str], data_hash: str,
    rt: Runtime, checkpoints: bool = True, on_epoch: Callable[[EpochRecord], None] | None = None,
) -> Fit:  # fmt: skip
    """Fine-tune the pretrained encoder with a new classification layer.

    `checkpoints=False` trains without saving or resuming any (a tuning trial); `on_epoch` is
    called with each epoch's record.
    """
    from transformers import AutoModelForSequenceClassification

    tokenizer, _, pad_id = enc.load_pretrained(params.encoder.name)
    enc.configure(tokenizer, params.encoder.max_length)
    settings = params.models.minilm_finetune
    torch.manual_seed(params.train.seed)
    model = AutoModelForSequenceClassification.from_pretrained(
        enc.encoder_location(params.encoder.name), num_labels=len(classes),
        id2label=dict(enumerate(classes)), label2id={c: i for i, c in enumerate(classes)},
        classifier_dropout=settings.dropout,
    )  # fmt: skip
    freeze_lower(model, settings.freeze_layers)
    ids = enc.token_ids(tokenizer, texts)
    train_idx, val_idx = validation_split(labels, params.train.validation_size, params.train.seed)
    train = params.train
    train_set = Buckets([ids[i] for i in train_idx], labels[train_idx], train.batch_size,
                        train.seed)  # fmt: skip
    validation_set = Buckets([ids[i] for i in val_idx], labels[val_idx], train.batch_size,
                             train.seed)  # fmt: skip
    # One dataset item is a whole bucket: the loader takes one per step.
    config = TrainConfig(
        epochs=train.epochs, batch_size=1, learning_rate=train.learning_rate, seed=train.seed,
        weight_decay=train.weight_decay, schedule=train.schedule, warmup=train.warmup,
        patience=train.patience, grad_clip=1.0,
    )  # fmt: skip
    result = fit(
        model, train_set, validation_set, config, rt, collate=collate_for(pad_id),
        checkpoint=checkpoint_path(params) if checkpoints else None,
        fingerprint=fingerprint(params, data_hash), stage="fine-tune", on_epoch=on_epoch,
    )  # fmt: skip
    if rt.primary and checkpoints:
        checkpoint_path(params).unlink(missing_ok=True)
    fitted: Any = result.model.to("cpu").eval()
    description = {
        "kind": "transformer", "architecture": "sequence_classifier",
        "config": fitted.config.to_dict(), "max_length": params.encoder.max_length,
        "pad_id": pad_id, "encoder_source": params.encoder.name or enc.DEFAULT_ENCODER,
        "freeze_layers": settings.freeze_layers,
    }  # fmt: skip
    return Fit((fitted, tokenizer), description, result.history, result.best_epoch,
               result.stopped_early)  # fmt: skip


def fit_model(
    params: Params, texts: list[str], labels: np.ndarray, classes: list[str], data_hash: str,
    rt: Runtime,
) -> Fit:  # fmt: skip
    """Fit `train.model` on the training split."""
    name = params.train.model
    if name == "minilm_finetune":
        return fit_finetune(params, texts, labels, classes, data_hash, rt)
    if name == "minilm_embeddings":
        return fit_embeddings(params, texts, labels, rt)
    log.info("fitting %s on %d texts", name, len(labels))
    return fit_sklearn(params, texts, labels)


def trial(
    params: Params, report: Report, texts: list[str], labels: np.ndarray, classes: list[str],
    data_hash: str, embeddings: dict[tuple[str | None, int], np.ndarray],
) -> dict[str, float]:  # fmt: skip
    """Train `train.model` on the training split less its validation split; score it there.

    The fine-tuned transformer reports each epoch's validation accuracy (steps from 0) and
    scores its best epoch, the one `train` keeps; the other models report once. The frozen
    encoder's embeddings are computed once per encoder setting and kept in `embeddings`
    across trials. Nothing is written.
    """
    name = params.train.model
    if name == "minilm_finetune":
        with runtime(use_cuda=params.train.use_cuda) as rt:
            fitted = fit_finetune(
                params, texts, labels, classes, data_hash, rt, checkpoints=False,
                on_epoch=lambda record: report(record.epoch - 1, record.val_accuracy),
            )  # fmt: skip
        return best_epoch_scores(fitted.history, fitted.best_epoch)
    train_idx, val_idx = validation_split(labels, params.train.validation_size, params.train.seed)
    features: np.ndarray
    if name == "minilm_embeddings":
        key = (params.encoder.name, params.encoder.max_length)
        if key not in embeddings:
            tokenizer, encoder, pad_id = enc.load_pretrained(params.encoder.name)
            enc.configure(tokenizer, params.encoder.max_length)
            with runtime(use_cuda=params.train.use_cuda) as rt:
                embeddings[key] = enc.embed(
                    encoder.to(rt.device).eval(), tokenizer, texts, pad_id,
                    params.models.minilm_embeddings.batch_size, rt.device,
                )  # fmt: skip
        features = embeddings[key]
        settings = params.models.minilm_embeddings
        model: Any = LogisticRegression(C=settings.C, max_iter=settings.max_iter,
                                        random_state=params.train.seed)  # fmt: skip
    elif name == "baseline":
        # The dummy reads no text: its input is a placeholder column.
        features, model = np.zeros((len(labels), 1)), baseline(params)
    else:
        features, model = np.asarray(texts, dtype=object), tfidf_logreg(params)
    model.fit(features[train_idx], labels[train_idx])
    probabilities = np.zeros((len(val_idx), len(classes)))
    probabilities[:, model.classes_] = model.predict_proba(features[val_idx])
    scores = score(labels[val_idx], probabilities)
    report(0, scores["accuracy"])
    return scores
