# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint golden bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/wavecd sync examples/staging --sim

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/vulture

test: $(STAMP) lint
	PATH="$(CURDIR)/$(BIN):/usr/local/bin:/usr/bin:/bin" $(BIN)/python -m pytest -n auto --dist loadgroup -p no:cacheprovider

# Re-record the real-helm outputs beside the conformance charts (needs npm; never run by CI).
golden: $(STAMP)
	$(BIN)/python tools/golden.py

bench: $(STAMP)
	$(BIN)/python bench/render.py

clean:
	rm -rf $(VENV) build *.egg-info
