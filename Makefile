# Two entry points, as the README says: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup browser compose run test lint eval bench clean

$(BIN)/veiviser: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(BIN)/veiviser

## setup: virtual environment, pinned packages and the offline embedding model
setup: $(BIN)/veiviser
	$(BIN)/veiviser model

## run: set up, build the index on first run (with progress) and serve search on http://127.0.0.1:8000
run: setup
	$(BIN)/veiviser serve

## browser: Debian's Chromium for the browser tests in tests/web (installed once; needs root)
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

## compose: Debian's docker-compose, whose `config` validates docker-compose.yml without a daemon (once; needs root)
compose:
	command -v docker-compose >/dev/null || (apt-get update && apt-get install -y --no-install-recommends docker-compose)

## test: set up, check style, run the whole test suite
test: setup browser compose
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .

eval: setup
	$(BIN)/veiviser eval --set dev

bench: setup
	$(BIN)/veiviser bench

clean:
	rm -rf data models
