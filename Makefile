# One entry point for users and CI. Every target is idempotent: the virtual environment is
# built once (stamp file) and rebuilt only when pyproject.toml changes.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
OUT     ?= results
PYTEST_ARGS ?=

.PHONY: setup validate reference reference-ledger figures-quick test test-slow test-nojit clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first and pinned: anything later that asks for torch finds the CPU wheel on disk.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test,notebooks]'
	touch $(STAMP)

setup: $(STAMP)

## Run every validation suite at the paper's scale and print the report's path.
validate: setup
	$(BIN)/workbench validate --suite all --out $(OUT)

## The committed quick tier (results/reference/quick): train every quick figure's missing runs
## (resumable; COMMIT=1 commits each figure's records as it finishes), then rebuild the reference
## ledger and REPORT.md from the records. `make reference-ledger` rebuilds only the ledger.
REF := results/reference/quick
reference: setup
	$(BIN)/python -m workbench.reference --out $(REF) $(if $(COMMIT),--commit)

reference-ledger: setup
	$(BIN)/python -m workbench.reference --out $(REF) --ledger-only

## Regenerate the quick-preset figures (trains networks on Fashion-MNIST; long).
figures-quick: setup
	$(BIN)/workbench figures --preset quick --out $(OUT)

## The default test run (under ~10 minutes on 2 cores).
test: setup
	$(BIN)/python -m pytest -q $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

## Slow tests (network training, full-scale studies): opt-in.
test-slow: setup
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium) \
	  || echo "warning: chromium not installed; the HTML rendering test will skip"
	$(BIN)/python -m pytest -q -m slow $(PYTEST_ARGS)

## The jitted code run as plain Python (PySDM's trick): covers and debugs numba kernels.
test-nojit: setup
	NUMBA_DISABLE_JIT=1 $(BIN)/python -m pytest -q tests/test_convsim.py tests/test_convsim_study.py tests/test_channel_grad.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
