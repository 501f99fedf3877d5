"""Optuna studies on an RDB storage: search spaces checked against the model, and the storage.

A study lives in a SQLite file by default (params `tune.storage`) or on a server named by
OPTUNA_STORAGE (e.g. PostgreSQL): every `tune` process that opens the same study name on the
same storage shares its trials. Optuna is imported inside the functions that use it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ParamsError, ProjectError
from .params import Choice, Range, TuneParams

if TYPE_CHECKING:
    import optuna
    from optuna.distributions import BaseDistribution

log = logging.getLogger(__name__)

# The Optuna user attribute that tells which `tune` command ran a trial (its trials are the
# ones it records in MLflow; other machines record theirs).
RUN_ATTRIBUTE = "tune_run"
# SQLite: how long a worker waits for another's write lock before failing, in seconds.
SQLITE_TIMEOUT_S = 60
# Opening a new storage: how many times a process tries while others create its tables.
CREATE_ATTEMPTS = 6


class StudyError(ProjectError, RuntimeError):
    """The study's storage cannot be opened, or the study cannot run; the message says why."""


# Optuna stores categorical choices of these types as they are; others (e.g. a list of layer
# widths) are stored as their JSON text and decoded when sampled.
_PLAIN = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class SearchSpace:
    """A model's search space, checked against its hyperparameters, as Optuna distributions."""

    model: str
    distributions: dict[str, BaseDistribution]
    # Hyperparameters whose choices are stored as JSON text.
    encoded: frozenset[str]
    # The hyperparameters' values in params.yaml, where they lie inside the space.
    defaults: dict[str, Any]

    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        """A trial's values, decoded (names as the family's `hyperparameters` gives them)."""
        return self.decode(
            {name: _suggest(trial, name, dist) for name, dist in self.distributions.items()}
        )

    def decode(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Stored trial values → the values the model takes."""
        return {
            name: json.loads(value) if name in self.encoded else value
            for name, value in values.items()
        }

    def encode(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Model values → how the study stores them (for enqueuing params.yaml's values)."""
        return {
            name: json.dumps(value) if name in self.encoded else value
            for name, value in values.items()
        }


def _suggest(trial: optuna.Trial, name: str, distribution: BaseDistribution) -> Any:
    from optuna.distributions import CategoricalDistribution, IntDistribution

    if isinstance(distribution, CategoricalDistribution):
        return trial.suggest_categorical(name, distribution.choices)
    low, high, log = distribution.low, distribution.high, distribution.log  # type: ignore[attr-defined]
    if isinstance(distribution, IntDistribution):
        return trial.suggest_int(name, low, high, step=distribution.step, log=log)
    return trial.suggest_float(name, low, high, step=distribution.step, log=log)  # type: ignore[attr-defined]


def _whole(value: float) -> bool:
    return float(value).is_integer()


def _check_value(
    configure: Callable[[Mapping[str, Any]], object], key: str, name: str, what: str, value: Any
) -> None:
    """Refuse a bound or choice the model does not accept, naming the search-space key."""
    try:
        configure({name: value})
    except ParamsError as error:
        reason = str(error).partition(": ")[2] or str(error)
        raise ParamsError(
            f"params: {key}: {what} {value!r} is not a valid value ({reason})"
        ) from None


def search_space(
    tune: TuneParams,
    model: str,
    hyperparameters: Mapping[str, Any],
    configure: Callable[[Mapping[str, Any]], object],
) -> SearchSpace:
    """`tune.space[model]` checked against the model's `hyperparameters` (name → current value).

    Each bound and choice is tried with `configure` (the family's, for this model), so a value
    the model refuses is named here rather than in the middle of a study. A range is whole
    numbers where the current value is a whole number (an int), floats otherwise.

    Raises:
        ParamsError: no space for the model, a name that is not one of its hyperparameters, or
            a bound or choice it does not accept; the message names the key.
    """
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    space = tune.space.get(model)
    known = ", ".join(sorted(hyperparameters))
    if not space:
        raise ParamsError(
            f"params: tune.space.{model}: no search space for the model being tuned; add one, "
            f"a range (low, high) or a list of choices for some of: {known}"
        )
    distributions: dict[str, BaseDistribution] = {}
    encoded: set[str] = set()
    defaults: dict[str, Any] = {}
    for name, dimension in space.items():
        key = f"tune.space.{model}.{name}"
        if name not in hyperparameters:
            raise ParamsError(
                f"params: {key}: '{name}' is not a hyperparameter of {model}; its "
                f"hyperparameters are: {known}"
            )
        current = hyperparameters[name]
        if isinstance(dimension, Range):
            integer = (isinstance(current, int) and not isinstance(current, bool)) or (
                current is None
                and _whole(dimension.low)
                and _whole(dimension.high)
                and (dimension.step is None or _whole(dimension.step))
            )
            bounds = [dimension.low, dimension.high]
            if integer:
                if not all(_whole(bound) for bound in bounds):
                    raise ParamsError(
                        f"params: {key}: '{name}' takes whole numbers: write low and high "
                        f"without decimals (got {dimension.low:g} and {dimension.high:g})"
                    )
                low, high = int(dimension.low), int(dimension.high)
                _check_value(configure, key, name, "low", low)
                _check_value(configure, key, name, "high", high)
                step = 1 if dimension.step is None else max(1, int(dimension.step))
                distributions[name] = IntDistribution(low, high, log=dimension.log, step=step)
                inside = isinstance(current, int) and low <= current <= high
            else:
                _check_value(configure, key, name, "low", dimension.low)
                _check_value(configure, key, name, "high", dimension.high)
                distributions[name] = FloatDistribution(
                    dimension.low, dimension.high, log=dimension.log, step=dimension.step
                )
                inside = (
                    isinstance(current, int | float)
                    and not isinstance(current, bool)
                    and dimension.low <= current <= dimension.high
                    and dimension.step is None
                )
            if inside:
                defaults[name] = current
        elif isinstance(dimension, Choice):
            choices = list(dimension.choices)
            for choice in choices:
                _check_value(configure, key, name, "choice", choice)
            if all(isinstance(choice, _PLAIN) for choice in choices):
                distributions[name] = CategoricalDistribution(choices)
                if current in choices:
                    defaults[name] = current
            else:
                encoded.add(name)
                distributions[name] = CategoricalDistribution(
                    [json.dumps(choice) for choice in choices]
                )
                if current in choices or (
                    isinstance(current, list | tuple) and list(current) in choices
                ):
                    defaults[name] = list(current) if isinstance(current, tuple) else current
    return SearchSpace(model, distributions, frozenset(encoded), defaults)


def directory_digest(directory: Path) -> str:
    """A sha256 of every file under `directory` (names and contents): what the data were."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode())
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def study_name(project: str, model: str, settings: Mapping[str, Any], data_digest: str) -> str:
    """`<project>-<model>-<hash>`: the same data, space and fixed settings give the same name.

    A study resumes (adds trials) only where its trials are comparable; changing the search
    space, the data or any setting the score depends on starts a new study.
    """
    text = json.dumps({"settings": settings, "data": data_digest}, sort_keys=True, default=str)
    return f"{project}-{model}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


_PASSWORD = re.compile(
    r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@]*:)(?P<password>[^@]*)(?P<tail>@)", re.I
)


def masked(url: str) -> str:
    """`url` with its password (if any) replaced by ***, for messages and records."""
    return _PASSWORD.sub(r"\g<head>***\g<tail>", url)


def _password(url: str) -> str | None:
    found = _PASSWORD.search(url)
    return found.group("password") if found and found.group("password") else None


def open_storage(url: str) -> optuna.storages.RDBStorage:
    """Connect to the RDB storage at `url` (creating its tables on first use).

    Processes that open a new storage at the same moment race to create its tables and stamp
    its schema version, and the losers fail on a duplicate; they wait a moment and open the
    tables the winner created.

    Raises:
        StudyError: the URL is malformed, its driver missing or the server unreachable; the
            message names the URL with the password masked.
    """
    import optuna
    from sqlalchemy.exc import IntegrityError, ProgrammingError

    engine: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite:"):
        engine = {"connect_args": {"timeout": SQLITE_TIMEOUT_S}}
    attempt = 1
    while True:
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs=engine)
        except (IntegrityError, ProgrammingError) as error:
            if attempt == CREATE_ATTEMPTS:
                raise _unopened(url, error) from None
            log.info("another process is creating the Optuna storage; trying again")
        except Exception as error:
            raise _unopened(url, error) from None
        time.sleep(attempt * random.uniform(0.2, 0.5))
        attempt += 1


def _unopened(url: str, error: Exception) -> StudyError:
    reason = " ".join(str(error).split()) or type(error).__name__
    secret = _password(url)
    if secret:
        reason = reason.replace(secret, "***")
    return StudyError(
        f"cannot open the Optuna storage {masked(url)} (OPTUNA_STORAGE or params "
        f"tune.storage): {reason[:300]}"
    )


def sampler(tune: TuneParams, worker: int) -> optuna.samplers.BaseSampler:
    """A seeded TPE sampler; each worker gets its own seed so they propose different trials."""
    import optuna

    return optuna.samplers.TPESampler(seed=tune.seed + worker)


def pruner(tune: TuneParams) -> optuna.pruners.BasePruner:
    """The median pruner after `startup_trials` full trials and one reported step, or none."""
    import optuna

    if tune.pruner == "none":
        return optuna.pruners.NopPruner()
    return optuna.pruners.MedianPruner(n_startup_trials=tune.startup_trials, n_warmup_steps=1)
