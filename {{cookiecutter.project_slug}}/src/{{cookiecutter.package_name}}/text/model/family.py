"""The text family as the pipeline sees it: `FAMILY` implements `task.TaskFamily`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import numpy as np

from ...core.errors import DataValidationError
from ...core.modeldir import ModelDir
from ...core.params import load_params, model_hyperparameters, with_hyperparameters
from ...core.reports import ModelCard, Scoring
from ...task import Evaluation, Objective, Prepared, TaskFamily, TestSplit, Trained
from . import data, scoring
from .params import ModelName, Params

if TYPE_CHECKING:
    from .predictor import Example

# PyTorch, transformers and the trainer are imported by the stages that use them, so
# `prepare` (and `--help`) never load them.

log = logging.getLogger(__name__)
# The trainer's settings the fine-tuning's search space may tune too (as `train.<key>`).
TRAINER_HYPERPARAMETERS = {"minilm_finetune": ("learning_rate", "weight_decay", "batch_size")}

# Test texts shipped with the model as examples (the app's one-click examples, the API's).
EXAMPLES_PER_CLASS = 3
EXAMPLE_MAX_CHARS = 240
ESTIMATORS = {
    "baseline": "a dummy classifier (scikit-learn) that ignores the text, saved with skops",
    "tfidf_logreg": "TF-IDF word and character n-grams with a logistic regression "
    "(scikit-learn), saved with skops",
    "minilm_embeddings": "a logistic regression on the frozen, mean-pooled sentence embeddings "
    "of a pretrained transformer (all-MiniLM-L6-v2 by default), saved with safetensors and skops",
    "minilm_finetune": "a pretrained transformer (all-MiniLM-L6-v2 by default) fine-tuned end "
    "to end with a new classification layer (PyTorch, transformers), saved with safetensors",
}


def examples(texts: list[str], labels: np.ndarray, classes: list[str]) -> list[Example]:
    """A few short test texts of each class, the classes in turn."""
    from .predictor import Example

    per_class = [
        [i for i in np.flatnonzero(labels == code) if len(texts[i]) <= EXAMPLE_MAX_CHARS]
        for code in range(len(classes))
    ]
    chosen: list[Example] = []
    for rank in range(EXAMPLES_PER_CLASS):
        for code, items in enumerate(per_class):
            if rank < len(items):
                chosen.append(Example(text=texts[items[rank]], label=classes[code]))
    return chosen


def spread(labels: np.ndarray, count: int) -> np.ndarray:
    """Up to `count` indices that visit the classes in turn (first of each, then second, ...)."""
    per_class = [list(np.flatnonzero(labels == code)) for code in np.unique(labels)]
    order: list[int] = []
    for rank in range(max((len(items) for items in per_class), default=0)):
        order += [int(items[rank]) for items in per_class if rank < len(items)]
        if len(order) >= count:
            break
    return np.asarray(order[:count], dtype=np.int64)


def top_weights(model: Any, classes: list[str], count: int) -> dict[str, list[tuple[str, float]]]:
    """The TF-IDF n-grams with the largest weights towards each class (char n-grams quoted)."""
    features = model.named_steps["features"]
    names = [name.split("__", 1)[-1] for name in features.get_feature_names_out()]
    kinds = ["char" if name.startswith("tfidfvectorizer-2") else "word"
             for name in features.get_feature_names_out()]  # fmt: skip
    shown = [f"“{n}”" if kind == "char" else n for n, kind in zip(names, kinds, strict=True)]
    coef = model.named_steps["classifier"].coef_
    if coef.shape[0] == 1:  # two classes: one weight vector, towards the second class
        coef = np.vstack([-coef[0], coef[0]])
    weights: dict[str, list[tuple[str, float]]] = {}
    for code, name in enumerate(classes):
        order = np.argsort(-coef[code], kind="stable")[:count]
        weights[name] = [(shown[i], float(coef[code, i])) for i in order]
    return weights


class TextFamily:
    """Texts and labels, learnt by scikit-learn models or a fine-tuned transformer."""

    @property
    def scoring(self) -> Scoring:
        """Accuracy (the headline), macro-F1 and ROC-AUC."""
        return scoring.SCORING

    def load_params(self, path: Path) -> Params:
        """params.yaml, validated."""
        return load_params(path, Params)

    def prepare(self, params: Params, out_dir: Path) -> Prepared:
        """Load, validate and split the texts."""
        return data.prepare(params, out_dir)

    def train(self, params: Params, data_dir: Path) -> Trained:
        """Fit `train.model` on the training split (fine-tuning: a validation split held out)."""
        from ...torchtrain.runtime import runtime
        from . import training
        from .predictor import TextSpec

        info = data.read_info(data_dir)
        texts, labels = data.read_split(data_dir, data.TRAIN_FILE, info.classes)
        test_texts, test_labels = data.read_split(data_dir, data.TEST_FILE, info.classes)
        with runtime(use_cuda=params.train.use_cuda) as rt:
            log.info("training %s on %s (%d texts)", params.train.model, rt.device, len(labels))
            fitted = training.fit_model(params, texts, labels, info.classes, info.data_hash, rt)
            primary = rt.primary
        spec = TextSpec(info.classes, info.max_chars,
                        examples(test_texts, test_labels, info.classes))  # fmt: skip
        metadata: dict[str, Any] = {
            "target": "label",
            "data_hash": info.data_hash,
            "train_rows": len(labels),
            # The user's file, or None for the bundled reviews (the README describes them).
            "data_source": None if params.data.path is None else params.data.path.as_posix(),
            "outputs": {"classes": info.classes},
            "history": [record.as_dict() for record in fitted.history],
            "best_epoch": fitted.best_epoch,
            "stopped_early": fitted.stopped_early,
            "learning_curve": fitted.learning_curve,
        }
        return Trained(
            model=(fitted.model, fitted.description, spec, fitted.history),
            cv={},
            description=metadata,
            input_example=None,
            primary=primary,
        )

    def write_model(self, trained: Trained, directory: Path) -> None:
        """The estimator (skops) or weights (safetensors), tokenizer, model.json and spec.json."""
        from .predictor import write_model

        model, description, spec, _ = trained.model
        write_model(model, description, spec, directory)

    def log_model(self, trained: Trained, registered_name: str) -> str | None:
        """The learning curves (one step per epoch) and the model files; registers them."""
        from ...torchtrain.record import log_history, log_model_files

        history = trained.model[3]
        if history:
            log_history(history)
        return log_model_files(lambda directory: self.write_model(trained, directory),
                               registered_name)  # fmt: skip

    def evaluate(
        self, params: Params, data_dir: Path, model: ModelDir, figures_dir: Path
    ) -> Evaluation:
        """Test-split scores of the model and the baseline, and the figures."""
        from ...torchtrain.figures import learning_curves
        from . import figures, training
        from .predictor import TextModel

        loaded = TextModel(model)
        info = data.read_info(data_dir)
        if model.metadata["data_hash"] != info.data_hash:
            raise DataValidationError(
                f"the model in '{model.path}' was trained on other data (hash "
                f"{model.metadata['data_hash']}) than '{data_dir}' holds ({info.data_hash}): "
                "run the train stage first"
            )
        classes = info.classes
        test_texts, test_labels = data.read_split(data_dir, data.TEST_FILE, classes)
        _, train_labels = data.read_split(data_dir, data.TRAIN_FILE, classes)
        probabilities = loaded.probabilities(test_texts)
        predicted = probabilities.argmax(axis=1)
        # The dummy reads no text: its input is a placeholder column.
        dummy = training.baseline(params).fit(np.zeros((len(train_labels), 1)), train_labels)
        baseline_probabilities = dummy.predict_proba(np.zeros((len(test_labels), 1)))
        per_class = scoring.per_class(test_labels, predicted, classes)
        matrix = scoring.confusion(test_labels, predicted, len(classes))
        history = model.metadata.get("history") or []
        curve = model.metadata.get("learning_curve")

        drawn = [figures.confusion(matrix, classes, figures_dir / "confusion_matrix.png")]
        plots: dict[str, list[dict[str, Any]]] = {
            "confusion_matrix": [
                {"actual": classes[a], "predicted": classes[p]}
                for a, p in zip(test_labels, predicted, strict=True)
            ],
            "per_class": per_class,
            "confidently_wrong": scoring.confidently_wrong(
                test_texts, test_labels, probabilities, classes, params.evaluate.wrong_examples
            ),
        }
        if history:
            drawn.append(learning_curves(history, figures_dir / "learning_curves.png"))
            plots["learning_curves"] = [
                {key: record[key] for key in
                 ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy")}
                for record in history
            ]  # fmt: skip
        if curve:
            drawn.append(figures.learning_curve(curve, figures_dir / "learning_curve.png"))
        if model.metadata["model"] == "tfidf_logreg":
            weights = top_weights(loaded.estimator, classes, params.evaluate.top_ngrams)
            drawn.append(figures.top_ngrams(weights, figures_dir / "top_ngrams.png"))
        if not loaded.is_baseline():
            chosen = spread(test_labels, params.evaluate.attribution_examples)
            texts = [test_texts[i] for i in chosen]
            spans = loaded.attributions(texts, [int(predicted[i]) for i in chosen])
            captions = [f"actual {classes[test_labels[i]]}, predicted {classes[predicted[i]]} "
                        f"({probabilities[i, predicted[i]]:.0%})" for i in chosen]  # fmt: skip
            drawn.append(figures.attributions(texts, spans, captions,
                                              figures_dir / "attributions.png"))  # fmt: skip
        return Evaluation(
            model=scoring.score(test_labels, probabilities),
            baseline=scoring.score(test_labels, np.asarray(baseline_probabilities)),
            plots=plots,
            figures=drawn,
            split={"train_rows": len(train_labels), "test_rows": len(test_labels)},
        )

    def model_card(self, model: ModelDir) -> ModelCard:
        """The model's form, what it predicts, what inputs it takes."""
        from .predictor import read_spec

        spec = read_spec(model.path, "run the train stage again")
        inputs = [f"One text of up to {spec.max_chars} characters (not empty or blank)."]
        max_length = (model.metadata.get("params") or {}).get("encoder.max_length")
        if model.metadata["model"] in {"minilm_embeddings", "minilm_finetune"} and max_length:
            inputs.append(f"The transformer reads the first {max_length} tokens of a text "
                          "(about 45 words); the rest is cut.")  # fmt: skip
        return ModelCard(
            estimator=ESTIMATORS[model.metadata["model"]],
            predicts=f"one of {len(spec.classes)} classes: {', '.join(spec.classes)}",
            inputs=inputs,
            limitations=[
                "Texts unlike the training data (another domain, language or length) are "
                "classified anyway, into one of the known classes: there is no 'none of these'.",
                "The bundled reviews are short English snippets from film critics; sarcasm, "
                "negation over long spans and mixed verdicts are where models fail most (see "
                "reports/plots/confidently_wrong.json).",
            ],
        )

    @property
    def models(self) -> tuple[str, ...]:
        """The dummy baseline, TF-IDF + logistic regression, frozen and fine-tuned MiniLM."""
        return get_args(ModelName)

    def hyperparameters(self, params: Params, model: str) -> dict[str, Any]:
        """`models.<model>`'s fields, and for fine-tuning the trainer's settings that shape it."""
        return model_hyperparameters(params, model, TRAINER_HYPERPARAMETERS.get(model, ()))

    def configure(self, params: Params, model: str, values: Mapping[str, Any]) -> Params:
        """`params` training `model` with `values` set, validated."""
        return with_hyperparameters(params, model, values)

    def objective(self, params: Params, data_dir: Path) -> Objective[Params]:
        """Accuracy on a validation split held out of the training split (per fine-tuning epoch)."""
        from . import training

        info = data.read_info(data_dir)
        texts, labels = data.read_split(data_dir, data.TRAIN_FILE, info.classes)
        return partial(
            training.trial, texts=texts, labels=labels, classes=info.classes,
            data_hash=info.data_hash, embeddings={},
        )  # fmt: skip

    def test_split(self, params: Params, data_dir: Path, model: ModelDir) -> TestSplit:
        """The test-split scores of a saved model; it classifies test texts when timed."""
        from .predictor import TextModel

        loaded = TextModel(model)
        info = data.read_info(data_dir)
        texts, labels = data.read_split(data_dir, data.TEST_FILE, info.classes)
        return TestSplit(
            scores=scoring.score(labels, loaded.probabilities(texts)),
            rows=len(labels),
            predict=lambda count: loaded.probabilities(texts[:count]),
        )


FAMILY: TaskFamily[Params] = TextFamily()
