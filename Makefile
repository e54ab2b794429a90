PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
LOCK_VENV := $(VENV)/lock-tools
# what `make run` and `make check` pass to leakbot, e.g. make check ARGS='--manifest manifest.yml'
ARGS ?=

.PHONY: help run check test lint install dev clean lock FORCE

# Every target but help and clean needs Python 3.11 or newer: say so in one line (make's own error, exit
# status 2) before anything is installed, instead of pip failing on a pin that Python cannot have.
NEEDS_PYTHON := $(filter-out help clean,$(or $(MAKECMDGOALS),install))
ifneq ($(NEEDS_PYTHON),)
# The interpreter, by version and real path: a venv made by another one (or another version) is rebuilt.
PYTHON_ID := $(shell $(PYTHON) -c 'import os, sys; print("%d.%d.%d" % sys.version_info[:3], os.path.realpath(sys.executable))' 2>/dev/null)
PYTHON_VERSION := $(word 1,$(PYTHON_ID))
ifeq ($(PYTHON_VERSION),)
$(error $(PYTHON) was not found or did not run; leakbot needs Python 3.11 or newer: install it, then e.g. make $(firstword $(NEEDS_PYTHON)) PYTHON=python3.11)
endif
ifneq ($(firstword $(shell printf '%s\n' 3.11 $(PYTHON_VERSION) | sort -V)),3.11)
$(error $(PYTHON) is Python $(PYTHON_VERSION); leakbot needs Python 3.11 or newer: e.g. make $(firstword $(NEEDS_PYTHON)) PYTHON=python3.11)
endif
endif

install: $(VENV)/.runtime

help:
	@echo 'make run     start leakbot (settings from the environment or .env; ARGS= passes arguments)'
	@echo 'make check   run leakbot check: configuration, database, Slack tokens and scopes, manifest'
	@echo 'make install the runtime venv only (.venv, from $(LOCK)); make dev adds the test tools'
	@echo 'make test    the tests (PYTEST_ARGS= passes arguments); make lint: ruff and mypy'
	@echo 'make lock    refresh $(LOCK) and $(DEV_LOCK) from pyproject.toml (UPGRADE=1: newest allowed)'
	@echo 'make clean   remove the venv and the local SQLite database'
	@echo 'PYTHON=python3.11 picks the interpreter (3.11 or newer); the venv is rebuilt when it changes'

# The venv, made by $(PYTHON). It is checked on every run (FORCE) but rewritten only when the interpreter
# changed, so that what depends on it is reinstalled only then.
$(VENV)/.python: FORCE
	@if [ "$$(cat $@ 2>/dev/null)" != "$(PYTHON_ID)" ]; then \
		if [ -d $(VENV) ]; then echo "rebuilding $(VENV): it was not made by $(PYTHON) ($(PYTHON_ID))"; fi; \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) \
		&& $(BIN)/python -m pip install --quiet --upgrade pip \
		&& echo "$(PYTHON_ID)" > $@; \
	fi

# What `make run` and `make check` need: the runtime lock's exact versions (checked against their hashes),
# then leakbot itself, resolving nothing. No test tool. (PYTHONWARNINGS: setuptools warns on every editable
# install of a flat layout that a folder named like a package may shadow it; here that is the point.)
$(VENV)/.runtime: $(VENV)/.python pyproject.toml $(LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# What `make test` and `make lint` need besides: the development lock (the runtime pins plus the test tools).
$(VENV)/.dev: $(VENV)/.runtime $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	touch $@

dev: $(VENV)/.dev

run: $(VENV)/.runtime
	$(BIN)/leakbot $(ARGS)

check: $(VENV)/.runtime
	$(BIN)/leakbot check $(ARGS)

test: $(VENV)/.dev
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The checks CI runs before the tests: lint and format (ruff), types (mypy); settings in pyproject.toml.
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Refreshes both locks from pyproject.toml with pip-tools (in a venv of its own inside .venv, so that the
# bot's venv holds exactly the locks), from PyPI. The development lock first, keeping the versions it pins
# where pyproject.toml still allows them (UPGRADE=1: the newest allowed); then the runtime lock, held to the
# development lock's versions, so that every runtime pin is the same in both. --allow-unsafe: the tests'
# setuptools is pinned too.
lock: $(VENV)/.python
	test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip pip-tools
	$(LOCK_VENV)/bin/pip-compile --quiet $(if $(UPGRADE),--upgrade) --extra test --strip-extras --allow-unsafe \
		--generate-hashes --no-emit-index-url --no-emit-find-links --output-file $(DEV_LOCK) pyproject.toml
	$(LOCK_VENV)/bin/pip-compile --quiet --upgrade --constraint $(DEV_LOCK) --strip-extras \
		--generate-hashes --no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache leakbot.db
