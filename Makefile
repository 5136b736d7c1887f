# Wegweiser task runner. `make help` lists the targets. CI runs `make test`.
SHELL := /bin/bash
PYTHON310 := $(shell scripts/find-python.sh)
VENV := .venv
BIN := $(VENV)/bin
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false
MODEL := models/wegweiser.tar.gz
TRAIN_INPUTS := config.yml $(wildcard domain/*.yml) $(wildcard data/nlu/*.yml) \
	$(wildcard data/stories/*.yml) $(wildcard data/gazetteer/*.yml) $(wildcard bot/nlu/*.py) \
	bot/gazetteer.py bot/langid.py bot/text.py bot/languages.py

.PHONY: help install run test lint validate train bench clean

help: ## show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON310) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==24.0
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(BIN)/.installed ## create .venv with python3.10 and the pinned dependencies

domain/responses.yml: $(wildcard data/responses/*.yml) bot/responses.py $(BIN)/.installed
	$(BIN)/python -m bot.responses build

$(MODEL): $(TRAIN_INPUTS) domain/responses.yml $(BIN)/.installed
	$(BIN)/rasa train --config config.yml --domain domain --data data/nlu data/stories \
		--out models --fixed-model-name wegweiser
	touch $@

train: $(MODEL) ## train the model if data, config or components changed

run: $(MODEL) ## install, train if needed, start Rasa + action server (Ctrl-C stops all)
	$(BIN)/python -m bot.supervisor

lint: $(BIN)/.installed ## ruff (lint + format check)
	$(BIN)/ruff check bot actions tests tools bench
	$(BIN)/ruff format --check bot actions tests tools bench

validate: domain/responses.yml ## rasa data validate + response lint + office directory
	$(BIN)/python -m bot.responses check
	$(BIN)/python -m bot.offices validate
	$(BIN)/python tools/validate_data.py

test: lint validate $(MODEL) ## everything CI runs: lint, validation, pytest (incl. model + servers)
	$(BIN)/pytest

bench: $(MODEL) ## measure latency, throughput, memory, accuracy -> docs/benchmarks.md
	$(BIN)/python -m bench.run

clean: ## remove models, caches and the virtualenv
	rm -rf $(VENV) models .rasa var/tracker.db .pytest_cache .ruff_cache
