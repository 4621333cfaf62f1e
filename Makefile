# `make test` is the one command CI and newcomers run: it builds .venv when needed, then lints,
# type-checks and tests. The venv is rebuilt only when pyproject.toml changes.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP_FLAGS := --quiet --disable-pip-version-check

.PHONY: test lint typecheck pytest bench demo format clean package package-check e2e chaos

# checkov scans the Terraform modules in `make test`. It pins its own dependencies (boto3 among
# them), so it gets a virtualenv of its own instead of sharing .venv.
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
CHECKOV_VERSION := 3.3.30
# Where `make package` writes the Lambda zips; the Terraform examples read them from there.
PACKAGE_DIR := dist/lambda

# The AppSync tests' real peer (npm, pinned by its lockfile); skipped quietly where Node.js is absent.
APPSYNC_PEER := tests/functional/appsync/peer
APPSYNC_PEER_STAMP := $(APPSYNC_PEER)/node_modules/.installed

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: Python >= 3.11 not found (fix: install python3.11 or set PYTHON=...)"; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_FLAGS) --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	$(BIN)/python -m pip install $(PIP_FLAGS) -e '.[dev]' 2>&1 | grep -v '^WARNING: Location'; test $${PIPESTATUS[0]} -eq 0
	@touch $(STAMP)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks terraform/examples/consumers
	$(BIN)/ruff format --check src tests benchmarks terraform/examples/consumers

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(APPSYNC_PEER_STAMP) $(CHECKOV)
	QUIRKS_CHECKOV=$(CHECKOV) $(BIN)/pytest $(PYTEST_ARGS)

$(CHECKOV): Makefile
	@test -n "$(PYTHON)" || { echo "error: Python >= 3.11 not found (fix: install python3.11 or set PYTHON=...)"; exit 2; }
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install $(PIP_FLAGS) 'checkov==$(CHECKOV_VERSION)' 2>&1 | grep -v '^WARNING: Location'; test $${PIPESTATUS[0]} -eq 0
	@touch $(CHECKOV)

# The handlers' deployment zip and layer for the default runtime (python3.13, arm64), and the
# example consumers' zip, where the Terraform examples expect them.
# PACKAGE_ARGS="--python 3.12 --arch x86_64" for another runtime.
package: $(STAMP)
	$(BIN)/quirks package --out $(PACKAGE_DIR) --layer $(PACKAGE_ARGS)
	$(BIN)/quirks package --code terraform/examples/consumers --out $(PACKAGE_DIR)

# Builds that need the package index: two builds give the same bytes, the zips' size and contents,
# the handlers import under python3.12 -I and python3.13 -I; then `make package` and a
# `terraform plan` of the examples against a local endpoint, exactly as docs/deploy.md shows.
package-check: $(STAMP)
	$(BIN)/pytest -m deploy tests/deploy -p no:cacheprovider $(PYTEST_ARGS)

# `terraform apply` of terraform/examples/complete to the local cloud, real orders through it, then
# `terraform destroy` (minutes; needs the package index for the builds).
e2e: $(STAMP)
	$(BIN)/pytest -m e2e tests/e2e -p no:cacheprovider -s $(PYTEST_ARGS)

$(APPSYNC_PEER_STAMP): $(APPSYNC_PEER)/package.json $(APPSYNC_PEER)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(APPSYNC_PEER) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "note: npm not found: the AppSync simulator tests will be skipped"; fi

# pytest-benchmark files (test_*.py), then the standalone scripts (bench_*.py) that print ratios.
bench: $(STAMP) $(APPSYNC_PEER_STAMP)
	$(BIN)/pytest benchmarks --benchmark-only -p no:cacheprovider $(PYTEST_ARGS)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

# Fault injection at full size (docs/reliability.md): fan-out with failing, timing-out and crashing
# consumers and kill -9 of workers; recovery killed at random and after each write; poison
# messages; a drive-by web page. One summary line per scenario; exit 0 only when nothing is lost.
# A reduced size runs in `make test` (tests/chaos/test_chaos.py). CHAOS_RECORDS=1000 for a quicker run.
CHAOS_RECORDS ?= 10000
chaos: $(STAMP)
	CHAOS_RECORDS=$(CHAOS_RECORDS) $(BIN)/python -m tests.chaos

# The README's first command: the stream quirks and their fixes, on this machine, in seconds.
demo: $(STAMP)
	$(BIN)/quirks demo $(DEMO_ARGS)

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(PACKAGE_DIR) .pytest_cache .mypy_cache .ruff_cache .hypothesis .benchmarks $(APPSYNC_PEER)/node_modules
