# stackc — the two commands a newcomer needs are `make build` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYSTEM ?=
ENV ?=
SELECT := $(if $(SYSTEM),--system $(SYSTEM)) $(if $(ENV),--env $(ENV))

.PHONY: help build test lint bench clean snapshots

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# The virtualenv is rebuilt only when the pinned dependencies change.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $(STAMP)

build: $(STAMP) ## Create .venv if missing, install pinned deps, compile and lint the default system (SYSTEM=, ENV= to choose)
	$(PY) cli.py build $(SELECT)
	$(PY) cli.py lint $(SELECT)

test: $(STAMP) ## Run the whole test suite
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(STAMP) ## Compile and lint every params file in the repo
	$(PY) cli.py build --all
	$(PY) cli.py lint --all

bench: $(STAMP) ## Measure build and lint time and memory by number of services
	$(PY) tests/bench.py

snapshots: $(STAMP) ## Rewrite the golden snapshots (review the diff like code)
	$(PY) -m pytest tests/test_golden.py --update-golden

clean: ## Remove build output and the virtualenv
	rm -rf build $(VENV) .pytest_cache
