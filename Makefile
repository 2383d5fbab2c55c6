# Two commands do all set-up: `make run` and `make test`. Each installs its hash-locked set into .venv
# (pip --require-hashes, nothing unpinned): `make run` only the runtime (requirements.lock), `make test`
# runtime + test tools (requirements-test.lock), `make lint` runtime + test + dev tools (requirements-dev.lock).
# `make venv-s3` is the runtime + boto3 (requirements-s3.lock): what a job that writes to an s3:// store needs.
# The locks are generated from pyproject.toml by `make lock`; when a lock changes (by content, not only its
# date), .venv is deleted and rebuilt, so nothing the old lock installed lingers.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test bench lint lock snapshot venv venv-s3 venv-test venv-dev bytecode clean

# $(call install_lock,LOCKFILE): (re)build .venv from LOCKFILE when it changed since it was last installed.
# The stamp holds the lock's sha256; a stamp that no longer matches means the lock changed, so .venv is rebuilt.
define install_lock
	@stamp=$(VENV)/.$(1).sha256; \
	if [ -f "$$stamp" ] && ! sha256sum --quiet --check "$$stamp" >/dev/null 2>&1; then \
	  echo "$(1) changed: rebuilding $(VENV)"; rm -rf $(VENV); \
	fi; \
	if [ ! -f "$$stamp" ]; then \
	  test -x $(PY) || $(PYTHON) -m venv $(VENV) || exit 1; \
	  echo "installing $(1) into $(VENV) (hash-checked)"; \
	  $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(1) || exit 1; \
	  sha256sum $(1) > "$$stamp"; \
	fi
endef

venv:
	$(call install_lock,requirements.lock)

venv-s3:
	$(call install_lock,requirements-s3.lock)

venv-test:
	$(call install_lock,requirements-test.lock)

venv-dev:
	$(call install_lock,requirements-dev.lock)

# Our own modules compiled to bytecode once, as pip does for the installed libraries: a server otherwise
# compiles them from source at every start where Python may not write .pyc files (PYTHONDONTWRITEBYTECODE,
# a read-only checkout), about 0.2 s of CPU before the first chart. Only changed files are recompiled.
bytecode:
	@$(PY) -m compileall -q -j 0 app.py serve.py dashboard indicators connectors bench >/dev/null

run: venv bytecode
	$(PY) -m streamlit run serve.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# The numeric method tests run a second time under OpenBLAS's generic kernel: results must not depend on the machine.
NUMERIC_TESTS = $(wildcard tests/indicators/test_methods_*.py) tests/indicators/test_uncertainty_engine.py
test: venv-test
	$(PY) -m pytest
	OPENBLAS_CORETYPE=Prescott $(PY) -m pytest -q $(NUMERIC_TESTS)

bench: venv-test bytecode
	$(PY) -m bench

# Lint and format check of the whole tree (ruff settings in pyproject.toml); `ruff format .` fixes the format.
lint: venv-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Re-resolve the three locks from pyproject.toml, keeping today's pins where they still satisfy it
# (add --upgrade to UV_COMPILE_FLAGS to move to the newest allowed versions).
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" --quiet $(UV_COMPILE_FLAGS)
lock: venv-dev
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra s3 -o requirements-s3.lock
	$(UV_COMPILE) --extra test -o requirements-test.lock
	$(UV_COMPILE) --extra dev -o requirements-dev.lock

# The snapshot, then the default Overview computed from it (see docs/dashboard-wiring.md, "First view").
snapshot: venv
	$(PY) -m connectors build-snapshot --from ../shared/data
	$(PY) -m dashboard first-view

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
