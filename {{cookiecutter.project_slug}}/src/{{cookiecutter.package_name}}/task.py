"""The interface a task family implements, and the one place that finds the project's family.

The pipeline stages (`pipeline/`), the CLI, the API and the Streamlit app are written once
against these protocols. A family is one folder: `<family>/model/` holds what the stages run
(data, models, scores, figures), with `FAMILY` in `model/family.py`; `<family>/serving/` holds
what serving adds (the fast predictor and its explanations, the request type, the app's
widgets), with `SERVING` in `serving/family.py`. Serving never imports `model/family.py`, so it
never loads training code. mypy checks each family against the protocols through those two
annotated names. Every family's prediction is an `Answer`: its warnings and its explanation
reach the API, the app and `predict` through the same fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, Field

from . import FAMILY_NAME

if TYPE_CHECKING:
    import pandas as pd

    from .core.modeldir import ModelDir
    from .core.params import TuneParams
    from .core.reports import ModelCard, Scoring

P = TypeVar("P", bound="StageParams")
# The column of a predicted table that holds each row's warnings, joined by "; ".
WARNINGS_COLUMN = "warnings"


class StageParams(Protocol):
    """What the shared stages read from a family's params."""

    @property
    def model_name(self) -> str:
        """The model `train` fits (`train.model` in params.yaml)."""
        ...

    @property
    def tune(self) -> TuneParams:
        """The hyperparameter search's settings and search spaces (`tune` in params.yaml)."""
        ...

    def flat(self) -> dict[str, Any]:
        """Every parameter as `section.key` → value, for tracking."""
        ...


@dataclass(frozen=True)
class Prepared:
    """What `prepare` wrote to its output directory."""

    train_rows: int
    test_rows: int
    data_hash: str


@dataclass(frozen=True)
class Trained:
    """A fitted model and what the shared `train` stage records about it.

    `description` goes into metadata.json: at least `target`, `data_hash` and `train_rows`, plus
    whatever the family needs to load and describe the model (e.g. its label names).
    """

    model: Any
    cv: dict[str, float]
    description: dict[str, Any]
    input_example: Any
    # False in the other processes of a distributed training (`torchrun`): only the primary
    # process records the run and saves the model.
    primary: bool = True


@dataclass(frozen=True)
class Evaluation:
    """Test-split scores of the model and of its dummy baseline, with plot rows and figures."""

    model: dict[str, float]
    baseline: dict[str, float]
    plots: dict[str, list[dict[str, Any]]]
    figures: list[Path]
    # How much data the scores rest on (train_rows, test_rows, cv_folds where there is CV):
    # the README's limitations quote it.
    split: dict[str, int]


# How an objective reports an intermediate score (a fold's, an epoch's): `report(step, value)`,
# steps counted from 0. It raises when the trial is to stop (the pruner's decision): let that
# exception through, with nothing caught or saved on the way.
Report = Callable[[int, float], None]
# A trial: train the given params' model on the training split and return its scores there.
# The headline metric's name must be a key (the value the study optimises); other scores
# (e.g. its standard deviation over the folds) are recorded beside it.
Objective = Callable[[P, Report], Mapping[str, float]]


@dataclass(frozen=True)
class TestSplit:
    """A saved model's test-split scores, and a way to time its predictions (`compare`)."""

    scores: dict[str, float]
    rows: int
    # Predicts the first n test examples in one call, through the model's predictor: what
    # `compare` times (n = 1 for per-record latency, n = rows for a batch).
    predict: Callable[[int], object]


class TaskFamily(Protocol[P]):
    """The pipeline side of a family: data, models, scores and figures."""

    @property
    def scoring(self) -> Scoring:
        """The family's metrics and the headline metric a model must beat the baseline on."""
        ...

    def load_params(self, path: Path) -> P:
        """params.yaml, validated (errors name the key)."""
        ...

    def prepare(self, params: P, out_dir: Path) -> Prepared:
        """Load and validate the raw data, split it, and write the splits to `out_dir`."""
        ...

    def train(self, params: P, data_dir: Path) -> Trained:
        """Fit `params.model_name` on the training split (cross-validated where it fits)."""
        ...

    def write_model(self, trained: Trained, directory: Path) -> None:
        """Write the fitted model's files into `directory` (never with pickle)."""
        ...

    def log_model(self, trained: Trained, registered_name: str) -> str | None:
        """Log the model to the active MLflow run and register it; return the registry version."""
        ...

    def evaluate(self, params: P, data_dir: Path, model: ModelDir, figures_dir: Path) -> Evaluation:
        """Score the model and the dummy baseline on the test split; draw the figures."""
        ...

    def model_card(self, model: ModelDir) -> ModelCard:
        """What the model card says about this family's model and inputs."""
        ...

    # What `tune` and `compare` (pipeline/tune.py, pipeline/compare.py) need.

    @property
    def models(self) -> tuple[str, ...]:
        """Every model of the task, the dummy baseline first: what `compare` trains."""
        ...

    def hyperparameters(self, params: P, model: str) -> dict[str, Any]:
        """What a search space may tune for `model`: each hyperparameter's name → current value.

        The model's own section of params.yaml (`models.<model>`), plus the trainer's settings
        that matter to it as `train.<key>` (e.g. `train.learning_rate` for a network). A search
        space naming anything else is refused with the key named.
        """
        ...

    def configure(self, params: P, model: str, values: Mapping[str, Any]) -> P:
        """`params` that train `model` with `values` (names as in `hyperparameters`) set.

        Validated like params.yaml: a value the model does not accept raises `ParamsError`
        naming its key. Empty `values`: the model with its current hyperparameters.
        """
        ...

    def objective(self, params: P, data_dir: Path) -> Objective[P]:
        """A trial function over the training split only (never the test split).

        The data are read once here; each call trains `params.model_name` as configured and
        scores it: the mean over the cross-validation folds (reporting the running mean after
        each fold), or the best epoch on a validation split held out of the training split
        (reporting each epoch's score). Nothing is written to disk or to MLflow.
        """
        ...

    def test_split(self, params: P, data_dir: Path, model: ModelDir) -> TestSplit:
        """A saved model's test-split scores (no figures) and its timed predictor."""
        ...


