# Two commands do all set-up: `make run` and `make test`. Both (re)build .venv only when
# requirements.txt changed since the last install.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.requirements.sha256
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test bench lint snapshot venv clean

venv: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -r requirements.txt
	@sha256sum requirements.txt > $(STAMP)

run: venv
	$(PY) -m streamlit run serve.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# The numeric method tests run a second time under OpenBLAS's generic kernel: results must not depend on the machine.
NUMERIC_TESTS = $(wildcard tests/indicators/test_methods_*.py) tests/indicators/test_uncertainty_engine.py
test: venv
	$(PY) -m pytest
	OPENBLAS_CORETYPE=Prescott $(PY) -m pytest -q $(NUMERIC_TESTS)

bench: venv
	$(PY) -m bench

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

snapshot: venv
	$(PY) -m connectors build-snapshot --from ../shared/data

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
