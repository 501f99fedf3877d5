"""Fixtures and pytest hooks of the template's tests; shared helpers live in helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import TrainedModel, install_editable, render, train_small

# Time limits per test (pytest-timeout): the suite's `timeout` bounds the slow tests, which
# generate projects and run their pipelines, tests and servers; every other test must finish
# in FAST_TIMEOUT seconds, fixtures included, or be marked slow. `make test` runs both kinds.
FAST_TIMEOUT = 300


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every test that is not marked slow the short time limit, unless it sets its own."""
    for item in items:
        if item.get_closest_marker("slow") is None and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(FAST_TIMEOUT))


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, rendered and installed once, its pipeline not yet run."""
    project = render(tmp_path_factory.mktemp("default"))
    install_editable(project)
    return project


@pytest.fixture(scope="session")
def trained_default(
    default_project: Path, tmp_path_factory: pytest.TempPathFactory
) -> TrainedModel:
    """The default project's model and reports, trained on shrunk params outside the project."""
    return train_small(default_project, tmp_path_factory.mktemp("trained"))
