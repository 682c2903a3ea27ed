# Techniekpact Monitor: `make monitor` sets everything up and builds the default edition from the
# embedded sample; `make test` runs the whole test suite. Both create the environment if needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)

.PHONY: setup monitor sample test bench ui clean

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

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m benchmarks.run

ui: setup
	$(BIN)/techpact ui

clean:
	rm -rf .techpact out data/sample
