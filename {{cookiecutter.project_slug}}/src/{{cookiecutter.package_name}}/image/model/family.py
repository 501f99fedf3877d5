"""The image family as the pipeline sees it: `FAMILY` implements `task.TaskFamily`."""

from __future__ import annotations

import base64
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
from .images import encode_png
from .params import TORCH_MODELS, ModelName, Params

if TYPE_CHECKING:
    from .predictor import Example, ImageModel

# PyTorch and the trainer are imported by the stages that use them, so `prepare` (and
# `--help`) never load them.

log = logging.getLogger(__name__)

# Test images shipped with the model as examples (the app's one-click examples, the API's).
EXAMPLES_PER_CLASS = 1
MAX_EXAMPLES = 12
# The trainer's settings a network's search space may tune too (as `train.<key>`);
# EfficientNet's fine-tuning takes its own learning rates from `models.efficientnet_lite0`.
TRAINER_HYPERPARAMETERS = {
    "cnn": ("learning_rate", "weight_decay", "batch_size"),
    "efficientnet_lite0": ("weight_decay", "batch_size"),
}
ESTIMATORS = {
    "baseline": "a dummy classifier (scikit-learn) that ignores the image, saved with skops",
    "pixels_logreg": "a logistic regression on the raw pixels (scikit-learn), saved with skops",
    "cnn": "a small convolutional network trained from scratch (PyTorch), saved with safetensors",
    "efficientnet_lite0": "EfficientNet-Lite0 pretrained on ImageNet, its head trained on the "
    "frozen backbone and then fine-tuned whole (PyTorch), saved with safetensors",
}


def examples(images: np.ndarray, labels: np.ndarray, classes: list[str]) -> list[Example]:
    """A few test images, the first of each class in turn."""
    from .predictor import Example

    chosen: list[Example] = []
    for code, name in enumerate(classes):
        for index in np.flatnonzero(labels == code)[:EXAMPLES_PER_CLASS]:
            data_ = base64.b64encode(encode_png(images[index])).decode("ascii")
            chosen.append(Example(name=f"test-{int(index)}-{name}.png", label=name, data=data_))
    return chosen[:MAX_EXAMPLES]


def spread(labels: np.ndarray, count: int) -> np.ndarray:
    """Up to `count` indices that visit the classes in turn (first of each, then second, ...)."""
    per_class = [list(np.flatnonzero(labels == code)) for code in np.unique(labels)]
    order: list[int] = []
    for rank in range(max((len(items) for items in per_class), default=0)):
        order += [int(items[rank]) for items in per_class if rank < len(items)]
        if len(order) >= count:
            break
    return np.asarray(order[:count], dtype=np.int64)


