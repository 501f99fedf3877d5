"""The image family's params.yaml: one frozen, typed section per stage."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ...core.params import SECTION, BaseParams, SplitParams, TuneParams

ModelName = Literal["baseline", "pixels_logreg", "cnn", "efficientnet_lite0"]
# The models trained by the PyTorch trainer (the others are scikit-learn estimators).
TORCH_MODELS = ("cnn", "efficientnet_lite0")


class DataParams(BaseModel):
    """Where the images come from."""

    model_config = SECTION
    # null means the bundled MNIST digits; otherwise a folder with one sub-folder of images per
    # class, e.g. data/raw/cat/*.jpg and data/raw/dog/*.jpg (track it with `dvc add data/raw`).
    path: Path | None = None
    # Use at most this many images of each class (null: all), e.g. for a quick first run.
    per_class_limit: int | None = Field(None, ge=2)


class ImageParams(BaseModel):
    """What every image becomes before any model sees it."""

    model_config = SECTION
    size: int = Field(28, ge=8, le=512)
    # 1: grayscale, 3: RGB.
    channels: Literal[1, 3] = 1


class TrainParams(BaseModel):
    """Which model to train, and the PyTorch trainer's settings."""

    model_config = SECTION
    model: ModelName = "cnn"
    seed: int = 42
    # Held out of the training split for the per-epoch validation and early stopping.
    validation_size: float = Field(0.1, gt=0, lt=0.5)
    epochs: int = Field(8, ge=1)
    batch_size: int = Field(64, ge=1)
    learning_rate: float = Field(0.003, gt=0)
    weight_decay: float = Field(0.0001, ge=0)
    schedule: Literal["cosine", "constant"] = "cosine"
    warmup: float = Field(0.05, ge=0, lt=1)
    # Epochs without a lower validation loss before training stops (null: never early).
    patience: int | None = Field(3, ge=1)
    # Saved after every epoch; a killed training run again with the same params resumes there.
    checkpoint_dir: Path = Path("checkpoints")
    # Train on a GPU when there is one (with mixed precision).
    use_cuda: bool = True


class BaselineParams(BaseModel):
    """The dummy classifier: what "no model" scores."""

    model_config = SECTION
    strategy: Literal["most_frequent", "prior", "stratified", "uniform"] = "most_frequent"


class PixelsLogregParams(BaseModel):
    """Logistic regression on the raw pixels: the simple reference a CNN must beat."""

    model_config = SECTION
    C: float = Field(0.05, gt=0)
    max_iter: int = Field(300, ge=1)


class CnnParams(BaseModel):
    """A small convolutional network trained from scratch."""

    model_config = SECTION
    # Output channels of each convolution block (two 3x3 convolutions, then 2x2 pooling).
    channels: tuple[int, ...] = Field((32, 64), min_length=1)
    dropout: float = Field(0.25, ge=0, lt=1)


class EfficientNetParams(BaseModel):
    """EfficientNet-Lite0 with ImageNet weights: the head first, then everything fine-tuned."""

    model_config = SECTION
    # The network's own input size: images are resized to it inside the model.
    input_size: int = Field(64, ge=32, le=512)
    head_epochs: int = Field(2, ge=0)
    head_learning_rate: float = Field(0.003, gt=0)
    # The fine-tuning takes train.epochs and a smaller learning rate.
    fine_tune_learning_rate: float = Field(0.001, gt=0)
    dropout: float = Field(0.2, ge=0, lt=1)


class ModelParams(BaseModel):
    """Each model's hyper-parameters."""

    model_config = SECTION
    baseline: BaselineParams = BaselineParams()
    pixels_logreg: PixelsLogregParams = PixelsLogregParams()
    cnn: CnnParams = CnnParams()
    efficientnet_lite0: EfficientNetParams = EfficientNetParams()


class AugmentParams(BaseModel):
    """Random changes to training batches (never to validation or test images)."""

    model_config = SECTION
    enabled: bool = True
    # Random rotation within ± degrees, shift as a fraction of the size, scale range.
    rotation: float = Field(10.0, ge=0, le=180)
    translate: float = Field(0.1, ge=0, lt=0.5)
    scale: tuple[float, float] = (0.9, 1.1)
    # Probability of erasing a random rectangle (a few per cent of the image).
    erasing: float = Field(0.0, ge=0, le=1)
    # Mirror images left-right: right for photos of things, wrong for digits or text.
    horizontal_flip: bool = False


class EvaluateParams(BaseModel):
    """How much the evaluation's figures show."""

    model_config = SECTION
    misclassified_images: int = Field(16, ge=1)
    saliency_images: int = Field(6, ge=1)
    # Steps of the integrated-gradients approximation.
    saliency_steps: int = Field(32, ge=2)


class Params(BaseParams):
    """Everything a pipeline run depends on; one section per stage."""

    data: DataParams = DataParams()
    image: ImageParams = ImageParams()
    split: SplitParams = SplitParams()
    train: TrainParams = TrainParams()
    models: ModelParams = ModelParams()
    augment: AugmentParams = AugmentParams()
    evaluate: EvaluateParams = EvaluateParams()
    tune: TuneParams = TuneParams()

    @property
    def model_name(self) -> str:
        """The model `train` fits."""
        return self.train.model
