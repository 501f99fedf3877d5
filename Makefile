# mlfolio: `make demo` generates the default project and runs it end to end; `make test` runs
# the template's own tests. Both create the development environment (.venv) when it is missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(abspath $(VENV))/bin
DEMO_DIR := build/demo
DEMO := $(DEMO_DIR)/penguin-species-classifier
PYTEST_ARGS ?=
# uv builds .venv: the uv on PATH, or else the version pinned in requirements-dev.txt, installed
# into build/uv with pip. Without either, pip builds it (minutes instead of seconds).
UV_BOOTSTRAP := build/uv
# The uv settings that match this machine's pip configuration (find-links folders, indexes):
# the generated projects' script, so the template and its projects follow the same rules.
UV_SETTINGS := {{cookiecutter.project_slug}}/tools/uv_settings.py

# Offline, quiet runs: no telemetry, no hub look-ups.
export MLFLOW_DISABLE_TELEMETRY := true
export DVC_NO_ANALYTICS := 1
export HF_HUB_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# What pip cannot install, as command:Debian package. The browser tests drive Chromium through
# its driver; the Optuna tests share a study on a PostgreSQL server they start themselves.
SYSTEM_NEEDS := chromium:chromium chromedriver:chromium-driver pg_ctl:postgresql

.PHONY: help env system-packages demo test test-fast lint clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt requirements-nodeps.txt
	@set -e; uv=$$(command -v uv || true); \
	if [ -z "$$uv" ]; then \
	  uv=$(UV_BOOTSTRAP)/bin/uv; \
	  [ -x "$$uv" ] || { mkdir -p $(dir $(UV_BOOTSTRAP)) && $(PYTHON) -m pip install --target \
	    $(UV_BOOTSTRAP) "$$(grep '^uv==' requirements-dev.txt)" >$(UV_BOOTSTRAP).log 2>&1; } || uv=""; \
	fi; \
	if [ -n "$$uv" ]; then \
	  eval "$$($(PYTHON) '$(UV_SETTINGS)')"; \
	  echo "$$uv: $(VENV) from requirements-dev.txt"; \
	  "$$uv" venv --quiet --seed --allow-existing --python $(PYTHON) $(VENV); \
	  "$$uv" pip install --quiet --python $(VENV) -r requirements-dev.txt; \
	  "$$uv" pip install --quiet --python $(VENV) --no-deps -r requirements-nodeps.txt; \
	else \
	  echo "uv could not be installed (see $(UV_BOOTSTRAP).log): building $(VENV) with pip"; \
	  [ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV); \
	  $(BIN)/python -m pip install --quiet --upgrade pip; \
	  $(BIN)/python -m pip install --quiet -r requirements-dev.txt; \
	  $(BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt; \
	fi
	touch $@

env: $(VENV)/.installed  ## Create the template's development environment

system-packages:  ## Install what pip cannot (Chromium, its driver, PostgreSQL), or name it
	@missing=""; \
	for need in $(SYSTEM_NEEDS); do \
	  command -v "$${need%%:*}" >/dev/null 2>&1 \
	    || ls /usr/lib/postgresql/*/bin/"$${need%%:*}" >/dev/null 2>&1 \
	    || missing="$$missing $${need#*:}"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "apt-get install$$missing"; \
	  apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
	  echo "Missing system packages (their tests cannot run without them): sudo apt-get install$$missing"; \
	fi

demo: $(VENV)/.installed  ## Generate the default project into build/demo and run it end to end
	rm -rf $(DEMO)
	$(BIN)/cookiecutter --no-input --output-dir $(DEMO_DIR) .
	$(MAKE) -C $(DEMO) setup pipeline test UV=$(BIN)/uv
	@echo
	@echo "Results (reports/metrics.json, test split):"
	@$(DEMO)/.venv/bin/penguin-species-classifier report --metrics $(DEMO)/reports/metrics.json --readme $(DEMO)/README.md
	@echo
	@echo "Next, in $(DEMO):"
	@echo "  make mlflow-ui     browse the tracked run"
	@echo "  make serve         the prediction API on http://127.0.0.1:8000/docs"
	@echo "  make ui            the Streamlit app on http://127.0.0.1:8501"

# The tests run uv too (locking, syncing and installing generated projects), with pip's settings.
test: $(VENV)/.installed system-packages  ## Run the template's test suite
	eval "$$($(BIN)/python '$(UV_SETTINGS)')"; $(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed  ## The test suite without the slow tests
	eval "$$($(BIN)/python '$(UV_SETTINGS)')"; $(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed  ## Lint the template's own Python
	$(BIN)/ruff check hooks tests bench local_extensions.py
	$(BIN)/ruff format --check hooks tests bench local_extensions.py

clean:  ## Remove generated projects and caches
	rm -rf build .pytest_cache .ruff_cache
