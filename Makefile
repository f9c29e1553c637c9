# Two commands for people: `make run` and `make test`. Everything they need is set up here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := shared services/recruitment services/reporting services/notifications

.PHONY: run test test-unit test-integration bench soak lock compose-check clean

$(STAMP): requirements/dev.lock $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps $(foreach p,$(PACKAGES),-e $(p))
	touch $@

run: $(STAMP)
	$(BIN)/organising-devstack run

test: $(STAMP)
	$(BIN)/pytest tests

test-unit: $(STAMP)
	$(BIN)/pytest tests/unit

test-integration: $(STAMP)
	$(BIN)/pytest tests/integration tests/e2e

bench: $(STAMP)
	$(BIN)/python -m bench

lock:
	uv pip compile --generate-hashes --python-version 3.11 --prerelease=if-necessary-or-explicit -q requirements/runtime.in -o requirements/runtime.lock
	uv pip compile --generate-hashes --python-version 3.11 --prerelease=if-necessary-or-explicit -q requirements/dev.in -o requirements/dev.lock

compose-check: $(STAMP)
	$(BIN)/python -m tests.compose_check docker-compose.yml

clean:
	rm -rf $(VENV) var infra/kafka/.classpath
