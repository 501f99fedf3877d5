# mlfolio: `make demo` generates the default project and runs it end to end; `make test` runs
# the template's own tests. Both create the development environment (.venv) when it is missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(abspath $(VENV))/bin
DEMO_DIR := build/demo
DEMO := $(DEMO_DIR)/penguin-species-classifier
PYTEST_ARGS ?=

# Offline, quiet runs: no telemetry, no hub look-ups.
export MLFLOW_DISABLE_TELEMETRY := true
export DVC_NO_ANALYTICS := 1
export HF_HUB_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help env demo test test-fast lint clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

env: $(VENV)/.installed  ## Create the template's development environment

demo: $(VENV)/.installed  ## Generate the default project into build/demo and run it end to end
	rm -rf $(DEMO)
	$(BIN)/cookiecutter --no-input --output-dir $(DEMO_DIR) .
	$(MAKE) -C $(DEMO) setup pipeline test
	@echo
	@echo "Results (reports/metrics.json, test split):"
	@$(DEMO)/.venv/bin/penguin-species-classifier report --metrics $(DEMO)/reports/metrics.json --readme $(DEMO)/README.md
	@echo
	@echo "Next, in $(DEMO):"
	@echo "  make mlflow-ui     browse the tracked run"
	@echo "  make serve         the prediction API on http://127.0.0.1:8000/docs"
	@echo "  make ui            the Streamlit app on http://127.0.0.1:8501"

test: $(VENV)/.installed  ## Run the template's test suite
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed  ## The test suite without the slow tests
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed  ## Lint the template's own Python
	$(BIN)/ruff check hooks tests bench local_extensions.py
	$(BIN)/ruff format --check hooks tests bench local_extensions.py

clean:  ## Remove generated projects and caches
	rm -rf build .pytest_cache .ruff_cache
