# `make help` lists the targets. Every target creates .venv and installs ffbp when needed.
.DEFAULT_GOAL := help
VENV ?= .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
ARGS ?=

.PHONY: help install data train test test-fast bench lint format clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

$(INSTALLED): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -e ".[dev]"
	touch $@

install: $(INSTALLED) ## create .venv and install ffbp with its dev tools

data: ## put Fashion-MNIST on this machine (Debian's dataset-fashion-mnist; no download)
	@bash scripts/fetch_data.sh

train: $(INSTALLED) data ## train with the defaults (FF on Fashion-MNIST); more: make train ARGS="algo=bp"
	$(PYTHON) train.py $(ARGS)

test: $(INSTALLED) data ## run every test, the slow real-data ones included
	$(PYTHON) -m pytest

test-fast: $(INSTALLED) ## run the tests that need no real dataset
	$(PYTHON) -m pytest -m "not slow"

bench: $(INSTALLED) ## benchmark BP vs FF on this machine (table + outputs/benchmark.json)
	$(PYTHON) scripts/benchmark.py $(ARGS)

lint: $(INSTALLED) ## ruff lint and format check
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

format: $(INSTALLED) ## ruff: fix what it can and format
	$(PYTHON) -m ruff check --fix .
	$(PYTHON) -m ruff format .

clean: ## remove outputs and caches (not .venv, not data/)
	rm -rf outputs multirun .pytest_cache .ruff_cache .hypothesis
