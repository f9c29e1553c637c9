# Two commands for people: `make run` and `make test`. Everything they need is set up here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := shared services/recruitment services/reporting services/notifications services/gateway

.PHONY: run test test-unit test-integration test-faults fuzz lint format bench soak lock compose-check compose-smoke clean

$(STAMP): requirements/dev.lock $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps $(foreach p,$(PACKAGES),-e $(p))
	touch $@

# What the tests use from outside PyPI: Chromium (Debian) for the dashboard test, kcat (Debian)
# for the shell example in docs/, prometheus (Debian) for `promtool` (the alert rules' tests), and
# Docker Compose v2 to validate the compose file (the docker client, plus the compose plugin built
# from its Go module: Debian bookworm has only v1, which cannot read the file). Installed only
# when missing (CI and developers run as root here). The Makefile is a prerequisite so that a
# package added here is installed on a machine whose stamp is older.
SYSTEM_STAMP := $(VENV)/.system-packages
$(SYSTEM_STAMP): infra/compose/install-compose.sh Makefile
	@missing=""; command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v docker >/dev/null || missing="$$missing docker.io"; \
	command -v kcat >/dev/null || missing="$$missing kcat"; \
	command -v promtool >/dev/null || missing="$$missing prometheus"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@bash infra/compose/install-compose.sh
	@mkdir -p $(VENV) && touch $@

# `make compose-smoke` also starts a Docker engine and builds a Debian base with debootstrap.
SMOKE_STAMP := $(VENV)/.compose-smoke-packages
$(SMOKE_STAMP): $(SYSTEM_STAMP)
	@missing=""; command -v dockerd >/dev/null || missing="$$missing docker.io"; \
	command -v debootstrap >/dev/null || missing="$$missing debootstrap"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@touch $@

# The prerequisites are checked first, with the system's Python, before .venv is created: a missing
# Java or Maven is named with its Debian package instead of failing halfway through the start.
run:
	@command -v $(PYTHON) >/dev/null || { echo "make run needs Python 3.11, and there is no $(PYTHON). Debian 12: sudo apt-get install python3.11 python3.11-venv" >&2; exit 1; }
	@$(PYTHON) shared/src/organising_shared/devstack/prerequisites.py --venv $(VENV)
	@$(MAKE) --no-print-directory $(STAMP)
	$(BIN)/organising-devstack run

# The fault suite (tests/faults, about 8 minutes) has its own target, so that this one stays
# under 15 minutes on this machine; CI runs both.
test: $(STAMP) $(SYSTEM_STAMP)
	$(BIN)/pytest tests -m "not faults"

# Lint, format and types, as CI checks them (`.ci/run` calls this before the tests).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-unit: $(STAMP)
	$(BIN)/pytest tests/unit

test-integration: $(STAMP)
	$(BIN)/pytest tests/integration tests/e2e

# The property-based fuzz suite (tests/fuzz) for longer than `make test` gives it: more examples
# per HTTP route and per property, and a larger batch of records on the topics. FUZZ_EXAMPLES
# and FUZZ_RECORDS override either profile.
fuzz: $(STAMP)
	FUZZ_PROFILE=long $(BIN)/pytest tests/fuzz -m fuzz --timeout=1800

# Services as real processes killed with SIGKILL, the broker and the store stopped under load,
# a rebalance, a poison record; the launcher restarting a killed service (tests/faults/README.md).
test-faults: $(STAMP) $(SYSTEM_STAMP)
	$(BIN)/pytest tests/faults -m faults

# wrk (Debian) drives the GET latency benchmark; without it the bench falls back to a Python
# client and says so.
BENCH_STAMP := $(VENV)/.bench-packages
$(BENCH_STAMP):
	@command -v wrk >/dev/null || { echo "installing wrk"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@mkdir -p $(VENV) && touch $@

# Every bench_*.py module, then one summary table of the issue's rows (figure, same-run
# baseline, ratio), also written to var/bench/latest.md. Bounded: each phase has a deadline, and
# `python -m bench NAME…` runs some. Scale down with BENCH_EVENTS (projection, default 100000),
# BENCH_SKIP=naive,freshness,get,rebuild,baseline-code, BENCH_RATE_SECONDS (freshness, 10),
# BENCH_GET_SECONDS (10), BENCH_WEBHOOKS_PER_RECEIVER (notifications, 400) and
# BENCH_BUDGET_EVENTS / BENCH_BUDGET_SMALL_EVENTS (budget, 100000 / 5000); README "Speed".
bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python -m bench

# The local stack under a steady load for SOAK_SECONDS (default 600): memory, lag, nothing lost.
soak: $(STAMP)
	$(BIN)/python -m bench.soak

lock:
	uv pip compile --generate-hashes --python-version 3.11 --prerelease=if-necessary-or-explicit -q requirements/runtime.in -o requirements/runtime.lock
	uv pip compile --generate-hashes --python-version 3.11 --prerelease=if-necessary-or-explicit -q requirements/dev.in -o requirements/dev.lock

compose-check: $(STAMP) $(SYSTEM_STAMP)
	$(BIN)/pytest tests/unit/test_compose_file.py

# docker-compose.yml started for real on this machine, with locally built images; it shows that
# the stack keeps its data when Kafka and the store are recreated (infra/compose-smoke/run.sh).
compose-smoke: $(STAMP) $(SMOKE_STAMP)
	bash infra/compose-smoke/run.sh

clean:
	rm -rf $(VENV) var infra/kafka/.classpath
