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
TRAIN_INPUTS := config.yml $(wildcard domain/*.yml) $(shell find data/nlu data/stories -name '*.yml') \
	 $(wildcard data/gazetteer/*.yml) $(wildcard data/langid/words/*.txt) $(wildcard bot/nlu/*.py) \
	 bot/languages.py

.PHONY: help install lock types fuzz fast run test lint validate train bench bench-nlu bench-e2e bench-scaling clean console console-migrate console-assets bench-console chromium widget-vendor screenshots nginx test-ops bench-load bench-lock-race

help: ## show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

LOCKS := requirements/runtime.lock requirements/dev.lock
UV_COMPILE = $(BIN)/uv pip compile --quiet --python-version 3.10 --python-platform x86_64-manylinux_2_28 --generate-hashes --no-header

$(BIN)/.installed: $(LOCKS)
	test -x $(BIN)/python || $(PYTHON310) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==24.0
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements/runtime.lock -r requirements/dev.lock
	touch $@

install: $(BIN)/.installed ## create .venv with python3.10 and the pinned, hashed dependencies

lock: $(BIN)/.installed ## recompile requirements/*.lock (pins + hashes) after editing requirements/*.in
	cd requirements && $(UV_COMPILE) runtime.in -o runtime.lock && $(UV_COMPILE) dev.in -o dev.lock

domain/responses.yml: $(shell find data/responses -name '*.yml') bot/responses.py $(BIN)/.installed
	$(BIN)/python -m bot.responses build

$(MODEL): $(TRAIN_INPUTS) domain/responses.yml $(BIN)/.installed
	$(BIN)/rasa train --config config.yml --domain domain --data data/nlu data/stories \
		--out models --fixed-model-name wegweiser
	touch $@

train: $(MODEL) ## train the model if data, config or components changed

run: $(MODEL) console-migrate ## install, train if needed, start Rasa + actions + web service with the staff console (Ctrl-C stops all)
	$(BIN)/python -m bot.supervisor

types: $(BIN)/.installed ## mypy on bot/ and actions/ (settings in pyproject.toml)
	$(BIN)/mypy

lint: $(BIN)/.installed ## ruff (lint + format check)
	$(BIN)/ruff check bot actions tests tools bench
	$(BIN)/ruff format --check bot actions tests tools bench

validate: domain/responses.yml ## rasa data validate + response lint + office directory
	$(BIN)/python -m bot.responses check
	$(BIN)/python -m bot.offices validate
	$(BIN)/python tools/validate_data.py

test: lint types validate $(MODEL) chromium nginx ## everything CI runs: lint, types, validation, pytest (incl. model + servers), test-ops
	$(BIN)/pytest -m "not ops"
	$(MAKE) test-ops

# A session of its own: the fault tests restart PostgreSQL and Redis under the cluster.
test-ops: $(MODEL) nginx chromium ## two Rasa replicas behind nginx: routing, lock store, faults, short load (tests/ops)
	$(BIN)/pytest -m ops tests/ops

bench-load: $(MODEL) nginx ## 200 conversations x 20 turns at a person's pace over two replicas behind nginx, then a 30 min soak -> docs/reliability-load.md
	$(BIN)/python -m bench.load

bench-lock-race: $(MODEL) nginx ## turns of one conversation on two replicas at once: Rasa's RedisLockStore vs ours -> docs/reliability-lock-race.md
	$(BIN)/python -m bench.lock_race

fuzz: $(MODEL) ## the listener fuzz tests with fresh random inputs (FUZZ_EXAMPLES, default 500); CI runs a fixed set
	FUZZ_RANDOM=1 FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} $(BIN)/pytest -s tests/channels/test_fuzz.py

fast: $(BIN)/.installed ## inner loop: lint + the tests that need no model and no servers (~2 min)
	$(MAKE) lint
	$(BIN)/pytest -q -m "not model and not server"

bench: $(MODEL) ## measure latency, throughput, memory, accuracy -> docs/benchmarks.md (BENCH_REFERENCE=<rev>: A/B of one conversation against that revision)
	$(BIN)/python -m bench.run

console-migrate: $(BIN)/.installed ## create/upgrade the staff console tables in the tracker-store DB
	$(BIN)/python -m bot.console migrate

console: $(BIN)/.installed ## run the staff console alone on http://127.0.0.1:8081/staff/
	$(BIN)/python -m bot.console serve

console-assets: ## re-vendor Chart.js (pinned in bot/console/frontend/package-lock.json)
	cd bot/console/frontend && npm ci --no-audit --no-fund --ignore-scripts
	cp bot/console/frontend/node_modules/chart.js/dist/chart.umd.min.js bot/console/static/vendor/
	cp bot/console/frontend/node_modules/chart.js/LICENSE.md bot/console/static/vendor/chart.js-LICENSE.md

bench-nlu: $(MODEL) ## intent accuracy, city recall, language per language on the blind and held-out sets -> docs/benchmarks-nlu.md
	$(BIN)/python -m bench.nlu_eval

bench-e2e: $(MODEL) ## blind office questions over REST: right contact in the user's language -> docs/benchmarks-e2e.md
	$(BIN)/python -m bench.e2e_offices

bench-scaling: $(MODEL) ## REST latency/throughput with 1 and 2 Rasa workers (PostgreSQL + Redis) -> docs/benchmarks-scaling.md
	$(BIN)/python -m bench.scaling

bench-console: $(BIN)/.installed ## staff console latency with 100k conversations -> docs/benchmarks-console.md
	$(BIN)/python -m bench.console

clean: ## remove models, caches and the virtualenv
	rm -rf $(VENV) models .rasa var/tracker.db .pytest_cache .ruff_cache

# --- web widget --------------------------------------------------------------------
chromium: ## Debian chromium (browser tests) and nginx (proxy and multi-replica tests); CI runs as root on Debian
	@test -x /usr/bin/chromium -a -x /usr/sbin/nginx || { apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium nginx-light; }

nginx: ## Debian's nginx for tests/ops (CI: root on a clean Debian machine)
	@test -x /usr/sbin/nginx || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light; }

widget-vendor: ## refresh bot/web/static/vendor/socket.io.min.js from npm (bot/web/frontend/package-lock.json)
	scripts/vendor-widget.sh

screenshots: $(MODEL) chromium ## docs/screenshots/: the widget's first screen per language, the Arabic card as WhatsApp shows it
	WEGWEISER_SCREENSHOTS=1 $(BIN)/pytest -q tests/web/test_widget.py -k first_screen
	WEGWEISER_SCREENSHOTS=1 $(BIN)/pytest -q tests/channels/test_whatsapp_cloud.py -k office_card
