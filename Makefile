# Two commands do everything: `make run` serves the platform, `make test` checks it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
# The suite runs on two processes (pytest-xdist), one per core of the CI machine;
# each module's tests stay in one process (the live tests share a running system and
# build on each other's state). PYTEST_ARGS="-n 0" runs it in one.
PYTEST_ARGS ?= -n 2 --dist loadscope

.PHONY: run test install install-test lint typecheck pytest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

var/secret_key:
	@mkdir -p var
	@$(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))' > $@
	@chmod 600 $@

run: install var/secret_key
	@set -e; export SECRET_KEY="$$(cat var/secret_key)"; \
	$(BIN)/cityexchange compile-catalogues; \
	$(BIN)/cityexchange migrate --noinput; \
	$(BIN)/cityexchange seed --demo; \
	$(BIN)/cityexchange collectstatic --noinput -v 0; \
	echo "Demo sign-ins (admin at http://127.0.0.1:$(PORT)/en/admin/): var/demo-credentials.txt"; \
	exec $(BIN)/cityexchange serve --port $(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	CITYEXCHANGE_TESTING=1 $(BIN)/mypy src

pytest: install-test
	CITYEXCHANGE_TESTING=1 $(BIN)/cityexchange compile-catalogues
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
