# Techniekpact Monitor: `make monitor` sets everything up and builds the default edition from the
# embedded sample; `make test` runs the whole test suite. Both create the environment if needed.
# `make check` is the quick loop while working: lint, format check and the tests that build no edition.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)

# tests in two processes (pytest-xdist, one per core of a 2-core machine), whole modules at a time in the
# order tests/conftest.py gives them (the longest first); `make test TEST_WORKERS=` runs them in one
TEST_WORKERS ?= -n 2 --dist loadscope --no-loadscope-reorder

.PHONY: setup monitor sample test check lint docs bench ui clean

$(STAMP): requirements.lock pyproject.toml scripts/system-deps.sh
	@scripts/system-deps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

sample: setup
	$(BIN)/techpact sample > /dev/null

monitor: sample
	$(BIN)/techpact build

# everything: the end-to-end builds, PostgreSQL, the browser and the real files included
test: setup
	$(BIN)/python -m pytest $(TEST_WORKERS)

# lint, format check and every test not marked e2e (no edition built through Dagster)
check: lint
	$(BIN)/python -m pytest $(TEST_WORKERS) -m "not e2e"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# the documentation site (docs/, MkDocs Material) into site/; warnings are errors
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

bench: setup
	$(BIN)/python -m benchmarks.run

ui: setup
	$(BIN)/techpact ui

clean:
	rm -rf .techpact out data/sample
