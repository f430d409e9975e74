# Two commands for a fresh machine: `make run` serves the site, `make test` runs every test.
# Both install what they need: Debian packages (via apt-get, when missing), the virtual
# environment and the pinned Python packages.

SHELL := /bin/bash
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# ScanCode, for the one test that runs it for real (tests/test_scancode.py): heavy, and with pins of its
# own, so in a virtual environment of its own, from requirements-scancode.txt.
SCANCODE_VENV := .venv-scancode
DEBIAN_PACKAGES := chromium libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils \
	nginx-light wrk
# The first Python 3.12+ found: pyenv's (selected by .python-version) or the system's.
PYTHON := $(shell for p in python3 python3.13 python3.12; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$p; break; }; done)

.PHONY: run test lint format bench system venv scancode clean axe production production-stop

AXE := tests/browser/node_modules/axe-core/axe.min.js

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_documents
	$(PY) manage.py collectstatic --noinput -v0
	@echo "Open Weights is served at http://$(HOST):$(PORT)/"
	$(VENV)/bin/gunicorn config.wsgi:application -c config/gunicorn.conf.py --bind $(HOST):$(PORT)

# What a deployment runs, on this machine: nginx on HOST:PORT in front of two gunicorn app servers
# sharing DATABASE_URL (PostgreSQL) and REDIS_URL, which must both be set and reachable.
production: venv system
	HOST=$(HOST) PORT=$(PORT) $(PY) config/production.py start

production-stop:
	$(PY) config/production.py stop

test: venv system axe scancode
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Debian packages: WeasyPrint's libraries, Debian's Chromium for the browser tests, poppler.
system:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

# axe-core (pinned in tests/browser/package.json) for the accessibility tests, from the npm registry.
axe: $(AXE)
$(AXE): tests/browser/package.json
	@command -v npm >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q npm; }
	cd tests/browser && npm install --no-package-lock --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "Error: Python 3.12 or newer is required (Django 6.1). Install it, or with pyenv run 'pyenv install 3.13'." >&2; \
		exit 1; fi
	@$(MAKE) --no-print-directory system
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

$(SCANCODE_VENV)/.installed: requirements-scancode.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "Error: Python 3.12 or newer is required (Django 6.1). Install it, or with pyenv run 'pyenv install 3.13'." >&2; \
		exit 1; fi
	test -x $(SCANCODE_VENV)/bin/python || $(PYTHON) -m venv $(SCANCODE_VENV)
	$(SCANCODE_VENV)/bin/python -m pip install -q --upgrade pip
	$(SCANCODE_VENV)/bin/python -m pip install -q -r requirements-scancode.txt
	touch $@

scancode: $(SCANCODE_VENV)/.installed

# Load test as production runs it (gunicorn, DJANGO_DEBUG=0, a throwaway database) against a Django
# ceiling and nginx. BENCH_ARGS="--quick", "--postgres", "--soak 300".
bench: venv system
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(SCANCODE_VENV) staticfiles db.sqlite3 var .pytest_cache screenshots bench/results.json tests/browser/node_modules
