# Fluxo — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test test-busy lint format install services-stop e2e-deps clean messages

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

## Install, start PostgreSQL/Redis (embedded unless DATABASE_URL/REDIS_URL are set), migrate, seed, serve.
run: $(STAMP)
	$(PY) -m config.run

## The whole test suite (unit, integration, browser) against real PostgreSQL and Redis.
test: $(STAMP) e2e-deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

## The same suite while both cores are kept busy by two CPU-burning processes (started and stopped here): no test
## may depend on a quiet machine.
test-busy: $(STAMP) e2e-deps
	bash scripts/with-busy-cores $(MAKE) --no-print-directory test

e2e-deps:
	@bash scripts/ensure-chromium

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

services-stop: $(STAMP)
	$(PY) -m config.embedded stop

clean: services-stop
	rm -rf .data

## Refresh the pt-BR catalogue after changing user-facing strings (needs Debian's gettext), then translate
## the new entries in locale/pt_BR/LC_MESSAGES/django.po; tests/test_i18n.py fails on untranslated ones.
messages: $(STAMP)
	$(PY) manage.py makemessages -l pt_BR --ignore=.venv --ignore=staticfiles --ignore=.data
	$(PY) manage.py compilemessages -l pt_BR --ignore=.venv