class Answer(BaseModel):
    """What every family's prediction carries beside the answer itself.

    A family's prediction type extends it with its answer (a label, a value) and narrows
    `explanation` to its own explanation type (contributions per column, a saliency map, token
    attributions): the API, the app and `predict` show both without knowing the family.
    """

    warnings: list[str] = Field(
        default_factory=list,
        description="Why to doubt this prediction: each input outside what the model saw in "
        "training (empty when none). The record is still predicted; the caller decides.",
    )
    explanation: BaseModel | None = Field(
        default=None,
        description="How the inputs moved this prediction (the family's explanation type); "
        "filled in by POST /explain, null from POST /predict.",
    )


class Predictor(Protocol):
    """A loaded model that answers records: what the API, the UI and `predict` use."""

    metadata: dict[str, Any]

    @property
    def version(self) -> str:
        """The model version recorded at training time."""
        ...

    @property
    def spec(self) -> Any:
        """What a valid input is (the family's input description)."""
        ...

    def predict(self, records: Sequence[Mapping[str, Any]]) -> Sequence[Answer]:
        """One prediction per record, in order; bad records raise a `ProjectError`."""
        ...

    def predict_checked(self, records: Sequence[Mapping[str, Any]]) -> Sequence[Answer]:
        """`predict` for records the API's request type has already validated (may skip checks)."""
        ...

    def explain(
        self, records: Sequence[Mapping[str, Any]], target: str | None = None
    ) -> Sequence[Answer]:
        """`predict`, each prediction with its `explanation` filled in.

        `target` picks the output to explain (a classifier's class); None explains each
        record's own prediction. A bad record, or a target the model does not have, raises a
        `ProjectError`.
        """
        ...

    def explain_checked(
        self, records: Sequence[Mapping[str, Any]], target: str | None = None
    ) -> Sequence[Answer]:
        """`explain` for records the API's request type has already validated."""
        ...

    def predict_frame(
        self, frame: pd.DataFrame, explain: bool = False, target: str | None = None
    ) -> pd.DataFrame:
        """`frame` with the prediction columns added (and the explanation's, with `explain`)."""
        ...


class ServingFamily(Protocol):
    """The serving side of a family: loading, the API's request type, the app's widgets."""

    @property
    def scoring(self) -> Scoring:
        """The family's metrics, to show the evaluation's results."""
        ...

    @property
    def prediction(self) -> type[Answer]:
        """The type of one prediction in API answers."""
        ...

    @property
    def explanation(self) -> type[BaseModel]:
        """The type of a prediction's `explanation` (what POST /explain fills in)."""
        ...

    def targets(self, model_dir: Path) -> tuple[str, ...]:
        """The outputs an explanation may be asked for (`target`), read from the model's metadata.

        Empty where the model has one output only (a regressor).
        """
        ...

    def load(self, model_dir: Path) -> Predictor:
        """Load and check the model directory (errors name the file and the fix)."""
        ...

    def read_spec(self, model_dir: Path) -> Any:
        """The input description saved with the model, read without loading the model."""
        ...

    def request_model(self, spec: Any) -> type[BaseModel]:
        """The body of POST /predict, with a real example from the training data."""
        ...

    def records(self, body: BaseModel) -> list[dict[str, Any]]:
        """The records of a validated request body, ready for `Predictor.predict_checked`."""
        ...

    def request_size(self, body: BaseModel) -> int:
        """How many records a request body holds (for the API's per-request limit)."""
        ...

    def to_records(self, frame: pd.DataFrame, spec: Any) -> list[dict[str, Any]]:
        """A table's rows as checked, JSON-ready records (uploads, the batch CLI, API mode)."""
        ...

    def prediction_columns(self, predictions: Sequence[Answer]) -> dict[str, list[Any]]:
        """The columns `Predictor.predict_frame` adds, built from predictions.

        They include the warnings, and the explanation's columns where predictions have one.
        """
        ...

    def input_form(self, spec: Any) -> dict[str, Any] | list[dict[str, Any]] | None:
        """Streamlit widgets for an input; the record (or records) once given, else None."""
        ...

    def upload_help(self, spec: Any) -> str:
        """What an uploaded CSV must hold, for the app's batch page."""
        ...

    def example_csv(self, spec: Any) -> str:
        """A CSV file of one real example input, for the app's batch page."""
        ...

    def show(self, prediction: Answer, spec: Any) -> None:
        """Streamlit view of one prediction (the app shows its warnings beside it)."""
        ...

    def show_explanation(self, explanation: BaseModel, spec: Any) -> None:
        """Streamlit view of one prediction's explanation, shown next to the answer."""
        ...


def load_family() -> TaskFamily[Any]:
    """The pipeline side of this project's family."""
    family: TaskFamily[Any] = import_module(f"{__package__}.{FAMILY_NAME}.model.family").FAMILY
    return family


def load_serving() -> ServingFamily:
    """The serving side of this project's family."""
    serving: ServingFamily = import_module(f"{__package__}.{FAMILY_NAME}.serving.family").SERVING
    return serving