class ImageFamily:
    """Images in class folders, learnt by scikit-learn models or PyTorch networks."""

    @property
    def scoring(self) -> Scoring:
        """Accuracy (the headline) and macro-F1."""
        return scoring.SCORING

    def load_params(self, path: Path) -> Params:
        """params.yaml, validated."""
        return load_params(path, Params)

    def prepare(self, params: Params, out_dir: Path) -> Prepared:
        """Load, validate and split the images."""
        return data.prepare(params, out_dir)

    def train(self, params: Params, data_dir: Path) -> Trained:
        """Fit `train.model` on the training split (networks: with a validation split held out)."""
        from ...torchtrain.runtime import runtime
        from . import training
        from .predictor import ImageSpec

        info = data.read_info(data_dir)
        images, labels = data.read_split(data_dir, data.TRAIN_FILE)
        test_images, test_labels = data.read_split(data_dir, data.TEST_FILE)
        if info.shape.size != params.image.size or info.shape.channels != params.image.channels:
            raise DataValidationError(
                f"'{data_dir}' holds {info.size}x{info.size}x{info.channels} images but params "
                "`image` asks for others: run the prepare stage first"
            )
        with runtime(use_cuda=params.train.use_cuda) as rt:
            log.info("training %s on %s (%d images)", params.train.model, rt.device, len(labels))
            fitted = training.fit_model(params, images, labels, info.classes, info.data_hash, rt)
            primary = rt.primary
        description = {**fitted.description, "classes": info.classes, "size": info.size,
                       "channels": info.channels}  # fmt: skip
        spec = ImageSpec(info.classes, info.size, info.channels,
                         examples(test_images, test_labels, info.classes))  # fmt: skip
        history = [record.as_dict() for record in fitted.history]
        metadata: dict[str, Any] = {
            "target": "class",
            "data_hash": info.data_hash,
            "train_rows": len(labels),
            # The user's image folder, or None for the bundled digits (the README describes them).
            "data_source": None if params.data.path is None else params.data.path.as_posix(),
            "outputs": {"classes": info.classes},
            "image": {"size": info.size, "channels": info.channels},
            "history": history,
            "best_epoch": fitted.best_epoch,
            "stopped_early": fitted.stopped_early,
        }
        return Trained(
            model=(fitted.model, description, spec, fitted.history),
            cv={},
            description=metadata,
            input_example=None,
            primary=primary,
        )

    def write_model(self, trained: Trained, directory: Path) -> None:
        """The weights (safetensors) or estimator (skops), model.json and spec.json."""
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
        from .predictor import ImageModel

        loaded = ImageModel(model)
        info = data.read_info(data_dir)
        if model.metadata["data_hash"] != info.data_hash:
            raise DataValidationError(
                f"the model in '{model.path}' was trained on other data (hash "
                f"{model.metadata['data_hash']}) than '{data_dir}' holds ({info.data_hash}): "
                "run the train stage first"
            )
        classes = info.classes
        test_images, test_labels = data.read_split(data_dir, data.TEST_FILE)
        train_images, train_labels = data.read_split(data_dir, data.TRAIN_FILE)
        probabilities = loaded.probabilities(test_images)
        predicted = probabilities.argmax(axis=1)
        # The dummy looks at no pixel: its input is a placeholder column.
        dummy = training.baseline(params).fit(np.zeros((len(train_labels), 1)), train_labels)
        baseline_predicted = dummy.predict(np.zeros((len(test_labels), 1)))
        per_class = scoring.per_class(test_labels, predicted, classes)
        matrix = scoring.confusion(test_labels, predicted, len(classes))
        history = model.metadata.get("history") or []

        drawn = [
            figures.confusion(matrix, classes, figures_dir / "confusion_matrix.png"),
            figures.per_class(per_class, figures_dir / "per_class.png"),
            self._misclassified(test_images, test_labels, predicted, classes, params, figures_dir),
        ]
        if history:
            drawn.append(learning_curves(history, figures_dir / "learning_curves.png"))
        saliency = self._saliency(loaded, test_images, test_labels, predicted, params, figures_dir)
        if saliency is not None:
            drawn.append(saliency)
        augmented = self._augmented(train_images, params, figures_dir)
        if augmented is not None:
            drawn.append(augmented)
        plots: dict[str, list[dict[str, Any]]] = {
            "confusion_matrix": [
                {"actual": classes[a], "predicted": classes[p]}
                for a, p in zip(test_labels, predicted, strict=True)
            ],
            "per_class": per_class,
        }
        if history:
            plots["learning_curves"] = [
                {
                    key: record[key]
                    for key in ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy")
                }
                for record in history
            ]
        return Evaluation(
            model=scoring.score(test_labels, predicted, len(classes)),
            baseline=scoring.score(test_labels, baseline_predicted, len(classes)),
            plots=plots,
            figures=drawn,
            # A validation split, not cross-validation: no folds to report.
            split={"train_rows": len(train_labels), "test_rows": len(test_labels)},
        )

    @staticmethod
    def _misclassified(
        images: np.ndarray, labels: np.ndarray, predicted: np.ndarray, classes: list[str],
        params: Params, figures_dir: Path,
    ) -> Path:  # fmt: skip
        from . import figures

        wrong = np.flatnonzero(predicted != labels)[: params.evaluate.misclassified_images]
        captions = [f"{classes[labels[i]]} → {classes[predicted[i]]}" for i in wrong]
        return figures.image_grid(
            images[wrong], captions, "Misclassified test images (actual → predicted)",
            figures_dir / "misclassified.png",
        )  # fmt: skip

    @staticmethod
    def _saliency(
        loaded: ImageModel, images: np.ndarray, labels: np.ndarray, predicted: np.ndarray,
        params: Params, figures_dir: Path,
    ) -> Path | None:  # fmt: skip
        from . import figures
        from .saliency import saliency_maps

        module = loaded.differentiable()
        if module is None:
            return None  # the dummy baseline looks at nothing
        chosen = spread(labels, params.evaluate.saliency_images)
        maps = saliency_maps(module, images[chosen], predicted[chosen],
                             params.evaluate.saliency_steps)  # fmt: skip
        classes = loaded.classes
        captions = [f"{classes[labels[i]]} → {classes[predicted[i]]}" for i in chosen]
        return figures.saliency_grid(images[chosen], maps, captions, figures_dir / "saliency.png")

    @staticmethod
    def _augmented(images: np.ndarray, params: Params, figures_dir: Path) -> Path | None:
        import torch

        from . import figures
        from .augment import build_augmentation
        from .networks import to_tensor

        augment = build_augmentation(params.augment)
        if augment is None or params.train.model not in TORCH_MODELS:
            return None
        torch.manual_seed(params.train.seed)
        sample = images[:8].repeat(2, axis=0)
        with torch.no_grad():
            changed = augment(to_tensor(sample)).clamp(0, 1).mul(255).round().byte()
        pictures = changed.permute(0, 2, 3, 1).numpy()
        captions = ["augmented"] * len(pictures)
        return figures.image_grid(
            pictures, captions, "Training images as augmented (params `augment`)",
            figures_dir / "augmented_samples.png",
        )  # fmt: skip

    def model_card(self, model: ModelDir) -> ModelCard:
        """The model's form, what it predicts, what inputs it takes."""
        from .predictor import read_spec

        loaded_spec = read_spec(model.path, "run the train stage again")
        kind = "grayscale" if loaded_spec.channels == 1 else "RGB"
        return ModelCard(
            estimator=ESTIMATORS[model.metadata["model"]],
            predicts=f"one of {len(loaded_spec.classes)} classes: {', '.join(loaded_spec.classes)}",
            inputs=[
                "An image in PNG, JPEG, WebP or BMP, of any size: converted to "
                f"{loaded_spec.size}x{loaded_spec.size} {kind} pixels (transparent parts on "
                "black) before the model sees it.",
            ],
            limitations=[
                "Images unlike the training data (other backgrounds, colours, framing) are "
                "classified anyway, into one of the known classes: there is no 'none of these'.",
                "The bundled digits are white on black, centred; a photo of a digit on paper "
                "needs inverting and cropping first.",
            ],
        )

    @property
    def models(self) -> tuple[str, ...]:
        """The dummy baseline, logistic regression on pixels, the small CNN, EfficientNet."""
        return get_args(ModelName)

    def hyperparameters(self, params: Params, model: str) -> dict[str, Any]:
        """`models.<model>`'s fields, and for a network the trainer's settings that shape it."""
        return model_hyperparameters(params, model, TRAINER_HYPERPARAMETERS.get(model, ()))

    def configure(self, params: Params, model: str, values: Mapping[str, Any]) -> Params:
        """`params` training `model` with `values` set, validated."""
        return with_hyperparameters(params, model, values)

    def objective(self, params: Params, data_dir: Path) -> Objective[Params]:
        """Accuracy on the validation split held out of the training split, epoch by epoch."""
        from . import training

        info = data.read_info(data_dir)
        images, labels = data.read_split(data_dir, data.TRAIN_FILE)
        return partial(
            training.trial, images=images, labels=labels, classes=info.classes,
            data_hash=info.data_hash,
        )  # fmt: skip

    def test_split(self, params: Params, data_dir: Path, model: ModelDir) -> TestSplit:
        """The test-split scores of a saved model; it classifies test images when timed."""
        from .predictor import ImageModel

        loaded = ImageModel(model)
        info = data.read_info(data_dir)
        images, labels = data.read_split(data_dir, data.TEST_FILE)
        predicted = loaded.probabilities(images).argmax(axis=1)
        return TestSplit(
            scores=scoring.score(labels, predicted, len(info.classes)),
            rows=len(labels),
            predict=lambda count: loaded.probabilities(images[:count]),
        )


FAMILY: TaskFamily[Params] = ImageFamily()
