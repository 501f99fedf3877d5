"""The tabular family as the pipeline sees it: `FAMILY` implements `task.TaskFamily`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any, get_args

import numpy as np

from ...core import tracking
from ...core.errors import DataValidationError, ExplanationError
from ...core.figures import contribution_summary, feature_importance, learning_curve
from ...core.modeldir import ModelDir
from ...core.params import load_params, model_hyperparameters, with_hyperparameters
from ...core.reports import ModelCard, Scoring
from ...task import Evaluation, Objective, Prepared, TaskFamily, TestSplit, Trained
from . import data, objective, plots, training
from .contributions import Explainer
from .estimators import ModelName
from .models import build_model
from .params import Params
from .predictor import FittedModel, write_model
from .schema import conform, read_schema

log = logging.getLogger(__name__)

SHAP_FIGURE = "shap_summary.png"


def _shade(column: Any) -> np.ndarray:
    """A number column's values scaled to 0..1 by rank (missing values at 0.5), for colour."""
    ranks = column.rank(pct=True).to_numpy(dtype=np.float64)
    return np.where(np.isnan(ranks), 0.5, ranks)


class TabularFamily:
    """A table with one target column, learnt by scikit-learn pipelines."""

    @property
    def scoring(self) -> Scoring:
        """The task's metrics and headline."""
        return objective.SCORING

    def load_params(self, path: Path) -> Params:
        """params.yaml, validated."""
        return load_params(path, Params)

    def prepare(self, params: Params, out_dir: Path) -> Prepared:
        """Load, validate and split the table; write the splits and schema.json."""
        return data.prepare(params, out_dir)

    def train(self, params: Params, data_dir: Path) -> Trained:
        """Cross-validate, then fit `train.model` on the whole training split."""
        schema = read_schema(data_dir, data.PREPARE_FIRST)
        raw, labels = data.load_split(data_dir, data.TRAIN_FILE, schema)
        features = conform(raw, schema)
        description: dict[str, Any] = {
            "target": schema.target,
            "data_hash": schema.data_hash,
            "train_rows": len(labels),
            # The user's data file, or None for the bundled data (the README describes that).
            "data_source": None if params.data.path is None else params.data.path.as_posix(),
            "outputs": objective.describe_target(labels),
        }
        target = objective.encode(labels, description["outputs"])
        model = build_model(params.train.model, params, schema)
        log.info(
            "cross-validating %s with %d folds on %d rows",
            params.train.model,
            params.train.cv_folds,
            len(target),
        )
        cv = training.cross_validation(model, features, target, params)
        model.fit(features, target)
        # The mean of each encoded input: what a linear model's explanation is measured from.
        description["input_means"] = np.asarray(model[:-1].transform(features)).mean(0).tolist()
        return Trained(
            model=(model, schema), cv=cv, description=description, input_example=features.head(5)
        )

    def write_model(self, trained: Trained, directory: Path) -> None:
        """The fitted pipeline (skops) and its input schema."""
        model, schema = trained.model
        write_model(model, schema, directory)

    def log_model(self, trained: Trained, registered_name: str) -> str | None:
        """Log the pipeline to MLflow (skops format) and register it."""
        from .predictor import TRUSTED_TYPES

        model, _ = trained.model
        return tracking.log_sklearn_model(
            model,
            input_example=trained.input_example,
            registered_name=registered_name,
            trusted_types=TRUSTED_TYPES,
            requirements=training.pinned_requirements(),
        )

    def evaluate(
        self, params: Params, data_dir: Path, model: ModelDir, figures_dir: Path
    ) -> Evaluation:
        """Test-split scores of the model and the baseline, importance and learning curve."""
        fitted = FittedModel(model)
        schema = read_schema(data_dir, data.PREPARE_FIRST)
        if fitted.schema.data_hash != schema.data_hash:
            raise DataValidationError(
                f"the model in '{model.path}' was trained on other data (hash "
                f"{fitted.schema.data_hash}) than '{data_dir}' holds ({schema.data_hash}): "
                "run the train stage first"
            )
        description = fitted.metadata["outputs"]
        test_raw, test_labels = data.load_split(data_dir, data.TEST_FILE, schema)
        train_raw, train_labels = data.load_split(data_dir, data.TRAIN_FILE, schema)
        test_target = objective.encode(test_labels, description)
        train_target = objective.encode(train_labels, description)
        train_inputs, test_inputs = conform(train_raw, schema), conform(test_raw, schema)

        outputs = fitted.outputs(test_raw)
        baseline = build_model("baseline", params, schema).fit(train_inputs, train_target)
        importances = training.importance(fitted.model, test_inputs, test_target, params)
        curve = training.learning_curve_of(fitted.model, train_inputs, train_target, params)
        target = schema.target_label or schema.target
        figures = plots.draw(test_target, outputs, description, target, figures_dir)
        figures.append(
            feature_importance(
                [schema.feature(name).label or name for name in importances["names"]],
                importances["means"], importances["stds"], figures_dir / "feature_importance.png",
            )
        )  # fmt: skip
        figures.append(
            learning_curve(
                curve["sizes"], curve["train"], curve["validation"], objective.SCORING.headline,
                figures_dir / "learning_curve.png",
            )
        )  # fmt: skip
        shap = self._shap_summary(fitted, test_inputs, outputs, figures_dir)
        if shap is not None:
            figures.append(shap[1])
        return Evaluation(
            model=objective.score(test_target, outputs, description),
            baseline=objective.score(
                test_target, objective.outputs(baseline, test_inputs), description
            ),
            plots={
                **objective.plot_data(test_target, outputs, description),
                **training.plot_rows(importances, curve),
                **({"shap_importance": shap[0]} if shap is not None else {}),
            },
            figures=figures,
            split={
                "train_rows": len(train_target),
                "test_rows": len(test_target),
                "cv_folds": params.train.cv_folds,
            },
        )

    def _shap_summary(
        self, fitted: FittedModel, inputs: Any, outputs: Any, figures_dir: Path
    ) -> tuple[list[dict[str, Any]], Path] | None:
        """The SHAP values of the test split: DVC plot rows and a figure (None: no explainer)."""
        schema = fitted.schema
        try:
            explainer = Explainer(fitted.model, schema.names, fitted.metadata.get("input_means"))
        except ExplanationError as error:
            log.warning("no SHAP summary: %s", error)
            return None
        codes = objective.explained(outputs, fitted.metadata["outputs"])
        contributions = explainer(np.asarray(fitted.model[:-1].transform(inputs)), codes)
        shades = [
            _shade(inputs[feature.name]) if feature.kind == "number" else None
            for feature in schema.features
        ]
        figure = contribution_summary(
            schema.names, contributions.values, shades,
            objective.SHAP_LABELS[contributions.output], figures_dir / SHAP_FIGURE,
        )  # fmt: skip
        means = np.abs(contributions.values).mean(axis=0)
        rows = [
            {"feature": name, "mean_abs_shap": round(float(mean), 6)}
            for name, mean in zip(schema.names, means, strict=True)
        ]
        return rows, figure

    def model_card(self, model: ModelDir) -> ModelCard:
        """The pipeline's form, what it predicts, its input columns and their training ranges."""
        schema = read_schema(model.path, "run the train stage again")
        inputs = [
            f"`{f.name}`: "
            + (
                f"number in [{f.minimum:g}, {f.maximum:g}]"
                if f.kind == "number"
                else f"one of {', '.join(f.categories)}"
            )
            + (" (may be missing)" if f.nullable else "")
            for f in schema.features
        ]
        return ModelCard(
            estimator="inside a scikit-learn pipeline (imputation, scaling, one-hot encoding), "
            "saved with skops",
            predicts=objective.predicts(model.metadata["outputs"]),
            inputs=inputs,
            limitations=[
                "Inputs outside the ranges above are extrapolation: their predictions carry "
                "warnings naming them (whether a value is physically possible is not checked).",
                "Explanations (SHAP values) show how the model uses its inputs, not causes in "
                "the world; inputs that move together share the credit.",
                "Missing values are imputed (median for numbers, most frequent category "
                "otherwise).",
            ],
        )

    @property
    def models(self) -> tuple[str, ...]:
        """The dummy baseline, the linear model and the two ensembles."""
        return get_args(ModelName)

    def hyperparameters(self, params: Params, model: str) -> dict[str, Any]:
        """The fields of `models.<model>` (cross-validation settings are not tuned)."""
        return model_hyperparameters(params, model)

    def configure(self, params: Params, model: str, values: Mapping[str, Any]) -> Params:
        """`params` training `model` with `values` set, validated."""
        return with_hyperparameters(params, model, values)

    def objective(self, params: Params, data_dir: Path) -> Objective[Params]:
        """Cross-validation on the training split, reported fold by fold."""
        schema = read_schema(data_dir, data.PREPARE_FIRST)
        raw, labels = data.load_split(data_dir, data.TRAIN_FILE, schema)
        target = objective.encode(labels, objective.describe_target(labels))
        return partial(training.trial, features=conform(raw, schema), target=target, schema=schema)

    def test_split(self, params: Params, data_dir: Path, model: ModelDir) -> TestSplit:
        """The test-split scores of a saved pipeline; it predicts raw test rows when timed."""
        fitted = FittedModel(model)
        schema = read_schema(data_dir, data.PREPARE_FIRST)
        test_raw, test_labels = data.load_split(data_dir, data.TEST_FILE, schema)
        description = fitted.metadata["outputs"]
        codes = objective.encode(test_labels, description)
        return TestSplit(
            scores=objective.score(codes, fitted.outputs(test_raw), description),
            rows=len(codes),
            predict=lambda count: fitted.outputs(test_raw.iloc[:count]),
        )


FAMILY: TaskFamily[Params] = TabularFamily()
