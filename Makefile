# stackc — working on stackc itself: `make build` and `make test`. (Using it: `pip install .`, see README.)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --disable-pip-version-check -c constraints.txt
SYSTEM ?=
ENV ?=
SELECT := $(if $(SYSTEM),--system $(SYSTEM)) $(if $(ENV),--env $(ENV))
PORT ?= 5000

# Which interpreter .venv was made from, and which $(PYTHON) is now: another one (an upgrade, PYTHON=...)
# rebuilds .venv instead of reusing a broken one.
PY_ID := $(shell $(PYTHON) -Sc 'import sys; print(sys.base_prefix, *sys.version_info[:3])' 2>/dev/null)
VENV_ID := $(shell $(PY) -Sc 'import sys; print(sys.base_prefix, *sys.version_info[:3])' 2>/dev/null)
VENV_STALE := $(if $(filter-out $(PY_ID),$(VENV_ID))$(filter-out $(VENV_ID),$(PY_ID)),venv)

.PHONY: help build test lint bench clean snapshots docs python venv check emulator

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

python: # stackc needs Python 3.11+ (tomllib, typing); say so plainly instead of a pip resolver error
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "stackc needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>/dev/null || echo 'not found')."; \
	  echo "Install Python 3.11+ and run e.g.: make build PYTHON=python3.11"; exit 1; }

venv: python
	@echo "creating $(VENV) with $(PYTHON) ($(PY_ID))"
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)

# What `build` needs (the runtime), and what `test` adds (the test extras: moto, pytest, ruff, mypy).
# Each is reinstalled only when the pinned dependencies change; pip shows its progress.
$(VENV)/.installed-build: pyproject.toml constraints.txt $(VENV_STALE)
	$(PIP) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed-build $(VENV_STALE)
	$(PIP) -e '.[test]'
	@touch $@

# Sources byte-compiled ahead, so the first run after a change does not pay for it (only when one changed).
$(VENV)/.compiled: $(VENV)/.installed-build cli.py $(shell find templates_src -name '*.py' 2>/dev/null)
	@$(PY) -m compileall -q templates_src cli.py
	@touch $@

build: $(VENV)/.installed-build $(VENV)/.compiled ## Create .venv if missing, install the runtime, compile and lint the default system (SYSTEM=, ENV= to choose)
	$(PY) cli.py build $(SELECT)
	$(PY) cli.py lint $(SELECT)

check: $(VENV)/.installed-test ## ruff (lint + format) and mypy: what `make test` runs first
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

test: $(VENV)/.installed-test check ## ruff, mypy, then the whole test suite (CI runs this)
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(VENV)/.installed-build $(VENV)/.compiled ## Compile and lint every params file in the repo
	$(PY) cli.py build --all
	$(PY) cli.py lint --all

docs: $(VENV)/.installed-build ## Regenerate docs/params.md and docs/params.schema.json from the models (after changing one)
	$(PY) tests/gen_docs.py

bench: $(VENV)/.installed-test $(VENV)/.compiled ## Time and memory of build/lint per system and for 1-300 services (table + build/bench.json)
	$(PY) tests/bench.py

emulator: $(VENV)/.installed-test ## Run the local AWS endpoint on 127.0.0.1:$(PORT) until Ctrl-C (PORT= to choose)
	$(PY) -m templates_src.emulator --port $(PORT)

snapshots: $(VENV)/.installed-test ## Rewrite the golden snapshots (review the diff like code)
	$(PY) -m pytest tests/test_golden.py --update-golden

clean: ## Remove build output and the virtualenv
	rm -rf build $(VENV) .pytest_cache
