PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
LOCK_VENV := $(VENV)/lock-tools

.PHONY: run test lint install clean lock

# The venv is rebuilt whenever pyproject.toml or the lock changes: first the exact versions of the
# lock (runtime and test tools, checked against their hashes), then leakbot itself, resolving nothing.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/leakbot

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The checks CI runs before the tests: lint and format (ruff), types (mypy); settings in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Refreshes the lock from pyproject.toml with pip-tools (in a venv of its own inside .venv, so that the
# bot's venv holds exactly the lock): the newest versions pyproject.toml allows, from PyPI.
lock:
	test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip pip-tools
	$(LOCK_VENV)/bin/pip-compile --quiet --upgrade --extra test --strip-extras --generate-hashes \
		--no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache leakbot.db
