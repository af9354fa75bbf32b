# Podium — the two quick-start commands are `make demo` and `make test`.
# Both create .venv and install the locked dependencies first (only when they changed).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint lint-js imports format typecheck check lock clean test-deps

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Podium needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

## Start the whole platform with demo data (API, docs, Celery worker). Ctrl-C stops it.
demo: $(STAMP)
	$(BIN)/podium demo

## What the tests need from Debian: zbar (they read QR codes back with it) and Chromium
## (the scanner page runs in it). Installed when missing, as root with apt-get.
test-deps:
	@missing=""; \
	ldconfig -p | grep -q 'libzbar\.so\.0' || missing="$$missing libzbar0"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's$$missing for the tests"; \
	    apt-get install -y -q $$missing >/dev/null 2>&1 || \
	      { apt-get update -q >/dev/null && apt-get install -y -q $$missing >/dev/null; }; \
	  else \
	    echo "The tests need Debian's$$missing: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

## Run the whole test suite (a private PostgreSQL is started unless
## TICKETING_TEST_DATABASE_URL points at a server).
test: $(STAMP) test-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Imports run down the layers of docs/architecture.md (import-linter, contracts in
## pyproject.toml): a package that imports one above it fails.
imports: $(STAMP)
	$(BIN)/lint-imports

## Lint the page scripts (ticketing/web/static, vendored bundles excepted) with ESLint,
## installed from .ci/js/package-lock.json into .ci/js/node_modules (needs Node 20 and npm).
JS := .ci/js
$(JS)/node_modules/.installed-stamp: $(JS)/package.json $(JS)/package-lock.json
	npm ci --prefix $(JS) --no-audit --no-fund --loglevel=error
	@touch $@

lint-js: $(JS)/node_modules/.installed-stamp
	$(JS)/node_modules/.bin/eslint --config $(JS)/eslint.config.js --max-warnings 0 ticketing/web/static

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy ticketing workers

check: lint lint-js imports typecheck test

## Re-resolve the dependencies of pyproject.toml into requirements.lock.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e ".[dev]"
	echo "# Exact versions of every dependency, installed by 'make'. Regenerate with 'make lock'." > requirements.lock
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^podium' >> requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache $(JS)/node_modules
