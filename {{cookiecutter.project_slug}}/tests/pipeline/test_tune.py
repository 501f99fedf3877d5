"""`tune`: an Optuna study on the training split, its records, and the tuned.yaml it writes.

Runs on the shrunk params of `pipeline_run` (its prepared data), a few trials each, with the
study, MLflow store and outputs under tmp_path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.core.errors import ParamsError
from {{ cookiecutter.package_name }}.core.params import TUNED_FILE, parse_params
from {{ cookiecutter.package_name }}.core.settings import Settings
from {{ cookiecutter.package_name }}.core.study import StudyError
from {{ cookiecutter.package_name }}.pipeline import tune as tuning
from {{ cookiecutter.package_name }}.task import load_family

from helpers import free_port

FAMILY = load_family()


def setup(pipeline_run: Any, root: Path, **tune: Any) -> tuple[Any, Path, Settings]:
    """The pipeline run's params with `tune` settings, written to root/params.yaml.

    The study lives in `root`; runs go to the pipeline run's MLflow store (created once).
    """
    raw = pipeline_run.params.model_dump(mode="json")
    raw["tune"].update(storage=f"sqlite:///{root / 'optuna.db'}", startup_trials=1, **tune)
    params_file = root / "params.yaml"
    params_file.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return FAMILY.load_params(params_file), params_file, pipeline_run.settings


def test_tune_writes_the_best_values_where_train_reads_them(pipeline_run, tmp_path) -> None:
    params, params_file, settings = setup(pipeline_run, tmp_path)
    model = params.model_name

    result = tuning.tune(
        FAMILY, params, params_file, pipeline_run.data_dir, tmp_path / "reports", settings, trials=3
    )

    assert result.trials_run == result.trials_in_study == 3
    assert result.tuned_file == tmp_path / TUNED_FILE
    # Trial 0 is params.yaml's own values: the result never loses to them.
    assert result.defaults_value is not None
    better = FAMILY.scoring.better(result.metric, result.defaults_value, result.best_value)
    assert not better
    # The pipeline now loads the tuned values over params.yaml.
    reloaded = FAMILY.load_params(params_file)
    tuned = FAMILY.hyperparameters(reloaded, model)
    for name, value in result.best_values.items():
        assert tuned[name] == (list(value) if isinstance(value, tuple) else value)
    summary = yaml.safe_load(
        (tmp_path / "reports" / tuning.TUNING_DIR / tuning.SUMMARY_FILE).read_text()
    )
    assert summary["trials"]["this_run"] == 3
    assert (tmp_path / "reports" / tuning.TUNING_DIR / tuning.HISTORY_FIGURE).stat().st_size > 0


def test_each_trial_is_an_mlflow_run_nested_under_the_study_run(pipeline_run, tmp_path) -> None:
    params, params_file, settings = setup(pipeline_run, tmp_path)

    result = tuning.tune(
        FAMILY, params, params_file, pipeline_run.data_dir, tmp_path / "reports", settings, trials=2
    )

    client = MlflowClient(settings.mlflow_tracking_uri)
    parent = client.get_run(result.mlflow_run_id)
    assert parent.data.metrics[f"best_{result.metric}"] == pytest.approx(result.best_value)
    artifacts = {item.path for item in client.list_artifacts(parent.info.run_id, "tuning")}
    assert f"tuning/{tuning.HISTORY_FIGURE}" in artifacts
    assert f"tuning/{TUNED_FILE}" in artifacts
    children = client.search_runs(
        [parent.info.experiment_id], f"tags.mlflow.parentRunId = '{parent.info.run_id}'"
    )
    assert sorted(run.info.run_name for run in children) == ["trial-0", "trial-1"]
    for run in children:
        assert "duration_s" in run.data.metrics
        assert set(run.data.params) == set(params.tune.space[params.model_name])


def test_a_second_run_adds_trials_to_the_same_study(pipeline_run, tmp_path) -> None:
    params, params_file, settings = setup(pipeline_run, tmp_path)
    reports = tmp_path / "reports"

    first = tuning.tune(
        FAMILY, params, params_file, pipeline_run.data_dir, reports, settings, trials=1
    )
    # The study's settings are unchanged by tuned.yaml: the same study resumes.
    reloaded = FAMILY.load_params(params_file)
    second = tuning.tune(
        FAMILY, reloaded, params_file, pipeline_run.data_dir, reports, settings, trials=1
    )

    assert second.study == first.study
    assert (second.trials_run, second.trials_in_study) == (1, 2)


def test_a_search_space_naming_no_hyperparameter_of_the_model_is_refused(
    pipeline_run, tmp_path
) -> None:
    model = pipeline_run.params.model_name
    params, params_file, settings = setup(
        pipeline_run, tmp_path, space={model: {"no_such_knob": {"low": 1, "high": 2}}}
    )

    with pytest.raises(
        ParamsError,
        match=rf"tune\.space\.{model}\.no_such_knob: 'no_such_knob' "
        rf"is not a hyperparameter of {model}",
    ):
        tuning.tune(
            FAMILY, params, params_file, pipeline_run.data_dir, tmp_path, settings, trials=1
        )


def test_a_model_without_a_search_space_is_refused(pipeline_run, tmp_path) -> None:
    model = pipeline_run.params.model_name
    params, params_file, settings = setup(pipeline_run, tmp_path, space={})

    with pytest.raises(ParamsError, match=rf"tune\.space\.{model}: no search space"):
        tuning.tune(
            FAMILY, params, params_file, pipeline_run.data_dir, tmp_path, settings, trials=1
        )


@pytest.mark.parametrize(
    ("dimension", "problem"),
    [
        ({"low": 3, "high": 1}, r"empty range: low \(3\) must be below high \(1\)"),
        ({"low": 2, "high": 2}, r"empty range"),
        ({"low": 0, "high": 1, "log": True}, r"log-scale range needs low > 0"),
        ({"choices": []}, r"choices"),
    ],
)
def test_an_empty_or_inverted_range_is_refused_with_its_key(
    pipeline_run, dimension: dict[str, Any], problem: str
) -> None:
    model = pipeline_run.params.model_name
    raw = pipeline_run.params.model_dump(mode="json")
    raw["tune"]["space"] = {model: {"some_knob": dimension}}

    with pytest.raises(ParamsError, match=rf"tune\.space\.{model}\.some_knob.*{problem}"):
        parse_params(raw, type(pipeline_run.params))


def test_a_bound_the_model_refuses_is_named(pipeline_run, tmp_path) -> None:
    model = pipeline_run.params.model_name
    hyperparameters = FAMILY.hyperparameters(pipeline_run.params, model)
    # A float hyperparameter of the model whose values must be positive (a rate, a dropout...).
    name = next(
        key
        for key, value in hyperparameters.items()
        if isinstance(value, float) and _refuses(model, key, -1.0, pipeline_run.params)
    )
    params, params_file, settings = setup(
        pipeline_run, tmp_path, space={model: {name: {"low": -1.0, "high": 0.5}}}
    )

    with pytest.raises(
        ParamsError, match=rf"tune\.space\.{model}\.{name}: low -1\.0 is not a valid"
    ):
        tuning.tune(
            FAMILY, params, params_file, pipeline_run.data_dir, tmp_path, settings, trials=1
        )


def _refuses(model: str, name: str, value: float, params: Any) -> bool:
    try:
        FAMILY.configure(params, model, {name: value})
    except ParamsError:
        return True
    return False


def test_an_unreachable_storage_is_named_with_its_password_masked(pipeline_run, tmp_path) -> None:
    params, params_file, settings = setup(pipeline_run, tmp_path)
    url = f"postgresql+psycopg://tuner:s3cret-pw@127.0.0.1:{free_port()}/optuna"
    settings = settings.model_copy(update={"optuna_storage": url})

    with pytest.raises(StudyError) as raised:
        tuning.tune(
            FAMILY, params, params_file, pipeline_run.data_dir, tmp_path, settings, trials=1
        )

    message = str(raised.value)
    assert "postgresql+psycopg://tuner:***@127.0.0.1" in message
    assert "s3cret-pw" not in message


def test_a_bad_value_in_tuned_yaml_is_named_with_both_files(pipeline_run, tmp_path) -> None:
    _, params_file, _ = setup(pipeline_run, tmp_path)
    model = pipeline_run.params.model_name
    (tmp_path / TUNED_FILE).write_text(
        yaml.safe_dump({"models": {model: {"no_such_knob": 1}}}), encoding="utf-8"
    )

    tuned = re.escape(str(tmp_path / TUNED_FILE))
    with pytest.raises(ParamsError, match=rf"with {tuned}: models\.{model}\.no_such_knob"):
        FAMILY.load_params(params_file)


def test_an_empty_tuned_yaml_leaves_params_yaml_as_it_is(pipeline_run, tmp_path) -> None:
    _, params_file, _ = setup(pipeline_run, tmp_path)
    (tmp_path / TUNED_FILE).write_text("# nothing tuned yet\n{}\n", encoding="utf-8")

    as_written = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    assert FAMILY.load_params(params_file) == parse_params(as_written, type(pipeline_run.params))
