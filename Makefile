# The README's two commands: `make run` (the demo) and `make test` (what CI runs).
# Both create .venv when missing and install the pinned requirements into it.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint format bench

run: $(VENV)/.installed
	scripts/run.sh

test: lint
	scripts/test.sh

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --check --no-cache .
	$(BIN)/bandit -q -r common data_access worker demo dashboard callbacks -lll

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-dev  # against the Redis and PostgreSQL on 127.0.0.1's usual ports
	$(BIN)/python -m bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -qq -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/pip install -qq -r requirements-dev.txt
	touch $@ $(VENV)/.installed
